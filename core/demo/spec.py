"""Describes a demo family (what it is built to show) and the demo's fixed clock and seed.

The cast itself lives in `core.demo.cast`; this module is what the generator needs to know about
any one family, so the generator and the cast do not import each other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from core.models import GITHUB_FIRST, HUGGINGFACE_FIRST, SIMULTANEOUS

# Bump when the generated data changes; a demo cache of another version is rebuilt.
# 2: labels come from the rules classifier; 3: commit ids are git ids (demo source); 4: real file trees
# (file changes, drift).
DEMO_VERSION: Final = 4
# The demo's "today": every generated time lies before it, so the demo never depends on the clock.
REFERENCE: Final = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC)
SEED: Final = 20250630

GF, SIM, HFF = GITHUB_FIRST, SIMULTANEOUS, HUGGINGFACE_FIRST


@dataclass(frozen=True)
class FamilySpec:
    """One demo family and the verdict it is built to get."""

    family: str
    gh_repo: str
    code: str  # intended sync type + intensity, e.g. PSS
    lag: str  # intended lag
    variants: tuple[str, ...]  # HF model ids; the first one is the family's lead variant
    task: str  # pipeline tag of the variants
    span: int  # life of the family in 14-day bins
    story: str  # one line shown as the family's note
    mirror: bool = False  # the lead variant mirrors GitHub with "Auto Sync from git://..." commits
    monorepo: bool = False  # the GitHub link is a shared research monorepo

    @property
    def sync(self) -> str:
        """Intended synchronization type (CS, PS, VS, AS)."""
        return self.code[:2]

    @property
    def intensity(self) -> str:
        """Intended intensity (R, S, F)."""
        return self.code[2]

    @property
    def owner(self) -> str:
        """The GitHub organisation."""
        return self.gh_repo.split("/")[0]

"""Provides variant_drift(): one variant's linked pairs and the two repositories their file versions are read from.

This is the one place proposals get drift from: the cache's tables (``core.drift.stored``), the
same drift `ptlm-tui drift` and the app show; file contents are read from the clones sync keeps
(one blob each), or on the demo from its source repositories.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from core.drift.repos import Repository
from core.errors import InputError

if TYPE_CHECKING:
    from cache.store import CacheStore
    from core.config import Settings


@dataclass(frozen=True)
class VariantDrift:
    """One variant's drift rows (docs/formats.md "Drift") and where its two sides' versions live."""

    family: str
    variant: str
    gh_repo: str
    table: pl.DataFrame
    github: Repository
    hub: Repository


def variant_drift(store: CacheStore, settings: Settings, family: str, variant: str) -> VariantDrift:
    """Return the linked pairs of ``variant`` (an HF model of ``family``) with its clone and GitHub's.

    Raises:
        InputError: The family or variant is unknown, or sync has not cloned one of the two
            repositories yet.
    """
    from core.demo.source import demo_repositories
    from core.drift.stored import cached_drift, clone_run

    table, (fam,) = cached_drift(store, [family])
    if variant not in fam.variants:
        shown = ", ".join(sorted(fam.variants)[:5]) or "none"
        raise InputError(f"{variant} is not a variant of {family}", f"its variants: {shown}", "check the model id")
    if fam.gh_repo is None or not fam.gh_ready or variant not in fam.ready:
        missing = [m for m in fam.missing if m.endswith(f":{fam.gh_repo}") or m.endswith(f":{variant}")]
        raise InputError(
            "No file history in the cache",
            f"{family}: {', '.join(missing) or 'no GitHub repository'} has not been synced",
            f"run `ptlm-tui sync {family}` first",
        )
    # Only this variant's pairs: the family's other variants do not change them.
    mine = table.filter(pl.col("hf_repo") == variant)
    run = clone_run(store, fam, mine, settings, demo_repositories(store), variants=[variant])
    hub = next(h for h in run.hubs if h.name == variant)
    return VariantDrift(family, variant, fam.gh_repo, run.table, run.github, hub)

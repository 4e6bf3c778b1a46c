"""Provides what the demo source holds beyond the demo cache: commits made since, and two families to discover.

The demo cache was "synced" a few hours before the demo's day (``REFERENCE``). Its source has
moved on since, as real repositories do: some GitHub repositories and some Hugging Face
variants have a few new commits, one variant asks the client to slow down (a rate limit),
and two families exist on the Hub that the cache has never seen. So pressing ``S`` or ``N``
on the demo fetches something real, through the real sync and discover code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from core.demo.generate import FamilyData, family_rng, generate_family
from core.demo.spec import GF, REFERENCE, FamilySpec
from core.models import GITHUB, HUGGINGFACE


@dataclass(frozen=True)
class NewCommit:
    """A commit the demo source has and the demo cache does not."""

    platform: str
    repo: str
    when: dt.datetime
    author: str
    title: str
    files: tuple[tuple[str, str], ...]  # (status letter, path)

    @property
    def message(self) -> str:
        """The commit message (the title; news commits have no body)."""
        return self.title


# Written after the cache's last sync (a few hours before REFERENCE) and before REFERENCE.
_GITHUB_NEWS: Final = (
    ("Fix tokenizer padding for batched inputs", (("M", "src/tokenization.py"),)),
    ("Update the README with the new benchmark", (("M", "README.md"),)),
    ("Add an evaluation script for the held-out set", (("A", "scripts/evaluate.py"),)),
    ("Bump version to 1.4.1", (("M", "setup.py"), ("M", "CHANGELOG.md"))),
    ("Raise the default max length to 1024", (("M", "configs/base.json"),)),
)
_HUB_NEWS: Final = (
    ("Update config.json", (("M", "config.json"),)),
    ("Update README.md", (("M", "README.md"),)),
    ("Upload tokenizer.json", (("A", "tokenizer.json"),)),
)

# On the Hub (and GitHub) but not in the demo cache: `N` finds them.
NEW_FAMILIES: Final[tuple[FamilySpec, ...]] = (
    FamilySpec(
        "sable-ai_sable-lm",
        "sable-ai/sable-lm",
        "PSS",
        GF,
        ("sable-ai/sable-lm-1b", "sable-ai/sable-lm-1b-instruct", "sable-ai/sable-lm-3b"),
        "text-generation",
        40,
        "A small language model published after the demo cache was written: discover finds it.",
    ),
    FamilySpec(
        "fennel-nlp_fennel-ner",
        "fennel-nlp/fennel-ner",
        "CSR",
        GF,
        ("fennel-nlp/fennel-ner-base", "fennel-nlp/fennel-ner-large"),
        "token-classification",
        36,
        "A named-entity tagger new to the cache: discover finds it, sync fetches its history.",
    ),
)


def new_family_data() -> list[FamilyData]:
    """Return the generated histories of the families only the source knows."""
    return [generate_family(spec, 100 + index) for index, spec in enumerate(NEW_FAMILIES)]


def family_news(data: FamilyData, index: int) -> list[NewCommit]:
    """Return the commits ``data``'s family gained since the demo cache (oldest first); often none."""
    spec = data.spec
    rng = family_rng(spec.family + "/news")
    out: list[NewCommit] = []
    start = REFERENCE - dt.timedelta(minutes=25)
    if spec.monorepo:
        return out  # a shared monorepo is synced only when named: leave it alone
    if index % 3 == 0:
        team = sorted({c.author for c in data.commits if c.platform == GITHUB})
        for n in range(1 + index % 2 + (index % 5 == 0)):
            title, files = _GITHUB_NEWS[(index + n) % len(_GITHUB_NEWS)]
            when = start + dt.timedelta(minutes=4 * n + rng.randint(0, 3))
            out.append(NewCommit(GITHUB, spec.gh_repo, when, rng.choice(team), title, files))
    if index % 4 == 1 or index % 7 == 3:
        model = spec.variants[0] if index % 4 == 1 else spec.variants[-1]
        owner = model.split("/")[0]
        for n in range(1 + (index % 4 == 1)):
            title, files = _HUB_NEWS[(index + n) % len(_HUB_NEWS)]
            when = start + dt.timedelta(minutes=6 + 5 * n + rng.randint(0, 3))
            out.append(NewCommit(HUGGINGFACE, model, when, owner, title, files))
    return out

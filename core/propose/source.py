"""Provides variant_drift(): one variant's linked pairs and the two repositories their file versions are read from.

This is the one place proposals get drift from. Today it reads the clones sync keeps in the
cache (``core.drift.cached``); when drift is read from the cache's tables, only this function
changes: proposals still read file contents from the same clones (one blob each).
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
    from core.drift.cached import FamilyRepos, cached_run, family_repos

    models = store.variants(["family", "model"]).filter(pl.col("family") == family)["model"].to_list()
    (repos,) = family_repos(store, [family], offline=settings.offline)
    if variant not in models:
        shown = ", ".join(sorted(models)[:5]) or "none"
        raise InputError(f"{variant} is not a variant of {family}", f"its variants: {shown}", "check the model id")
    hub = next((h for h in repos.hubs if h.name == variant), None)
    if repos.github is None or hub is None:
        raise InputError(
            "No clone in the cache",
            f"{family}: {'the GitHub repository' if repos.github is None else variant} has not been synced",
            f"run `ptlm-tui sync {family}` first (proposals read file versions from the clones sync keeps)",
        )
    # Only this variant's history is read: the family's other variants do not change its pairs.
    run = cached_run(FamilyRepos(family, repos.github, (hub,)))
    assert run is not None  # both clones exist
    return VariantDrift(family, variant, run.github.name, run.table, run.github, hub)

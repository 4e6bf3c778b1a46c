"""Provides drift for the cache's families, read from the clones sync keeps in the cache directory (interim).

Until the cache holds file changes as a table, ``drift FAMILY`` reads the bare clones sync
already keeps (``<cache>/git/github/...`` and ``<cache>/git/huggingface/...``) with one
``git log`` each: no network, so it works offline. The family's repositories come from the
cache's families and variants tables. A repository without a clone is reported, never read
as "no files"; once the file changes are a cache table, ``core.drift.family.family_drift``
computes the same table from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from core.drift.compare import DriftRun
from core.drift.repos import Repository
from core.errors import InputError
from core.models import GITHUB, HUGGINGFACE, is_valid_repo_id

if TYPE_CHECKING:
    from cache.store import CacheStore


@dataclass(frozen=True)
class FamilyRepos:
    """A family's GitHub repository and variants, and which of their clones the cache holds."""

    family: str
    github: Repository | None
    hubs: tuple[Repository, ...]
    missing: tuple[str, ...] = field(default=())  # repositories with no clone yet


def family_repos(
    store: CacheStore, families: Sequence[str] | None = None, *, offline: bool = False
) -> list[FamilyRepos]:
    """Return the clones of ``families`` (every family when None) found in the cache directory.

    With ``offline``, git may read only what the clones hold: a blob they lack (an old
    blob-less HF clone, a file version never shown) fails instead of being fetched.

    Raises:
        InputError: A named family is not in the cache.
    """
    from core.mining.git_run import git_env

    fams = store.families(["family", "gh_repo"]).filter(pl.col("gh_repo").is_not_null())
    variants = store.variants(["family", "model"]).filter(pl.col("family").is_not_null())
    known = set(fams["family"].to_list())
    if families:
        unknown = [f for f in families if f not in known]
        if unknown:
            raise InputError(
                "Unknown family (or one without a GitHub repository)",
                ", ".join(unknown[:5]),
                "`ptlm-tui status` lists the families",
            )
    env = git_env("file://", None)
    if offline:
        from core.mining.git_blobs import offline_env

        env = offline_env(env)
    wanted = list(dict.fromkeys(families)) if families else sorted(known)
    result = []
    for family in wanted:
        gh_repo = fams.filter(pl.col("family") == family)["gh_repo"][0]
        models = sorted(variants.filter(pl.col("family") == family)["model"].unique().to_list())
        github = _clone(store.root, GITHUB, gh_repo, env)
        hubs = [_clone(store.root, HUGGINGFACE, m, env) for m in models]
        missing = [f"{GITHUB}:{gh_repo}"] * (github is None) + [
            f"{HUGGINGFACE}:{m}" for m, h in zip(models, hubs, strict=True) if h is None
        ]
        result.append(FamilyRepos(family, github, tuple(h for h in hubs if h is not None), tuple(missing)))
    return result


def _clone(root: Path, platform: str, repo: str, env: dict[str, str]) -> Repository | None:
    """The cache's clone of ``repo``, or None when sync has not made it (or the id is unusable)."""
    from core.paths import git_clone_dir

    if not is_valid_repo_id(repo):
        return None
    path = git_clone_dir(root, platform, repo.lower())
    return Repository(repo, path, cloned=True, env=env) if (path / "HEAD").exists() else None


def cached_run(repos: FamilyRepos) -> DriftRun | None:
    """Return the drift of one family from its clones, or None when its GitHub clone or every variant's is missing."""
    from core.drift.compare import drift_between

    if repos.github is None or not repos.hubs:
        return None
    return DriftRun(drift_between(repos.github, repos.hubs, family=repos.family), repos.github, repos.hubs)

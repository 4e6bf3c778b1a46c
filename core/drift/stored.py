"""Provides drift from the cache: each family's drift table computed from the cached commits and file changes.

The cache holds, per repository, every commit with its parents and every file change with
its blob ids (sync reads them with one ``git log --raw``), and ``file_histories`` says which
repositories it holds whole, with the git LFS pointer blobs of each HF one. That is all
``core.drift.family.family_drift`` needs, so drift from the cache runs no git at all and works
offline. A repository whose file history is not cached is reported by name, never read as a
repository without files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import polars as pl

from core.drift.family import families_drift
from core.errors import InputError
from core.models import GITHUB, HUGGINGFACE

if TYPE_CHECKING:
    from cache.store import CacheStore
    from core.config import Settings
    from core.drift.compare import DriftRun

COMMIT_COLUMNS: Final = ("platform", "repo", "sha", "parents", "authored_at")
CHANGE_COLUMNS: Final = ("platform", "repo", "sha", "path", "old_mode", "new_mode", "old_blob", "new_blob")
# Families read together when many are asked for: bounds memory on a cache of big histories.
CHUNK_FAMILIES: Final = 200


@dataclass(frozen=True)
class CachedFamily:
    """A family's repositories, and which of them the cache holds whole file histories of."""

    family: str
    gh_repo: str | None
    variants: tuple[str, ...]  # every variant the catalogue lists
    ready: tuple[str, ...]  # the variants whose file history is cached
    gh_ready: bool  # the GitHub repository's file history is cached
    lfs_pointers: frozenset[str]  # LFS pointer blobs of the ready variants

    @property
    def computable(self) -> bool:
        """True when drift can be computed: GitHub's history and at least one variant's are cached."""
        return self.gh_repo is not None and self.gh_ready and bool(self.ready)

    @property
    def missing(self) -> tuple[str, ...]:
        """``platform:repo`` of the repositories whose file history the cache lacks."""
        gh = [f"{GITHUB}:{self.gh_repo}"] if self.gh_repo is not None and not self.gh_ready else []
        return (*gh, *(f"{HUGGINGFACE}:{v}" for v in self.variants if v not in self.ready))


def cached_families(store: CacheStore, families: Sequence[str] | None = None) -> list[CachedFamily]:
    """Return ``families`` (every family with a GitHub repository when None) with what the cache holds of them.

    Raises:
        InputError: A named family is not in the cache, or has no GitHub repository.
    """
    fams = store.families(["family", "gh_repo"])
    variants = store.variants(["family", "model"]).filter(pl.col("family").is_not_null())
    with_gh = fams.filter(pl.col("gh_repo").is_not_null())
    if families:
        wanted = list(dict.fromkeys(families))
        known = set(with_gh["family"].to_list())
        unknown = [f for f in wanted if f not in known]
        if unknown:
            raise InputError(
                "Unknown family (or one without a GitHub repository)",
                ", ".join(unknown[:5]),
                "`ptlm-tui status` lists the families",
            )
        with_gh = with_gh.filter(pl.col("family").is_in(wanted))
        variants = variants.filter(pl.col("family").is_in(wanted))
    # Named families (a sync's or an import's few) read only their repositories' histories.
    repos = [*with_gh["gh_repo"].to_list(), *variants["model"].to_list()] if families else None
    histories = store.file_histories(["platform", "repo", "lfs_pointers"], repos=repos)
    whole = {(p, r): pointers for p, r, pointers in histories.iter_rows()}
    models = variants.group_by("family").agg(pl.col("model").unique().sort())
    by_family = {f: list(ms) for f, ms in models.iter_rows()}
    out = []
    for family, gh_repo in with_gh.sort("family").iter_rows():
        listed = tuple(by_family.get(family, []))
        ready = tuple(m for m in listed if (HUGGINGFACE, m) in whole)
        pointers = frozenset(b for m in ready for b in (whole[(HUGGINGFACE, m)] or "").split())
        out.append(CachedFamily(family, gh_repo, listed, ready, (GITHUB, gh_repo) in whole, pointers))
    return out


def _repos(families: Sequence[CachedFamily]) -> pl.DataFrame:
    """``family, platform, repo`` of the ready repositories of ``families``."""
    rows = [(f.family, GITHUB, f.gh_repo) for f in families if f.computable]
    rows += [(f.family, HUGGINGFACE, v) for f in families if f.computable for v in f.ready]
    return pl.DataFrame(rows, schema={"family": pl.String, "platform": pl.String, "repo": pl.String}, orient="row")


def family_chunks(
    store: CacheStore, families: Sequence[CachedFamily]
) -> Iterator[tuple[list[CachedFamily], pl.DataFrame, pl.DataFrame]]:
    """Yield the computable families a chunk at a time, with their commits and file changes (``family`` column)."""
    computable = [f for f in families if f.computable]
    for start in range(0, len(computable), CHUNK_FAMILIES):
        chunk = computable[start : start + CHUNK_FAMILIES]
        repos = _repos(chunk)
        names = repos["repo"].unique().to_list()
        commits = store.collect(
            store.commits(list(COMMIT_COLUMNS), repos=names).join(repos.lazy(), on=["platform", "repo"])
        )
        changes = store.collect(
            store.file_changes(list(CHANGE_COLUMNS), repos=names).join(repos.lazy(), on=["platform", "repo"])
        )
        yield chunk, commits, changes


def chunk_table(chunk: Sequence[CachedFamily], commits: pl.DataFrame, changes: pl.DataFrame) -> pl.DataFrame:
    """Return the drift table of a chunk of computable families (one pass over all of them)."""
    gh_repos = pl.DataFrame(
        [(f.family, f.gh_repo) for f in chunk], schema={"family": pl.String, "gh_repo": pl.String}, orient="row"
    )
    pointers = {b for f in chunk for b in f.lfs_pointers}
    return families_drift(commits, changes, gh_repos, never_link=pointers)


def cached_drift(store: CacheStore, families: Sequence[str] | None = None) -> tuple[pl.DataFrame, list[CachedFamily]]:
    """Return the drift table of ``families`` (all when None) from the cache, and what the cache holds of each.

    Families whose file histories are not cached have no rows; the caller names them (their
    ``missing`` repositories) instead.

    Raises:
        InputError: A named family is not in the cache.
    """
    from core.drift.pairs import DRIFT_SCHEMA

    fams = cached_families(store, families)
    tables = [chunk_table(chunk, commits, changes) for chunk, commits, changes in family_chunks(store, fams)]
    table = pl.concat(tables) if tables else pl.DataFrame(schema=DRIFT_SCHEMA)
    return table, fams


def clone_run(
    store: CacheStore,
    fam: CachedFamily,
    table: pl.DataFrame,
    settings: Settings,
    locate: Callable[[str, str], Path | None] | None = None,
    variants: Sequence[str] = (),
) -> DriftRun:
    """Return ``table`` with the clones sync keeps for ``fam`` (``drift --diff`` reads two blobs from them).

    A blob-less clone fetches a version it lacks from its remote, with the platform's token;
    with ``settings.offline`` it may only read what it holds.

    Args:
        store: The cache (its directory holds the clones).
        fam: The family.
        table: Its drift table.
        settings: Tokens, endpoints and ``offline``.
        locate: Where to read a repository instead of the cache's clones, read in place (the
            demo's source repositories, which hold every version).
        variants: HF repositories to open even when ``table`` has no pair of theirs.

    Raises:
        InputError: A clone the diff needs is not in the cache directory.
    """
    from core.drift.compare import DriftRun
    from core.drift.repos import Repository
    from core.mining.git_blobs import offline_env
    from core.mining.git_run import git_env
    from core.models import is_valid_repo_id
    from core.paths import git_clone_dir

    def env(platform: str) -> dict[str, str]:
        if settings.offline:
            return offline_env(git_env("file://", None))
        if platform == GITHUB:
            return git_env(settings.github.base_url, settings.github_token())
        from core.mining.hub import resolve_hf_token

        return git_env(settings.hf_endpoint(), resolve_hf_token(settings), user="ptlm-tui")

    def clone(platform: str, repo: str) -> Repository:
        found = locate(platform, repo) if locate is not None else None
        if found is not None:
            return Repository(repo, found, cloned=False, env=offline_env(git_env("file://", None)))
        path = git_clone_dir(store.root, platform, repo.lower()) if is_valid_repo_id(repo) else None
        if path is None or not (path / "HEAD").exists():
            raise InputError(
                "No clone to read the file from",
                f"{platform}:{repo} has no clone in {store.root / 'git'}",
                f"run `ptlm-tui sync {fam.family}`",
            )
        return Repository(repo, path, cloned=True, env=env(platform))

    assert fam.gh_repo is not None
    hubs = tuple(clone(HUGGINGFACE, v) for v in sorted(set(table["hf_repo"].to_list()) | set(variants)))
    return DriftRun(table, clone(GITHUB, fam.gh_repo), hubs)

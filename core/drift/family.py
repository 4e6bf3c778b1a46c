"""Provides family_drift(): a family's drift table from the frames the cache holds (commits and file changes).

This is the interface between storage and drift: give it the family's commits (``repo, sha,
parents, authored_at`` of the GitHub repository and of every variant) and their file changes
(``core.mining.git_log.FILE_CHANGES_SCHEMA``), and the blobs known to be git LFS pointers;
it orders each repository's first-parent chain, reduces the changes to events and links the
two sides. Nothing here reads files or runs git.
"""

from __future__ import annotations

from collections.abc import Iterable

import polars as pl

from core.drift.chain import first_parent_order
from core.drift.events import EMPTY_BLOBS, file_events
from core.drift.pairs import families_pairs
from core.models import GITHUB

_KEY_SEP = "\x1f"


def shared_blobs(gh_events: pl.DataFrame, hf_events: pl.DataFrame) -> pl.DataFrame:
    """Return ``repo, blob``: the blobs each HF variant shares with GitHub (the link candidates).

    These are the only blobs whose content can matter (is it a git LFS pointer?), so they are
    what a caller reads, from the variant's clone, before calling ``linked_pairs``.
    """
    gh_blobs = gh_events.select("blob").drop_nulls().unique()
    return (
        hf_events.filter(pl.col("blob").is_not_null() & ~pl.col("blob").is_in(list(EMPTY_BLOBS)))
        .join(gh_blobs, on="blob", how="semi")
        .select("repo", "blob")
        .unique()
        .sort("repo", "blob")
    )


def family_drift(
    family: str,
    gh_repo: str,
    commits: pl.DataFrame | pl.LazyFrame,
    changes: pl.DataFrame | pl.LazyFrame,
    *,
    never_link: Iterable[str] = (),
) -> pl.DataFrame:
    """Return the drift table (docs/formats.md) of one family from its cached commits and file changes.

    Args:
        family: The family id.
        gh_repo: Its GitHub repository; every other repository in ``commits`` is a variant.
        commits: ``platform, repo, sha, parents, authored_at`` of the family's commits, GitHub
            and HF (more columns are ignored).
        changes: The file changes of those commits: ``platform, repo, sha, path, old_mode,
            new_mode, old_blob, new_blob`` (more columns are ignored).
        never_link: Blob ids known to be git LFS pointers (empty blobs never link anyway).

    Returns:
        One row per linked pair (``core.drift.pairs.DRIFT_SCHEMA``).
    """
    name = pl.lit(family, pl.String).alias("family")
    return families_drift(
        commits.lazy().with_columns(name),
        changes.lazy().with_columns(name),
        pl.DataFrame({"family": [family], "gh_repo": [gh_repo]}),
        never_link=never_link,
    )


def families_drift(
    commits: pl.DataFrame | pl.LazyFrame,
    changes: pl.DataFrame | pl.LazyFrame,
    gh_repos: pl.DataFrame,
    *,
    never_link: Iterable[str] = (),
) -> pl.DataFrame:
    """Return the drift table of many families at once, in one pass (the drift summary of a whole cache).

    Args:
        commits: As ``family_drift``'s, with a ``family`` column.
        changes: As ``family_drift``'s, with a ``family`` column (a repository read for two
            families appears once per family).
        gh_repos: ``family, gh_repo``: each family's GitHub repository; its other repositories
            are its variants.
        never_link: Blob ids known to be git LFS pointers.

    Returns:
        One row per linked pair, sorted by family.
    """
    # A GitHub repository and a model may share a name (``acme/bert`` on both), and two
    # families may read one repository: key by family and platform too.
    keyed = pl.concat_str("family", pl.lit(_KEY_SEP), "platform", pl.lit(_KEY_SEP), "repo").alias("repo")
    order = first_parent_order(commits.lazy().with_columns(keyed))
    events = file_events(changes.lazy().with_columns(keyed), order)
    parts = pl.col("repo").str.split(_KEY_SEP)
    events = events.with_columns(
        parts.list.get(0).alias("family"), parts.list.get(1).alias("platform"), parts.list.get(2).alias("repo")
    )
    is_gh = (pl.col("platform") == GITHUB) & (
        pl.col("repo")
        == pl.col("family").replace_strict(dict(gh_repos.select("family", "gh_repo").iter_rows()), default=None)
    )
    gh = events.filter(is_gh.fill_null(False))
    hf = events.filter(~is_gh.fill_null(False))
    return families_pairs(gh, hf, gh_repos, never_link=never_link)

"""Provides file_events(): a repository's file changes reduced to drift's events (docs/method.md §8.2).

An event is a first-parent commit that changes a path's blob id, with the new blob (null for a
deletion). Mode-only changes are not events, and submodule entries (mode 160000) are not
files: a path that becomes a submodule is deleted as a file, one that stops being one is added.
"""

from __future__ import annotations

from typing import Final

import polars as pl

# The blob of an empty file, in SHA-1 and SHA-256 repositories: it matches by accident.
EMPTY_BLOBS: Final = (
    "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
    "473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813",
)
SUBMODULE_MODE: Final = "160000"
UTC_TIME: Final = pl.Datetime("us", "UTC")

# The order of a repository's first-parent chain: seq 0 is the root commit.
ORDER_SCHEMA: Final[dict[str, pl.DataType]] = {
    "repo": pl.String(),
    "sha": pl.String(),
    "seq": pl.Int64(),
    "authored_at": UTC_TIME,
}
EVENT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "repo": pl.String(),
    "path": pl.String(),
    "seq": pl.Int64(),
    "sha": pl.String(),
    "authored_at": UTC_TIME,
    "blob": pl.String(),  # null: the path was deleted (or became a submodule)
}


def _file_blob(mode: str, blob: str) -> pl.Expr:
    """The side's blob when it is a file, else null (absent, or a submodule's commit id)."""
    return pl.when(pl.col(mode).is_not_null() & (pl.col(mode) != SUBMODULE_MODE)).then(pl.col(blob))


def file_events(changes: pl.DataFrame | pl.LazyFrame, order: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Return the drift events of the commits in ``order`` (oldest first per repository and path).

    Args:
        changes: File changes (``core.mining.git_log.FILE_CHANGES_SCHEMA``); rows of commits
            that are not in ``order`` (side branches) are ignored.
        order: The first-parent chain: ``repo, sha, seq, authored_at`` (``ORDER_SCHEMA``).

    Returns:
        ``EVENT_SCHEMA`` rows, in no particular order (``seq`` orders them).
    """
    old = _file_blob("old_mode", "old_blob")
    new = _file_blob("new_mode", "new_blob")
    return (
        changes.lazy()
        .select("repo", "sha", "path", old.alias("old"), new.alias("blob"))
        .filter(pl.col("old").ne_missing(pl.col("blob")))
        .join(order.lazy().select(list(ORDER_SCHEMA)), on=["repo", "sha"], how="inner")
        .select(list(EVENT_SCHEMA))
        .collect()
    )

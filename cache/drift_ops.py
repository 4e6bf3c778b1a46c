"""Provides the named operations drift needs beyond commits: which file histories are whole, and the drift summary.

``file_histories`` says, per repository, that the cache holds its file changes for its whole
history (and which of its blobs are git LFS pointers), so drift never reads a half-cached
repository as "no files". ``drift_summary`` holds each variant's drift in figures; it is
derived data, replaced whole per family whenever that family's commits change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from cache.access import TableAccess
from cache.commit_ops import repo_filter
from cache.schema import DRIFT_SUMMARY, FILE_HISTORIES, conform, one_of

HISTORIES_TABLE = "file_histories"
SUMMARY_TABLE = "drift_summary"


class DriftOps(TableAccess):
    """File histories and the drift summary."""

    def file_histories(
        self,
        columns: Sequence[str] | None = None,
        *,
        repos: Iterable[str] | None = None,
        platform: str | None = None,
    ) -> pl.DataFrame:
        """Return the repositories whose whole file history the cache holds (file_histories columns)."""
        return self._read(HISTORIES_TABLE, columns, repo_filter(repos, platform))

    def record_file_histories(self, frame: pl.DataFrame) -> int:
        """Record that the cache now holds these repositories' file changes up to ``head`` (file_histories columns)."""
        if frame.height == 0:
            return 0
        return self._append(HISTORIES_TABLE, conform(frame, FILE_HISTORIES), "record file histories")

    def drift_summary(
        self, columns: Sequence[str] | None = None, *, families: Sequence[str] | None = None
    ) -> pl.DataFrame:
        """Return the drift summary, one row per variant (drift_summary columns), all or of ``families``."""
        where = one_of("family", list(dict.fromkeys(families))) if families else None
        return self._read(SUMMARY_TABLE, columns, where)

    def has_drift_summary(self) -> bool:
        """True once a drift summary has been written."""
        return self._exists(SUMMARY_TABLE)

    def replace_drift_summary(self, frame: pl.DataFrame, families: Sequence[str]) -> int:
        """Replace the summary rows of ``families`` with ``frame`` in one transaction.

        Args:
            frame: The new rows (drift_summary columns), of those families only.
            families: Every family the rows were computed for: their stored rows that
                ``frame`` does not hold (a variant gone, a family with no variant left) are removed.

        Returns:
            Rows written, tombstones included.
        """
        rows = conform(frame, DRIFT_SUMMARY)
        tombstones = None
        if families and self._exists(SUMMARY_TABLE):
            stored = self._read(SUMMARY_TABLE, ["family", "hf_repo"], one_of("family", list(dict.fromkeys(families))))
            tombstones = stored.join(rows.select("family", "hf_repo"), on=["family", "hf_repo"], how="anti")
        if rows.height == 0 and (tombstones is None or tombstones.height == 0):
            return 0
        return self._append(SUMMARY_TABLE, rows, "drift summary", tombstones=tombstones)

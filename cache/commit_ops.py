"""Provides the named operations on commits and file changes: read a family's commits, append a batch.

A batch of commits is one append whatever the table's size. Commits already cached (same
platform, repository and commit key) are superseded by the new row; a repository whose whole
history was fetched again (``replace``) gets tombstones for the commits it no longer has.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from cache.errors import storage_boundary
from cache.schema import COMMIT_KEY, COMMITS, FILE_CHANGES, SEQ, SPECS, conform, one_of
from cache.streamed import StreamedAppends

COMMITS_TABLE = "commits"
FILE_CHANGES_TABLE = "file_changes"
CHANGE_KEY = ("platform", "repo", "sha", "path")
KEY_SOURCES = ["platform", "repo", "sha", "authored_at", "title"]


@dataclass(frozen=True)
class CommitsWritten:
    """What appending a batch of commits did."""

    added: int  # keys the cache did not hold
    replaced: int  # keys it held (the new row wins)
    removed: int = 0  # keys of replaced histories that are gone (tombstoned)


def repo_filter(
    repos: Iterable[str] | None = None, platform: str | None = None, pairs: pl.DataFrame | None = None
) -> pl.Expr | None:
    """A filter on the (platform, repo) key prefix, or None for everything."""
    parts: list[pl.Expr] = []
    if pairs is not None:
        parts.append(one_of("repo", pairs["repo"].unique().to_list()))
        platforms = pairs["platform"].unique().to_list()
        if len(platforms) == 1:
            parts.append(pl.col("platform") == platforms[0])
    if repos is not None:
        parts.append(one_of("repo", list(dict.fromkeys(repos))))
    if platform is not None:
        parts.append(pl.col("platform") == platform)
    if not parts:
        return None
    out = parts[0]
    for part in parts[1:]:
        out = out & part
    return out


class CommitOps(StreamedAppends):
    """Commits and per-commit file changes."""

    def commits(
        self,
        columns: Sequence[str] | None = None,
        *,
        families: Sequence[str] | None = None,
        repos: Iterable[str] | None = None,
        platform: str | None = None,
    ) -> pl.LazyFrame:
        """Return the cached commits (one live row per commit) as a LazyFrame.

        Args:
            columns: Columns of the commits table (default: all).
            families: Only these families.
            repos: Only these repositories (``owner/name``).
            platform: Only ``github`` or ``huggingface``.
        """
        wanted = list(columns) if columns is not None else list(COMMITS)
        read = wanted if not families or "family" in wanted else [*wanted, "family"]
        frame = self._live(COMMITS_TABLE, read, repo_filter(repos, platform))
        if families:
            frame = frame.filter(one_of("family", list(dict.fromkeys(families))))
        return frame.select(wanted) if read != wanted else frame

    def family_commits(self, family: str, columns: Sequence[str] | None = None) -> pl.LazyFrame:
        """Return one family's commits as a LazyFrame (``commits(families=[family])``)."""
        return self.commits(columns, families=[family])

    def has_commits(self) -> bool:
        """True once any commit has been written."""
        return self._exists(COMMITS_TABLE)

    def commit_count(self) -> int:
        """Return how many commits the cache holds."""
        return self._count(COMMITS_TABLE)

    def families_written_since(self, since: dt.datetime) -> pl.DataFrame:
        """Return ``family, written_at``: the families whose commits were written after ``since``, newest write each.

        Every stored row counts, a superseded one too (what changed, not what is live); a row
        keeps its write time through compaction. Row groups written before ``since`` are skipped
        on their statistics, so after a quiet period this reads almost nothing.
        """
        after = (since.astimezone(dt.UTC) - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
        snap = self._snapshot(COMMITS_TABLE)
        with self._marking_damage(), storage_boundary(COMMITS_TABLE, snap.uri):
            written = (
                snap.scan()
                .filter((pl.col(SEQ) > after * 1000) & pl.col("family").is_not_null())
                .group_by("family")
                .agg(pl.col(SEQ).max())
                .collect()
            )
        written_at = pl.from_epoch(pl.col(SEQ) // 1000, time_unit="us").dt.replace_time_zone("UTC")
        return written.select("family", written_at.alias("written_at"))

    def commit_counts(self, pairs: pl.DataFrame) -> pl.DataFrame:
        """Return ``platform, repo, commits`` for the (platform, repo) pairs given (absent: not listed)."""
        if pairs.height == 0:
            return pl.DataFrame(schema={"platform": pl.String, "repo": pl.String, "commits": pl.UInt32})
        lazy = self._live(COMMITS_TABLE, ["platform", "repo"], repo_filter(pairs=pairs))
        counts = lazy.join(pairs.lazy().select("platform", "repo").unique(), on=["platform", "repo"], how="semi")
        return self.collect(counts.group_by("platform", "repo").agg(pl.len().alias("commits")))

    def _cached_keys(self, pairs: pl.DataFrame) -> pl.DataFrame:
        """Return the stored commit keys (with the columns they come from) of the given repositories."""
        spec = SPECS[COMMITS_TABLE]
        lazy = self._live(COMMITS_TABLE, KEY_SOURCES, repo_filter(pairs=pairs))
        lazy = lazy.join(pairs.lazy().select("platform", "repo").unique(), on=["platform", "repo"], how="semi")
        return self.collect(spec.keyed(lazy))

    def append_commits(
        self,
        frame: pl.DataFrame,
        *,
        replace: pl.DataFrame | None = None,
        count: bool = True,
        operation: str = "append commits",
    ) -> CommitsWritten:
        """Append a batch of commits (commits table columns) in one transaction.

        Args:
            frame: The commits; within the batch the last row of a key wins.
            replace: ``platform, repo`` of repositories whose whole history ``frame`` holds:
                their cached commits missing from ``frame`` are removed (tombstones).
            count: Work out how many commits were new (reads the keys of the batch's repositories).
            operation: Recorded in the table's history.

        Returns:
            How many commits were added and replaced (both 0 when ``count`` is off), and removed.

        Raises:
            CacheError: The commits table is damaged (nothing is written), or the write failed.
        """
        spec = SPECS[COMMITS_TABLE]
        incoming = self._unique_keys(spec, conform(frame, COMMITS))
        touched = incoming.select("platform", "repo")
        if replace is not None:
            touched = pl.concat([touched, replace.select("platform", "repo")])
        touched = touched.unique()
        added = replaced = 0
        tombstones = None
        need_keys = (count or (replace is not None and replace.height)) and self.has_commits()
        if need_keys and touched.height:
            cached = self._cached_keys(touched)
            new_keys = spec.keyed(incoming.lazy()).select("platform", "repo", COMMIT_KEY).collect()
            replaced = new_keys.join(cached, on=["platform", "repo", COMMIT_KEY], how="semi").height
            added = incoming.height - replaced
            if replace is not None and replace.height:
                gone = cached.join(replace.select("platform", "repo").unique(), on=["platform", "repo"], how="semi")
                tombstones = gone.join(new_keys, on=["platform", "repo", COMMIT_KEY], how="anti").drop(COMMIT_KEY)
        elif count:
            added = incoming.height
        self._append(COMMITS_TABLE, incoming, operation, tombstones=tombstones, unique=True)
        return CommitsWritten(added, replaced, tombstones.height if tombstones is not None else 0)

    def append_commit_batches(
        self, batches: Callable[[], Iterable[pl.DataFrame]], *, operation: str = "append commits"
    ) -> CommitsWritten:
        """Append commits that arrive in batches (an import) in one transaction, never holding them all.

        Args:
            batches: Returns the batches (commits table columns); it may be called again, and
                must then yield the same rows. The last row of a key wins, across batches too.
                It runs inside the writer and must not read the cache.
            operation: Recorded in the table's history.

        Returns:
            How many distinct commits were added and replaced.

        Raises:
            CacheError: The commits table is damaged (nothing is written), or the write failed.
            BaseException: What ``batches`` raised (an unreadable file, Ctrl+C); nothing was written.
        """
        added, replaced = self._append_batches(COMMITS_TABLE, batches, operation)
        return CommitsWritten(added, replaced)

    def move_commits(self, moves: pl.DataFrame, operation: str = "move commits") -> int:
        """Give the commits of some repositories another family.

        Args:
            moves: ``platform, repo, family``: the repositories and their new family.
            operation: Recorded in the table's history.

        Returns:
            How many commits moved.
        """
        if moves.height == 0 or not self.has_commits():
            return 0
        rows = self.collect(
            self._live(COMMITS_TABLE, where=repo_filter(pairs=moves))
            .join(moves.lazy().select("platform", "repo", pl.col("family").alias("__to")), on=["platform", "repo"])
            .filter(pl.col("family").ne_missing(pl.col("__to")))
            .with_columns(pl.col("__to").alias("family"))
            .drop("__to")
        )
        self._append(COMMITS_TABLE, rows, operation)
        return rows.height

    def rename_family_commits(self, renames: dict[str, str], operation: str = "rename families") -> int:
        """Give the commits of families ``renames`` maps their new family id; returns how many."""
        if not renames or not self.has_commits():
            return 0
        rows = self.collect(self.commits(families=list(renames)).with_columns(pl.col("family").replace(renames)))
        self._append(COMMITS_TABLE, rows, operation)
        return rows.height

    # -- file changes --------------------------------------------------------------------------

    def file_changes(
        self,
        columns: Sequence[str] | None = None,
        *,
        repos: Iterable[str] | None = None,
        platform: str | None = None,
    ) -> pl.LazyFrame:
        """Return the cached file changes (one row per commit and path) as a LazyFrame.

        Columns: platform, repo, sha, path, status, old_mode, new_mode, old_blob, new_blob.
        """
        return self._live(FILE_CHANGES_TABLE, columns, repo_filter(repos, platform))

    def append_file_changes(
        self,
        frame: pl.DataFrame,
        operation: str = "append file changes",
        *,
        replace: pl.DataFrame | None = None,
    ) -> int:
        """Append file changes (file_changes columns) in one transaction.

        Args:
            frame: The changes; a (platform, repo, sha, path) already cached is replaced.
            operation: Recorded in the table's history.
            replace: ``platform, repo`` of repositories whose whole history ``frame`` holds (it
                was rewritten): their cached changes missing from ``frame`` are removed.

        Returns:
            Rows written, tombstones included.
        """
        rows = conform(frame, FILE_CHANGES)
        tombstones = None
        if replace is not None and replace.height and self._exists(FILE_CHANGES_TABLE):
            pairs = replace.select("platform", "repo").unique()
            stored = self.collect(
                self._live(FILE_CHANGES_TABLE, list(CHANGE_KEY), repo_filter(pairs=pairs)).join(
                    pairs.lazy(), on=["platform", "repo"], how="semi"
                )
            )
            tombstones = stored.join(rows.select(CHANGE_KEY), on=list(CHANGE_KEY), how="anti")
        if rows.height == 0 and (tombstones is None or tombstones.height == 0):
            return 0
        return self._append(FILE_CHANGES_TABLE, rows, operation, tombstones=tombstones)

"""Provides BatchWriter: the one writer of a sync, turning finished repositories into cache rows.

Only the calling thread writes. Finished repositories are queued and written together at most
every ``FLUSH_SECONDS`` (longer when the commits table is large enough that rewriting it takes
a while), and at the end or on interrupt; each table write is atomic and done under the cache
lock, commits before sync_state, so a crash between the two only costs a re-check next time.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import polars as pl

from cache.schema import TABLES
from core.commits import merge_commits, upsert_rows
from core.sync_fetch import Fetched, now_utc
from core.sync_state import RepoOutcome, merge_states, outcome_rows

if TYPE_CHECKING:
    from cache.store import CacheStore

FLUSH_SECONDS = 2.0


class BatchWriter:
    """Collects finished repositories and writes them in batches (calling thread only)."""

    def __init__(self, store: CacheStore, outcomes: list[RepoOutcome]) -> None:
        self.store = store
        self.outcomes = outcomes  # every added outcome is appended here (the report's list)
        self.pending: list[Fetched] = []
        self.last = time.monotonic()
        self.interval = FLUSH_SECONDS

    def add(self, fetched: Fetched) -> None:
        """Queue a finished repository for the next write."""
        self.pending.append(fetched)
        self.outcomes.append(fetched.outcome)

    def maybe_flush(self) -> None:
        """Write the queue if the last write was long enough ago."""
        if self.pending and time.monotonic() - self.last >= self.interval:
            self.flush()

    def flush(self) -> None:
        """Write every queued repository now (commits, refreshed variants, sync_state), atomically per table."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        started = time.monotonic()
        self._write(batch)
        self.last = time.monotonic()
        # Rewriting a large commits table takes seconds: keep writes to a fifth of the time.
        self.interval = max(FLUSH_SECONDS, 4 * (self.last - started))

    def _write(self, batch: list[Fetched]) -> None:
        frames = [f.frame for f in batch if f.frame is not None and f.frame.height]
        replace = [(f.outcome.platform, f.outcome.repo) for f in batch if f.replace]
        with self.store.locked():
            if frames or replace:
                commits = self.store.read("commits")
                if replace:
                    drop = pl.DataFrame(replace, schema={"platform": pl.String, "repo": pl.String}, orient="row")
                    commits = commits.join(drop, on=["platform", "repo"], how="anti")
                incoming = pl.concat(frames) if frames else commits.clear()
                merged, _ = merge_commits(commits, incoming)
                self.store.write("commits", merged)
                touched = {(f.outcome.platform, f.outcome.repo) for f in batch}
                counts = merged.filter(pl.col("repo").is_in([r for _, r in touched])).group_by("platform", "repo").len()
                count_of = {(p, r): n for p, r, n in counts.iter_rows()}
                for f in batch:
                    if f.outcome.ok:
                        f.outcome.commits = count_of.get((f.outcome.platform, f.outcome.repo), 0)
            variants = [f.variant for f in batch if f.variant is not None]
            if variants:
                old = self.store.read("variants")
                fresh = pl.DataFrame(variants).with_columns(
                    [pl.lit(None, dtype=d).alias(c) for c, d in TABLES["variants"].items() if c not in variants[0]]
                )
                self.store.write("variants", upsert_rows(old, fresh.select(old.columns).cast(old.schema), ["model"]))
            states = outcome_rows([f.outcome for f in batch], now_utc())
            self.store.write("sync_state", merge_states(self.store.read("sync_state"), states))

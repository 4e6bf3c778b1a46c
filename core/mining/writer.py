"""Provides BatchWriter: the one writer of a sync, turning finished repositories into cache rows.

Only the calling thread writes. Finished repositories are queued and written together at most
every ``FLUSH_SECONDS``, and at the end or on interrupt. A batch is a few appends (commits,
their file changes, file histories, refreshed variants, sync outcomes), each one transaction
whose cost does not grow with the cache; commits and their changes are written before the
outcomes, so a crash between them only costs a re-check next time.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import polars as pl

from cache.schema import FILE_HISTORIES, VARIANTS
from core.mining.fetch import Fetched, now_utc
from core.mining.outcomes import RepoOutcome, outcome_rows

if TYPE_CHECKING:
    from cache.store import CacheStore

FLUSH_SECONDS = 1.0
_REPO = {"platform": pl.String, "repo": pl.String}


class BatchWriter:
    """Collects finished repositories and writes them in batches (calling thread only)."""

    def __init__(self, store: CacheStore, outcomes: list[RepoOutcome]) -> None:
        self.store = store
        self.outcomes = outcomes  # every added outcome is appended here (the report's list)
        self.pending: list[Fetched] = []
        self.last = time.monotonic()
        self.interval = FLUSH_SECONDS
        self.touched: set[str] = set()  # families whose commits or file changes were written

    def add(self, fetched: Fetched) -> None:
        """Queue a finished repository for the next write."""
        self.pending.append(fetched)
        self.outcomes.append(fetched.outcome)

    def maybe_flush(self) -> None:
        """Write the queue if the last write was long enough ago."""
        if self.pending and time.monotonic() - self.last >= self.interval:
            self.flush()

    def finish(self) -> None:
        """Write what is queued, then record how many commits the cache holds per successful repository.

        Counted once at the end (one query), also for repositories with nothing new: an earlier
        run may have been killed between their commits and their outcome.
        """
        self.flush()
        done = [o for o in self.outcomes if o.ok]
        if not done:
            return
        ok = pl.DataFrame([(o.platform, o.repo) for o in done], schema=_REPO, orient="row")
        count_of = {(p, r): n for p, r, n in self.store.commit_counts(ok).iter_rows()}
        for outcome in done:
            outcome.commits = count_of.get((outcome.platform, outcome.repo), 0)
        self.store.record_sync_outcomes(outcome_rows(done, now_utc()))

    def flush(self) -> None:
        """Write every queued repository now (commits, refreshed variants, sync_state), atomically per table.

        The queue is emptied only after the write: a Ctrl+C in the middle of it leaves the batch
        queued, and the flush on interrupt writes it again (rows of the same key: the newest wins).
        """
        batch = list(self.pending)
        if not batch:
            return
        self._write(batch)
        self.touched |= {f.outcome.family for f in batch if f.frame is not None or f.file_history is not None}
        del self.pending[: len(batch)]
        self.last = time.monotonic()

    def _write(self, batch: list[Fetched]) -> None:
        frames = [f.frame for f in batch if f.frame is not None and f.frame.height]
        replace = [(f.outcome.platform, f.outcome.repo) for f in batch if f.replace]
        rewritten = pl.DataFrame(replace, schema=_REPO, orient="row") if replace else None
        if frames or replace:
            self.store.append_commits(
                pl.concat(frames) if frames else pl.DataFrame(),
                replace=rewritten,
                count=False,
                operation="sync",
            )
        # The commits' file changes next, then the record that a repository's file history is
        # whole: a crash before it only means reading that history again.
        changes = [f.changes for f in batch if f.changes is not None and f.changes.height]
        if changes or replace:
            self.store.append_file_changes(pl.concat(changes) if changes else pl.DataFrame(), "sync", replace=rewritten)
        histories = [f.file_history for f in batch if f.file_history is not None]
        if histories:
            self.store.record_file_histories(pl.DataFrame(histories, schema=FILE_HISTORIES))
        variants = [f.variant for f in batch if f.variant is not None]
        if variants:
            self.store.upsert_variants(pl.DataFrame(variants, schema={c: VARIANTS[c] for c in variants[0]}))
        self.store.record_sync_outcomes(outcome_rows([f.outcome for f in batch], now_utc()))

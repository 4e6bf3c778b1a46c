"""A real core-style task for the runner's tests: labels commits by title, reports progress, obeys cancel.

It has the signature of core.mining.sync.sync / core.classify.service.classify
(``fn(store, settings, families, *, on_progress, cancel) -> report``) and does real work on
the cache (writes rule labels), so the tests exercise the runner end to end without mocks.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

import polars as pl

from cache.schema import TABLES
from cache.store import CacheStore
from core.config import Settings
from core.errors import NetworkError
from core.progress import CancelToken, EtaTracker, Progress, ProgressCallback

# Tests hold the task between families with this gate, to cancel it at a known point.
GATE = threading.Event()
FAIL_FAMILY = "__fail__"
BUG_FAMILY = "__bug__"
RATE_LIMITED_FAMILY = "__rate_limited__"


@dataclass
class LabelReport:
    """What label_titles did."""

    families: int = 0
    labelled: int = 0

    def summary(self) -> str:
        """One line for the status bar."""
        return f"labelled {self.labelled} commits in {self.families} families"


def label_titles(
    store: CacheStore,
    settings: Settings,
    families: list[str] | None,
    *,
    on_progress: ProgressCallback,
    cancel: CancelToken,
) -> LabelReport:
    """Label every commit of ``families`` (None: all) from its title; wait on GATE between families."""
    if families and FAIL_FAMILY in families:
        raise NetworkError(
            "The Hub did not answer", "huggingface.co: read timeout after 30 s", "retry later, or use --offline"
        )
    if families and BUG_FAMILY in families:
        raise RuntimeError("a bug in the task")
    if families and RATE_LIMITED_FAMILY in families:
        # As sync does while the Hub asks it to wait: report the wait, then honour cancel.
        on_progress(Progress("sync", 0, 1, "acme/bert-base", waiting_seconds=42))
        GATE.wait(timeout=5)
        cancel.check()
        return LabelReport()
    wanted = families or store.families(["family"])["family"].to_list()
    tracker = EtaTracker("label", len(wanted))
    report = LabelReport()
    on_progress(Progress("label", 0, len(wanted), "starting", waiting_seconds=None))
    for done, family in enumerate(wanted, start=1):
        GATE.wait(timeout=5)
        cancel.check()
        commits = store.collect(store.commits()).filter(pl.col("family") == family)
        rows = commits.select(
            "platform",
            "repo",
            "sha",
            pl.when(pl.col("title").str.contains("README"))
            .then(pl.lit("external documentation"))
            .otherwise(pl.lit("unclear"))
            .alias("label"),
            pl.lit(0.5).alias("confidence"),
            pl.lit("rule").alias("source"),
            pl.lit(dt.datetime.now(dt.UTC)).alias("labelled_at"),
        )
        full = rows.with_columns(
            [
                pl.lit(None, dtype=dtype).alias(name)
                for name, dtype in TABLES["labels"].items()
                if name not in rows.columns
            ]
        ).select(list(TABLES["labels"]))
        store.record_labels(full)
        report.families += 1
        report.labelled += rows.height
        on_progress(tracker.at(done, family))
    return report

"""Provides compute_transitions(): every switch between platforms on a family's merged timeline (docs/method.md §4)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from core.models import GITHUB

TRANSITION_COLUMNS = ("family", "source", "target", "prev_commit", "next_commit", "days")


def compute_transitions(events: pl.LazyFrame, since: dt.date = dt.date(2016, 1, 1)) -> pl.DataFrame:
    """Return ``family, source, target, prev_commit, next_commit, days`` for all families.

    The family's GH commit times and HF commit days (from ``since`` on) are merged and sorted;
    a time is GH if it equals some GH commit time of the family, else HF (so an HF day that
    equals a GH time exactly counts as GH, as in the study). Each neighbouring pair on
    different platforms is one transition; ``days`` is the floor of the difference.
    """
    start = dt.datetime.combine(since, dt.time(), tzinfo=dt.UTC)
    recent = events.filter(pl.col("t") >= start)
    gh_times = recent.filter(pl.col("platform") == GITHUB).select("family", "t").unique()
    timeline = (
        recent.select("family", "t")
        .unique()
        .join(gh_times.with_columns(pl.lit(True).alias("is_gh")), on=["family", "t"], how="left")
        .with_columns(pl.col("is_gh").fill_null(False))
        .sort("family", "t")
        .with_columns(
            pl.col("t").shift(1).over("family").alias("prev_commit"),
            pl.col("is_gh").shift(1).over("family").alias("prev_is_gh"),
        )
        .filter(pl.col("prev_is_gh").is_not_null() & (pl.col("prev_is_gh") != pl.col("is_gh")))
    )
    return (
        timeline.select(
            "family",
            pl.when(pl.col("prev_is_gh")).then(pl.lit("GH")).otherwise(pl.lit("HF")).alias("source"),
            pl.when(pl.col("is_gh")).then(pl.lit("GH")).otherwise(pl.lit("HF")).alias("target"),
            "prev_commit",
            pl.col("t").alias("next_commit"),
            (pl.col("t") - pl.col("prev_commit")).dt.total_days().cast(pl.Int64).alias("days"),
        )
        .sort("family", "next_commit")
        .collect()
    )

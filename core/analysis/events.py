"""Provides commit_events(): the commits reduced to what the rules look at (family, side, repo, time)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from core.models import GITHUB, HUGGINGFACE


def cut_until(commits: pl.LazyFrame, until: dt.date | None) -> pl.LazyFrame:
    """Drop commits authored after the UTC day ``until`` (inclusive cut, as the study's data ends)."""
    if until is None:
        return commits
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return commits.filter(pl.col("authored_at") < end)


def commit_events(
    commits: pl.LazyFrame,
    *,
    truncate_hf_to_day: bool = True,
    until: dt.date | None = None,
    families: list[str] | None = None,
) -> pl.LazyFrame:
    """Return ``family, platform, repo, t, authored_at`` for the pattern and transition rules.

    Args:
        commits: The cache's commits table (lazy).
        truncate_hf_to_day: Cut HF times to the UTC day (the study stored HF days only).
        until: Ignore commits after this UTC day.
        families: Restrict to these families.

    Returns:
        One row per commit with a valid time; ``t`` is the time the rules use and
        ``authored_at`` the full time (for ages and display).
    """
    frame = cut_until(commits, until).filter(pl.col("authored_at").is_not_null())
    if families:
        frame = frame.filter(pl.col("family").is_in(families))
    frame = frame.filter(pl.col("platform").is_in([GITHUB, HUGGINGFACE]))
    t = pl.col("authored_at")
    if truncate_hf_to_day:
        t = pl.when(pl.col("platform") == HUGGINGFACE).then(t.dt.truncate("1d")).otherwise(t)
    return frame.select("family", "platform", "repo", t.alias("t"), "authored_at")

"""Provides family_timeline(): one family's commits on the study's bin grid, one row per repository.

The grid is the one the pattern rules use (``core.analysis.patterns.bin_events``: bins of
``bin_days`` from the family's earliest commit, HF times cut to the day), so what the app
draws is exactly what the verdict was computed from. A bin is *shared* when GitHub and at
least one Hugging Face variant are both active in it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, replace

import polars as pl

from cache.store import CacheStore
from core.analysis.events import commit_events
from core.analysis.patterns import bin_events
from core.config import AnalysisSettings
from core.models import GITHUB


@dataclass(frozen=True)
class TimelineRow:
    """One repository's activity per bin."""

    platform: str
    repo: str
    counts: tuple[int, ...]  # commits per bin, one entry per bin of the grid
    commits: int
    active_bins: int
    shared_bins: int  # active bins shared with the other platform

    def active(self, index: int) -> bool:
        """True if the repository has a commit in bin ``index``."""
        return 0 <= index < len(self.counts) and self.counts[index] > 0


@dataclass(frozen=True)
class Timeline:
    """A family on the bin grid: GitHub first, then the variants by first activity."""

    family: str
    start: dt.datetime | None  # earliest commit time (the grid's origin); None without commits
    bin_days: int
    n_bins: int
    rows: tuple[TimelineRow, ...]
    shared: frozenset[int]  # bins where GitHub and some variant are both active

    def bin_start(self, index: int) -> dt.datetime | None:
        """Return when bin ``index`` starts."""
        if self.start is None:
            return None
        return self.start + dt.timedelta(days=index * self.bin_days)

    def bin_of(self, when: dt.datetime) -> int | None:
        """Return the bin ``when`` falls in (None before the start or without commits)."""
        if self.start is None or when < self.start:
            return None
        return (when - self.start).days // self.bin_days


def with_silent_repos(timeline: Timeline, repos: Sequence[tuple[str, str]]) -> Timeline:
    """Return ``timeline`` with an empty row for each ``(platform, repo)`` that has no commits.

    The families list counts every variant the cache knows; a variant without commits still
    gets its (empty) row, so the timeline and the count agree. GitHub stays first.
    """
    present = {(r.platform, r.repo) for r in timeline.rows}
    missing = [(p, r) for p, r in dict.fromkeys(repos) if (p, r) not in present]
    if not missing:
        return timeline
    empty = tuple(
        TimelineRow(p, r, (0,) * timeline.n_bins, 0, 0, 0) for p, r in sorted(missing, key=lambda x: x[0] != GITHUB)
    )
    gh_empty = tuple(row for row in empty if row.platform == GITHUB)
    rows = gh_empty + timeline.rows + tuple(row for row in empty if row.platform != GITHUB)
    return replace(timeline, rows=rows)


def timeline_from_events(events: pl.DataFrame, family: str, bin_days: int) -> Timeline:
    """Build the timeline of ``family`` from rule events (``family, platform, repo, t``).

    Works on the distinct (repository, bin) cells, so a 100,000-commit family costs one
    group-by plus a loop over a few thousand cells.
    """
    mine = events.lazy().filter(pl.col("family") == family)
    cells = (
        bin_events(mine, bin_days)
        .group_by("platform", "repo", "bin")
        .agg(pl.len().alias("n"), pl.col("t").min().alias("t0"))
        .collect()
    )
    if cells.is_empty():
        return Timeline(family, None, bin_days, 0, (), frozenset())
    start = events.lazy().filter(pl.col("family") == family).select(pl.col("t").min()).collect().item()
    n_bins = int(cells["bin"].max()) + 1  # type: ignore[arg-type]
    gh_bins = set(cells.filter(pl.col("platform") == GITHUB)["bin"].to_list())
    hf_bins = set(cells.filter(pl.col("platform") != GITHUB)["bin"].to_list())
    shared = frozenset(gh_bins & hf_bins)
    order = (
        cells.group_by("platform", "repo")
        .agg(pl.col("t0").min().alias("first"))
        .with_columns((pl.col("platform") != GITHUB).alias("_hf"))
        .sort(["_hf", "first", "repo"])
    )
    by_repo = cells.partition_by(["platform", "repo"], as_dict=True)
    rows = []
    for platform, repo in order.select("platform", "repo").iter_rows():
        mine_cells = by_repo[(platform, repo)]
        counts = [0] * n_bins
        for b, n in zip(mine_cells["bin"].to_list(), mine_cells["n"].to_list(), strict=True):
            counts[b] = n
        active = [b for b, n in enumerate(counts) if n]
        rows.append(
            TimelineRow(
                platform=platform,
                repo=repo,
                counts=tuple(counts),
                commits=sum(counts),
                active_bins=len(active),
                shared_bins=sum(1 for b in active if b in shared),
            )
        )
    return Timeline(family, start, bin_days, n_bins, tuple(rows), shared)


def family_timeline(store: CacheStore, settings: AnalysisSettings, family: str) -> Timeline:
    """Read ``family``'s commits from the cache and return its timeline."""
    commits = store.family_commits(family, ["family", "platform", "repo", "authored_at"])
    events = commit_events(commits, truncate_hf_to_day=settings.truncate_hf_to_day, until=settings.until)
    return timeline_from_events(store.collect(events), family, settings.bin_days)

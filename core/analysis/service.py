"""Provides the analysis entry points the CLI and the app share: read the cache once, compute what is asked."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from cache.store import CacheStore
from core.analysis.events import commit_events
from core.analysis.maturity import age_tertiles, early_late_patterns, family_ages
from core.analysis.patterns import compute_patterns
from core.analysis.similarity import change_type_distribution, change_type_similarity, label_coverage
from core.analysis.transitions import compute_transitions
from core.config import AnalysisSettings
from core.labels import commits_with_labels

EVENT_COLUMNS = ["family", "platform", "repo", "authored_at"]


def load_events(store: CacheStore, settings: AnalysisSettings, families: list[str] | None = None) -> pl.LazyFrame:
    """Return the cache's commits as rule events, read once into memory.

    Only four columns are read, so this stays fast with millions of commits; the result is
    materialised once and shared by every computation.
    """
    commits = store.commits(EVENT_COLUMNS)
    events = commit_events(
        commits, truncate_hf_to_day=settings.truncate_hf_to_day, until=settings.until, families=families
    )
    return store.collect(events).lazy()


def patterns(store: CacheStore, settings: AnalysisSettings, families: list[str] | None = None) -> pl.DataFrame:
    """Return the pattern table (docs/formats.md) for the cache's families, ``behind`` and ``behind_variant`` last.

    ``behind`` (docs/method.md §8.1) uses the full HF times, whatever ``truncate_hf_to_day`` says.
    """
    return _patterns_and_behind(load_events(store, settings, families), settings)


def patterns_of_commits(
    commits: pl.DataFrame, settings: AnalysisSettings, families: list[str] | None = None
) -> pl.DataFrame:
    """Return the pattern table for commits already in memory (``ptlm-tui analyze FILE``: no cache).

    ``commits`` needs ``family, platform, repo, authored_at`` in the cache's types, as
    ``core.io.importer.read_commit_files`` returns them.
    """
    events = commit_events(
        commits.lazy(), truncate_hf_to_day=settings.truncate_hf_to_day, until=settings.until, families=families
    )
    return _patterns_and_behind(events, settings)


def _patterns_and_behind(events: pl.LazyFrame, settings: AnalysisSettings) -> pl.DataFrame:
    """The pattern table with ``behind`` and ``behind_variant``, both from one coding of ``events``."""
    from core.analysis.coding import code_events
    from core.drift.behind import family_behind

    coded = code_events(events, ["family", "repo"])
    return compute_patterns(coded, settings.bin_days).join(family_behind(coded), on="family", how="left")


def transitions(store: CacheStore, settings: AnalysisSettings, families: list[str] | None = None) -> pl.DataFrame:
    """Return the transitions table (docs/formats.md) for the cache's families."""
    return compute_transitions(load_events(store, settings, families), settings.transitions_since)


@dataclass(frozen=True)
class Analysis:
    """Everything the report and the dashboard show, computed from one read of the cache."""

    patterns: pl.DataFrame
    transitions: pl.DataFrame
    ages: pl.DataFrame  # family, age_days, variants_aged, age_group
    age_bounds: tuple[float, float]
    evolution: pl.DataFrame
    similarity: pl.DataFrame | None  # None when no commit is labelled
    change_types: pl.DataFrame | None
    label_coverage: pl.DataFrame | None = None  # per platform: labelled, typed, left out, by source


def labelled_commits(
    store: CacheStore, settings: AnalysisSettings, families: list[str] | None = None
) -> pl.LazyFrame | None:
    """Return commits (family, platform, repo, sha, authored_at, title, label...) or None without labels."""
    if not store.has_labels():
        return None
    commits = store.commits(["family", "platform", "repo", "sha", "authored_at", "title"])
    if settings.until is not None:
        from core.analysis.events import cut_until

        commits = cut_until(commits, settings.until)
    if families:
        commits = commits.filter(pl.col("family").is_in(families))
    return commits_with_labels(commits, store.labels())


def analyze(store: CacheStore, settings: AnalysisSettings, families: list[str] | None = None) -> Analysis:
    """Compute patterns, transitions, ages, evolution and (with labels) change-type similarity."""
    events = load_events(store, settings, families)
    ages, bounds = age_tertiles(family_ages(events))
    similarity = change_types = coverage = None
    labelled = labelled_commits(store, settings, families)
    if labelled is not None:
        labelled = store.collect(labelled).lazy()
        similarity = change_type_similarity(labelled)
        change_types = change_type_distribution(labelled)
        coverage = label_coverage(labelled)
        if similarity.is_empty():
            similarity = change_types = coverage = None
    return Analysis(
        patterns=compute_patterns(events, settings.bin_days),
        transitions=compute_transitions(events, settings.transitions_since),
        ages=ages,
        age_bounds=bounds,
        evolution=early_late_patterns(events, settings.bin_days),
        similarity=similarity,
        change_types=change_types,
        label_coverage=coverage,
    )

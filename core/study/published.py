"""Provides the study's published results as an Analysis, its report, and the side-by-side comparison.

``published_analysis`` rebuilds, from the ``published*`` tables, the same ``Analysis`` that
``core.analysis.service.analyze`` computes from commits, so ``ptlm-tui report --published``
renders through the very same report code (``core.analysis.report``) and the two reports can
be read side by side. ``compare_with_published`` puts the study's verdict beside ours for
every family that has both.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from cache.store import CacheStore
from core.analysis.maturity import AGE_GROUPS
from core.analysis.patterns import STATUS_OK
from core.analysis.service import Analysis
from core.config import AnalysisSettings
from core.errors import InputError

PUBLISHED_TITLE = "The study's published results (arXiv 2508.10157)"


def require_published(store: CacheStore) -> pl.DataFrame:
    """Return the published per-family results.

    Raises:
        InputError: The cache holds no published results yet.
    """
    published = store.published()
    if published.is_empty():
        raise InputError(
            "The cache holds no published results",
            store.where,
            "run `ptlm-tui import-study DIR` with the dataset/ folder of the study's replication package",
        )
    return published


def _age_bounds(ages: pl.DataFrame) -> tuple[float, float]:
    """Upper ages of the study's Recent and Intermediate groups (its groups are not exact tertiles)."""
    edges = ages.group_by("age_group").agg(pl.col("age_days").max())
    edge = {row[0]: float(row[1]) for row in edges.iter_rows() if row[1] is not None}
    nan = float("nan")
    return edge.get(AGE_GROUPS[0], nan), edge.get(AGE_GROUPS[1], nan)


def published_analysis(store: CacheStore) -> Analysis:
    """Return the study's published results in the shape of ``core.analysis.service.Analysis``.

    Raises:
        InputError: The cache holds no published results yet.
    """
    published = require_published(store)
    patterns = published.select(
        "family",
        "lag",
        "sync",
        "intensity",
        "code",
        "pattern",
        pl.lit(STATUS_OK).alias("status"),
        "variants",
        "first_commit",
        "last_commit",
    )
    ages = published.select("family", "age_days", pl.col("variants").alias("variants_aged"), "age_group")
    evolution = published.select(
        "family",
        "early_lag",
        "early_code",
        "early_pattern",
        pl.when(pl.col("early_pattern").is_not_null()).then(pl.lit(STATUS_OK)).alias("early_status"),
        "late_lag",
        "late_code",
        "late_pattern",
        pl.when(pl.col("late_pattern").is_not_null()).then(pl.lit(STATUS_OK)).alias("late_status"),
        (pl.col("early_pattern") == pl.col("late_pattern")).fill_null(False).alias("kept_pattern"),
    )
    similarity = published.filter(pl.col("jaccard").is_not_null()).select("family", "jaccard")
    return Analysis(
        patterns=patterns,
        transitions=store.published_transitions(),
        ages=ages,
        age_bounds=_age_bounds(ages),
        evolution=evolution,
        similarity=similarity if similarity.height else None,
        change_types=None,
    )


def published_report(store: CacheStore) -> dict[str, Any]:
    """Return the report of ``core.analysis.report.build_report`` over the published results.

    The summary also says where the data came from; ``age_boundaries_days`` are the upper ages
    of the study's Recent and Intermediate groups.
    """
    from core.analysis.report import build_report

    report = build_report(published_analysis(store))
    report["summary"]["source"] = "published"
    report["summary"]["excluded_families"] = 13
    return report


def compare_with_published(
    store: CacheStore, settings: AnalysisSettings, families: list[str] | None = None
) -> pl.DataFrame:
    """Return our verdict beside the study's for every family that has both.

    Args:
        store: The cache, holding commits (synced or imported) and published results.
        settings: The analysis settings (bin length, HF day cut, cut-off day).
        families: Restrict to these families.

    Returns:
        ``family, lag, code, pattern, published_lag, published_code, published_pattern,
        agree_pattern, agree_lag, variants, published_variants, gh_commits, hf_commits``,
        one row per family with a computed pattern (status ok) and a published one.

    Raises:
        InputError: The cache holds no published results yet.
    """
    from core.analysis import service

    published = require_published(store).select(
        "family",
        pl.col("lag").alias("published_lag"),
        pl.col("code").alias("published_code"),
        pl.col("pattern").alias("published_pattern"),
        pl.col("variants").alias("published_variants"),
    )
    ours = service.patterns(store, settings, families).filter(pl.col("status") == STATUS_OK)
    return (
        ours.join(published, on="family", how="inner")
        .select(
            "family",
            "lag",
            "code",
            "pattern",
            "published_lag",
            "published_code",
            "published_pattern",
            (pl.col("pattern") == pl.col("published_pattern")).alias("agree_pattern"),
            (pl.col("lag") == pl.col("published_lag")).alias("agree_lag"),
            "variants",
            "published_variants",
            "gh_commits",
            "hf_commits",
        )
        .sort("family")
    )

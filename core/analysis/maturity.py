"""Provides family ages, age tertiles and the early/late evolution of patterns (docs/method.md §6)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from core.analysis.patterns import compute_patterns
from core.models import HUGGINGFACE

AGE_GROUPS = ("Recent", "Intermediate", "Matured")


def family_ages(events: pl.LazyFrame) -> pl.DataFrame:
    """Return ``family, age_days, variants_aged``: mean over variants of (last − first HF commit) in days.

    Uses full commit times (``authored_at``), floored to whole days per variant, as the
    study's ``age_days_individual_x``. Families without HF commits have no age.
    """
    per_variant = (
        events.filter(pl.col("platform") == HUGGINGFACE)
        .group_by("family", "repo")
        .agg((pl.col("authored_at").max() - pl.col("authored_at").min()).dt.total_days().alias("days"))
    )
    return (
        per_variant.group_by("family")
        .agg(pl.col("days").mean().alias("age_days"), pl.len().cast(pl.Int64).alias("variants_aged"))
        .sort("family")
        .collect()
    )


def age_tertiles(ages: pl.DataFrame, column: str = "age_days") -> tuple[pl.DataFrame, tuple[float, float]]:
    """Add ``age_group`` (Recent, Intermediate, Matured) by tertiles of ``column``.

    Boundaries are the 1/3 and 2/3 quantiles with linear interpolation and right-closed
    groups, as pandas ``qcut`` does (the study's boundaries were about 116 and 445 days).

    Returns:
        The frame with ``age_group``, and the two boundaries (NaN when there are no ages).
    """
    values = ages[column].drop_nulls()
    if values.is_empty():
        return ages.with_columns(pl.lit(None, dtype=pl.String).alias("age_group")), (float("nan"), float("nan"))
    low = float(values.quantile(1 / 3, interpolation="linear") or 0.0)
    high = float(values.quantile(2 / 3, interpolation="linear") or 0.0)
    group = (
        pl.when(pl.col(column).is_null())
        .then(None)
        .when(pl.col(column) <= low)
        .then(pl.lit(AGE_GROUPS[0]))
        .when(pl.col(column) <= high)
        .then(pl.lit(AGE_GROUPS[1]))
        .otherwise(pl.lit(AGE_GROUPS[2]))
    )
    return ages.with_columns(group.alias("age_group")), (low, high)


def early_late_patterns(events: pl.LazyFrame, bin_days: int = 14) -> pl.DataFrame:
    """Return each family's pattern on the early and the late half of its life.

    The split is at the midpoint in time between the family's first and last commit (ours;
    the study did not publish its rule): commits at or before the midpoint are early. Each
    half is binned from its own earliest commit.
    """
    bounds = events.group_by("family").agg(pl.col("t").min().alias("_first"), pl.col("t").max().alias("_last"))
    halves = events.join(bounds, on="family").with_columns(
        pl.when(pl.col("t") <= pl.col("_first") + (pl.col("_last") - pl.col("_first")) / 2)
        .then(pl.lit("early"))
        .otherwise(pl.lit("late"))
        .alias("half")
    )
    patterns = compute_patterns(halves.drop("_first", "_last"), bin_days, keys=("family", "half"))
    wanted: Sequence[str] = ("lag", "code", "pattern", "status")
    early = patterns.filter(pl.col("half") == "early").select(
        "family", *[pl.col(c).alias(f"early_{c}") for c in wanted]
    )
    late = patterns.filter(pl.col("half") == "late").select("family", *[pl.col(c).alias(f"late_{c}") for c in wanted])
    families = events.select("family").unique().collect()
    return (
        families.join(early, on="family", how="left")
        .join(late, on="family", how="left")
        .with_columns((pl.col("early_pattern") == pl.col("late_pattern")).fill_null(False).alias("kept_pattern"))
        .sort("family")
    )

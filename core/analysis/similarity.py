"""Provides change-type similarity (Jaccard) and distribution per platform (docs/method.md §5)."""

from __future__ import annotations

import polars as pl

from core.models import CHANGE_TYPES, GITHUB, HUGGINGFACE


def change_type_similarity(labelled: pl.LazyFrame) -> pl.DataFrame:
    """Return ``family, gh_types, hf_types, shared_types, jaccard`` for families with labels.

    Args:
        labelled: commits with a ``label`` column (``core.labels.commits_with_labels``).

    Returns:
        One row per family that has at least one labelled commit. Types are the 15 change
        types only (bug fix, add model and unclear are left out, as in the study);
        J = |T_HF ∩ T_GH| / |T_HF ∪ T_GH|, and 0 when both sets are empty.
    """
    labelled = labelled.filter(pl.col("label").is_not_null())
    families = labelled.select("family").unique()
    types = labelled.filter(pl.col("label").is_in(list(CHANGE_TYPES))).select("family", "platform", "label").unique()
    gh = types.filter(pl.col("platform") == GITHUB).select("family", "label")
    hf = types.filter(pl.col("platform") == HUGGINGFACE).select("family", "label")
    shared = gh.join(hf, on=["family", "label"], how="semi")

    def count(frame: pl.LazyFrame, name: str) -> pl.LazyFrame:
        return frame.group_by("family").agg(pl.len().cast(pl.Int64).alias(name))

    result = families
    for frame, name in ((gh, "gh_types"), (hf, "hf_types"), (shared, "shared_types")):
        result = result.join(count(frame, name), on="family", how="left")
    result = result.with_columns(pl.col("gh_types", "hf_types", "shared_types").fill_null(0))
    union = pl.col("gh_types") + pl.col("hf_types") - pl.col("shared_types")
    return (
        result.with_columns(pl.when(union > 0).then(pl.col("shared_types") / union).otherwise(0.0).alias("jaccard"))
        .sort("family")
        .collect()
    )


def change_type_distribution(labelled: pl.LazyFrame) -> pl.DataFrame:
    """Return ``platform, label, commits, share`` over labelled commits (share within platform, %).

    Only the 15 change types count, as in the study: bug fix, add model and unclear are left
    out of the shares (``label_coverage`` says how many).
    """
    counts = (
        labelled.filter(pl.col("label").is_in(list(CHANGE_TYPES)))
        .group_by("platform", "label")
        .agg(pl.len().cast(pl.Int64).alias("commits"))
    )
    return (
        counts.with_columns((pl.col("commits") / pl.col("commits").sum().over("platform") * 100).alias("share"))
        .sort(["platform", "commits", "label"], descending=[False, True, False])
        .collect()
    )


def label_coverage(labelled: pl.LazyFrame) -> pl.DataFrame:
    """Return per platform: ``commits, labelled, typed, left_out`` and labels by source (rule, llm, manual).

    ``typed`` commits carry one of the 15 change types; ``left_out`` ones are labelled bug fix,
    add model or unclear, which the analyses leave out as the study did.
    """
    label, source = pl.col("label"), pl.col("label_source")
    return (
        labelled.group_by("platform")
        .agg(
            pl.len().cast(pl.Int64).alias("commits"),
            label.is_not_null().sum().cast(pl.Int64).alias("labelled"),
            label.is_in(list(CHANGE_TYPES)).sum().cast(pl.Int64).alias("typed"),
            (label.is_not_null() & ~label.is_in(list(CHANGE_TYPES))).sum().cast(pl.Int64).alias("left_out"),
            *((source == name).sum().cast(pl.Int64).alias(f"by_{name}") for name in ("rule", "llm", "manual")),
        )
        .sort("platform")
        .collect()
    )

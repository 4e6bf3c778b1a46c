"""Provides §8.1 of docs/method.md: how many GitHub commits each variant has not moved since, per variant and family.

``behind(V)`` is the number of GitHub commits of the family authored after V's last HF commit
(full time, not the study's UTC day). A variant with no HF commit is not behind: it was never
updated, and says so. The family's figure is the largest over its variants, naming the
variant (ties: the first by name). Counting is one as-of join of each variant's last time
against the family's stably sorted GitHub times, so 100k GitHub commits cost one sort.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

import polars as pl

from core.models import GITHUB, HUGGINGFACE

if TYPE_CHECKING:
    from core.analysis.coding import CodedEvents

NEVER_UPDATED: Final = "never updated"
UP_TO_DATE: Final = "up to date"
BEHIND: Final = "behind"

VARIANT_COLUMNS: Final = ("family", "hf_repo", "last_hf_commit", "behind", "status", "change_types")


def _last_hf(commits: pl.LazyFrame) -> pl.LazyFrame:
    return (
        commits.filter(pl.col("platform") == HUGGINGFACE)
        .group_by("family", pl.col("repo").alias("hf_repo"))
        .agg(pl.col("authored_at").max().alias("last_hf_commit"))
    )


def _count_after(last: pl.LazyFrame, commits: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``behind``: GitHub commits strictly after ``last_hf_commit`` (null when there is none).

    The family's GitHub times, sorted (stably, so the nearly sorted rows of the cache cost
    little), are numbered; each variant's last time finds the last of them at or before it
    (an as-of join within the family), and the count is the family's total minus that
    commit's place in it. A GitHub commit at the same instant is not missing.
    """
    known = last.filter(pl.col("last_hf_commit").is_not_null())
    github = (
        commits.filter(pl.col("platform") == GITHUB)
        .select("family", pl.col("authored_at").alias("t"))
        .sort("family", "t", maintain_order=True)
        .with_row_index("_at")
    )
    spans = github.group_by("family").agg(pl.col("_at").min().alias("_first"), pl.len().alias("_total"))
    marks = known.select("family", "hf_repo", pl.col("last_hf_commit").alias("t")).sort("family", "t")
    placed = marks.join_asof(github, on="t", by="family", strategy="backward", check_sortedness=False)
    taken = (pl.col("_at") - pl.col("_first") + 1).fill_null(0).cast(pl.Int64)
    counted = placed.join(spans, on="family", how="left").select(
        "family", "hf_repo", (pl.col("_total").fill_null(0).cast(pl.Int64) - taken).alias("behind")
    )
    return pl.concat(
        [
            known.join(counted, on=["family", "hf_repo"], how="left"),
            last.filter(pl.col("last_hf_commit").is_null()).with_columns(pl.lit(None, pl.Int64).alias("behind")),
        ],
        how="diagonal_relaxed",
    )


def family_behind(events: CodedEvents | pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Return ``family, behind, behind_variant`` (docs/formats.md's ``analyze`` columns).

    Args:
        events: ``family, platform, repo, authored_at`` (the commits, or ``commit_events``;
            full times); best with ``family`` and ``repo`` already coded, as the analysis does
            once for this and ``compute_patterns``.

    Returns:
        One row per family with an HF commit; ``behind`` is the largest over its variants and
        ``behind_variant`` the variant holding it (ties: the first by name).
    """
    from core.analysis.coding import IN_MEMORY, CodedEvents, code_events

    if not isinstance(events, CodedEvents):
        events = code_events(events.lazy(), ["family", "repo"])
    lazy = events.frame.lazy()
    counted = _count_after(_last_hf(lazy), lazy).select("family", "hf_repo", "behind")
    per_variant = counted.collect(engine=IN_MEMORY)
    named = events.decode(per_variant, {"family": ["family"], "repo": ["hf_repo"]})
    return (
        named.sort(["family", "behind", "hf_repo"], descending=[False, True, False])
        .group_by("family", maintain_order=True)
        .agg(pl.col("behind").first(), pl.col("hf_repo").first().alias("behind_variant"))
        .select("family", pl.col("behind").cast(pl.Int64), "behind_variant")
    )


def behind_by_variant(
    commits: pl.DataFrame | pl.LazyFrame, variants: pl.DataFrame | pl.LazyFrame | None = None
) -> pl.DataFrame:
    """Return, per variant, its last HF commit, the GitHub commits authored since and their change types.

    Args:
        commits: ``family, platform, repo, authored_at``, and ``label`` when commits are
            labelled (``core.labels.commits_with_labels``).
        variants: ``family, model`` of every variant, so that a variant with no HF commit is
            listed as never updated; without it only variants with commits are listed.

    Returns:
        ``family, hf_repo, last_hf_commit, behind, status, change_types``: ``behind`` null and
        ``status`` "never updated" for a variant with no HF commit; ``change_types`` like
        ``"model structure 3, parameter tuning 1"`` (most frequent first), null without labels.
    """
    lazy = commits.lazy()
    last = _last_hf(lazy)
    if variants is not None:
        listed = variants.lazy().select("family", pl.col("model").alias("hf_repo")).unique()
        last = listed.join(last, on=["family", "hf_repo"], how="full", coalesce=True)
    counted = _count_after(last, lazy)
    status = (
        pl.when(pl.col("behind").is_null())
        .then(pl.lit(NEVER_UPDATED))
        .when(pl.col("behind") > 0)
        .then(pl.lit(BEHIND))
        .otherwise(pl.lit(UP_TO_DATE))
    )
    counted = counted.with_columns(status.alias("status"))
    if "label" in lazy.collect_schema().names():
        types = (
            counted.filter(pl.col("behind") > 0)
            .select("family", "hf_repo", "last_hf_commit")
            .join(
                lazy.filter((pl.col("platform") == GITHUB) & pl.col("label").is_not_null()).select(
                    "family", "authored_at", "label"
                ),
                on="family",
            )
            .filter(pl.col("authored_at") > pl.col("last_hf_commit"))
            .group_by("family", "hf_repo", "label")
            .agg(pl.len().alias("n"))
            .sort(["n", "label"], descending=[True, False])
            .group_by("family", "hf_repo", maintain_order=True)
            .agg(pl.format("{} {}", "label", "n").str.join(", ").alias("change_types"))
        )
        counted = counted.join(types, on=["family", "hf_repo"], how="left")
    else:
        counted = counted.with_columns(pl.lit(None, pl.String).alias("change_types"))
    return counted.select(VARIANT_COLUMNS).sort("family", "hf_repo").collect()


def commits_behind(commits: pl.DataFrame | pl.LazyFrame, family: str, hf_repo: str) -> pl.DataFrame:
    """Return the GitHub commits of ``family`` authored after ``hf_repo``'s last HF commit, oldest first.

    Columns are those of ``commits`` (with ``label`` when labelled); empty when the variant has
    no HF commit (never updated: nothing to be behind of).
    """
    lazy = commits.lazy().filter(pl.col("family") == family)
    last = lazy.filter((pl.col("platform") == HUGGINGFACE) & (pl.col("repo") == hf_repo)).select(
        pl.col("authored_at").max().alias("last")
    )
    return (
        lazy.filter(pl.col("platform") == GITHUB)
        .join(last, how="cross")
        .filter(pl.col("authored_at") > pl.col("last"))
        .drop("last")
        .sort("authored_at")
        .collect()
    )

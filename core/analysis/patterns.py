"""Provides compute_patterns(): lag, synchronization type, intensity and pattern of every family.

The rules are docs/method.md §3, applied to all families at once: each step is a join or a
group-by over (family, repo, bin) sets, never a Python loop per family. Besides the verdict
the result carries the figures behind it (bins, shared bins, the longest shared run, ...),
which the app's "why this pattern" panel explains and the report aggregates.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from core.analysis.coding import IN_MEMORY, CodedEvents, code_events
from core.models import GITHUB, GITHUB_FIRST, HUGGINGFACE_FIRST, PATTERN_BY_CODE, SIMULTANEOUS

STATUS_OK = "ok"
STATUS_NO_HF = "no Hugging Face commits"
STATUS_NO_GH = "no GitHub commits"

# Thresholds of the study's rules (docs/method.md §3); named so the explanation can quote them.
RARE_MAX_BINS = 3
FREQUENT_RUN = 5
VS_MIN_VARIANTS = 3
VS_MIN_BINS = 3

RESULT_COLUMNS = (
    "lag",
    "sync",
    "intensity",
    "code",
    "pattern",
    "status",
    "variants",
    "gh_commits",
    "hf_commits",
    "first_commit",
    "last_commit",
    "span_bins",
    "gh_bins",
    "hf_bins",
    "shared_bins",
    "hf_bins_outside",
    "variants_outside",
    "max_variant_bins",
    "busiest_variant",
    "busy_bins",
    "longest_shared_run",
    "longest_run_variant",
    "first_bin_gh",
    "first_bin_hf",
)


def bin_events(events: pl.LazyFrame, bin_days: int, keys: Sequence[str] = ("family",)) -> pl.LazyFrame:
    """Add ``bin`` = floor(whole days since the group's earliest event / bin_days) to events."""
    k = list(keys)
    return events.with_columns(
        ((pl.col("t") - pl.col("t").min().over(k)).dt.total_days() // bin_days).cast(pl.Int32).alias("bin")
    )


def _cells(frame: pl.DataFrame, bin_days: int, keys: list[str]) -> pl.DataFrame:
    """Return ``keys, is_gh, repo, bin, n, t_first, t_last``: each active cell, its commits and first and last time.

    Sorted stably by group, side, repository and time (cheap: the cache stores its rows nearly
    so), a cell's commits are one run of rows: counted by the run's length and timed at its
    two ends, with no hash of every row.
    """
    cell = [*keys, "is_gh", "repo", "bin"]
    rows = (
        bin_events(frame.lazy().with_columns((pl.col("platform") == GITHUB).alias("is_gh")), bin_days, keys)
        .sort([*keys, "is_gh", "repo", "t"], maintain_order=True)
        .select(*cell, "t")
        .collect(engine=IN_MEMORY)
    )
    runs = rows.select(pl.struct(cell).rle().alias("run")).unnest("run")
    ends = runs.get_column("len").cum_sum()
    times = rows.get_column("t")
    return runs.unnest("value").select(
        *cell,
        pl.col("len").alias("n"),
        times.gather(ends - runs.get_column("len")).alias("t_first"),
        times.gather(ends - 1).alias("t_last"),
    )


def compute_patterns(
    events: pl.LazyFrame | CodedEvents, bin_days: int = 14, keys: Sequence[str] = ("family",)
) -> pl.DataFrame:
    """Apply the study's rules to every group of ``events``.

    Args:
        events: ``commit_events()`` output (``family, platform, repo, t``), lazy, or already
            coded (``code_events`` over the keys and ``repo``).
        bin_days: Bin length in days (the study: 14).
        keys: Grouping columns; ``("family",)`` normally, more for early/late halves.

    Returns:
        One row per group: the keys, then ``lag, sync, intensity, code, pattern, status`` and
        the figures behind the verdict (see RESULT_COLUMNS). A group with no commits on one
        platform gets ``status`` saying so and null verdict columns, rather than an
        invented pattern.
    """
    k = list(keys)
    if isinstance(events, CodedEvents):
        coded = events
    else:
        coded = code_events(events.select(*k, "platform", "repo", "t"), [*k, "repo"])
    # One pass over the commits: the distinct active (group, side, repo, bin) cells with their
    # commit counts and times. Every rule below works on these few cells only.
    cells = _cells(coded.frame.select(*k, "platform", "repo", "t"), bin_days, k).lazy()
    totals = cells.group_by(k).agg(
        pl.col("n").filter(pl.col("is_gh")).sum().cast(pl.Int64).alias("gh_commits"),
        pl.col("n").filter(~pl.col("is_gh")).sum().cast(pl.Int64).alias("hf_commits"),
        pl.col("repo").filter(~pl.col("is_gh")).n_unique().cast(pl.Int64).alias("variants"),
        pl.col("t_first").min().alias("first_commit"),
        pl.col("t_last").max().alias("last_commit"),
        (pl.col("bin").max() + 1).cast(pl.Int64).alias("span_bins"),
    )
    gh_bins = cells.filter(pl.col("is_gh")).select(*k, "bin").unique()
    hf_bins = cells.filter(~pl.col("is_gh")).select(*k, "repo", "bin")
    hf_union = hf_bins.select(*k, "bin").unique()
    on = [*k, "bin"]

    def top_variant(per_variant: pl.LazyFrame, value: str, as_value: str, as_variant: str) -> pl.LazyFrame:
        # The largest ``value`` per group and the variant holding it (ties: the first repo).
        return (
            per_variant.sort([*k, value, "repo"], descending=[*([False] * len(k)), True, False])
            .group_by(k, maintain_order=True)
            .agg(pl.col(value).first().cast(pl.Int64).alias(as_value), pl.col("repo").first().alias(as_variant))
        )

    shared = hf_bins.join(gh_bins, on=on, how="semi")
    outside = hf_bins.join(gh_bins, on=on, how="anti")
    busiest = top_variant(
        hf_bins.group_by(*k, "repo").agg(pl.len().alias("n_bins")), "n_bins", "max_variant_bins", "busiest_variant"
    )
    # Runs of consecutive shared bins per variant: a new run starts where bin != previous + 1.
    run_lengths = (
        shared.sort([*k, "repo", "bin"])
        .with_columns(
            (pl.col("bin") - pl.col("bin").shift(1).over([*k, "repo"]) != 1).fill_null(True).alias("starts_run")
        )
        .with_columns(pl.col("starts_run").cum_sum().alias("run_id"))
        .group_by(*k, "repo", "run_id")
        .agg(pl.len().alias("run"))
    )
    runs = top_variant(run_lengths, "run", "longest_shared_run", "longest_run_variant")
    busy = (
        hf_bins.group_by(on)
        .agg(pl.col("repo").n_unique().alias("n_variants"))
        .filter(pl.col("n_variants") >= VS_MIN_VARIANTS)
        .group_by(k)
        .agg(pl.len().cast(pl.Int64).alias("busy_bins"))
    )
    counts = [
        gh_bins.group_by(k).agg(pl.len().cast(pl.Int64).alias("gh_bins")),
        hf_union.group_by(k).agg(pl.len().cast(pl.Int64).alias("hf_bins")),
        shared.select(on).unique().group_by(k).agg(pl.len().cast(pl.Int64).alias("shared_bins")),
        outside.select(on).unique().group_by(k).agg(pl.len().cast(pl.Int64).alias("hf_bins_outside")),
        outside.group_by(k).agg(pl.col("repo").n_unique().cast(pl.Int64).alias("variants_outside")),
        busiest,
        busy,
        runs,
        gh_bins.filter(pl.col("bin") == 0).select(*k, pl.lit(True).alias("first_bin_gh")),
        hf_union.filter(pl.col("bin") == 0).select(*k, pl.lit(True).alias("first_bin_hf")),
    ]
    result = totals
    for part in counts:
        result = result.join(part, on=k, how="left")
    zero_fill = [
        "gh_bins",
        "hf_bins",
        "shared_bins",
        "hf_bins_outside",
        "variants_outside",
        "max_variant_bins",
        "busy_bins",
        "longest_shared_run",
    ]
    result = result.with_columns(
        [pl.col(c).fill_null(0) for c in zero_fill]
        + [pl.col(c).fill_null(False) for c in ("first_bin_gh", "first_bin_hf")]
    )

    ok = (pl.col("gh_commits") > 0) & (pl.col("hf_commits") > 0)
    status = (
        pl.when(pl.col("hf_commits") == 0)
        .then(pl.lit(STATUS_NO_HF))
        .when(pl.col("gh_commits") == 0)
        .then(pl.lit(STATUS_NO_GH))
        .otherwise(pl.lit(STATUS_OK))
    )
    lag = (
        pl.when(pl.col("first_bin_gh") & pl.col("first_bin_hf"))
        .then(pl.lit(SIMULTANEOUS))
        .when(pl.col("first_bin_gh"))
        .then(pl.lit(GITHUB_FIRST))
        .otherwise(pl.lit(HUGGINGFACE_FIRST))
    )
    sync = (
        pl.when(pl.col("hf_bins_outside") == 0)
        .then(pl.lit("CS"))
        .when(pl.col("shared_bins") > 0)
        .then(pl.lit("PS"))
        .when(pl.col("busy_bins") >= VS_MIN_BINS)
        .then(pl.lit("VS"))
        .otherwise(pl.lit("AS"))
    )
    intensity = (
        pl.when(pl.col("max_variant_bins") <= RARE_MAX_BINS)
        .then(pl.lit("R"))
        .when(pl.col("longest_shared_run") >= FREQUENT_RUN)
        .then(pl.lit("F"))
        .otherwise(pl.lit("S"))
    )
    result = result.with_columns(
        status.alias("status"),
        pl.when(ok).then(lag).alias("lag"),
        pl.when(ok).then(sync).alias("sync"),
        pl.when(ok).then(intensity).alias("intensity"),
    )
    result = result.with_columns(pl.concat_str("sync", "intensity").alias("code"))
    result = result.with_columns(
        pl.col("code").replace_strict(PATTERN_BY_CODE, default=None, return_dtype=pl.String).alias("pattern")
    )
    variants = ["busiest_variant", "longest_run_variant"]
    decoded = coded.decode(result.collect(engine=IN_MEMORY), {**{key: [key] for key in k}, "repo": variants})
    return decoded.select(*k, *RESULT_COLUMNS).sort(k)

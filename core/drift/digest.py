"""Provides the drift summary the cache keeps: each variant's drift in figures, and the families list's view of it.

Computing drift for every family when the app starts would cost seconds at 10,000 families,
so the figures are stored, one row per variant (``cache.schema.DRIFT_SUMMARY``), replaced
whole per family: a sync computes them for the families it touched, the demo when it is
built. The families list reads them with one small query (``family_figures``);
``families_to_refresh`` names the families whose figures are missing or older than their
commits or their last sync (after an import, or another process's write), which the app then
computes in the background (``refresh_drift_summary``) and ``drift --summary`` before it
answers; ``ptlm-tui drift --refresh`` recomputes everything. An import therefore lands without
computing drift, which would more than double a small import's time.

§8.1 (``behind``) needs commits only and is computed for all families at once; §8.2 (the
``files_*`` counts) needs the file histories and is computed family by family, for families
whose GitHub repository and at least one variant have theirs cached; other variants' counts
stay null ("not known"), never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import polars as pl

from core.drift.behind import behind_by_variant
from core.drift.pairs import ACTION_STATES, DIVERGED, HF_AHEAD, HF_BEHIND, IN_SYNC, REMOVED_ON_GH, REMOVED_ON_HF
from core.drift.summary import hf_file_states

if TYPE_CHECKING:
    from cache.store import CacheStore
    from core.drift.stored import CachedFamily

UTC_TIME: Final = pl.Datetime("us", "UTC")
COUNT_COLUMNS: Final = (
    "files_linked",
    "files_in_sync",
    "files_behind",
    "files_diverged",
    "files_ahead",
    "files_removed",
    "files",
    "missing_gh_commits",
)
# What the families list shows per family (``family_figures``).
FAMILY_SCHEMA: Final[dict[str, pl.DataType]] = {
    "family": pl.String(),
    "behind": pl.Int64(),  # §8.1, the most-behind variant's figure (null: no variant has an HF commit)
    "behind_variant": pl.String(),
    "files": pl.Int64(),  # HF files behind or diverged, summed over variants (null: no file history)
    "files_behind": pl.Int64(),
    "files_diverged": pl.Int64(),
    "files_ahead": pl.Int64(),
    "files_in_sync": pl.Int64(),
    "files_linked": pl.Int64(),
    "never_updated": pl.Int64(),  # variants without an HF commit
    "drift_at": UTC_TIME,  # when the oldest of the family's figures was computed
}


def variant_counts(table: pl.DataFrame, variants: pl.DataFrame) -> pl.DataFrame:
    """Return ``family, hf_repo`` and ``COUNT_COLUMNS`` for ``variants`` (``family, hf_repo``) of a drift ``table``.

    A variant with a cached file history but no linked file gets zeros (it shares nothing
    with GitHub), not nulls.
    """
    files = hf_file_states(table)
    state = pl.col("state")
    key = ["family", "hf_repo"]
    per_file = files.group_by(key).agg(
        pl.len().cast(pl.Int64).alias("files_linked"),
        (state == IN_SYNC).sum().cast(pl.Int64).alias("files_in_sync"),
        (state == HF_BEHIND).sum().cast(pl.Int64).alias("files_behind"),
        (state == DIVERGED).sum().cast(pl.Int64).alias("files_diverged"),
        (state == HF_AHEAD).sum().cast(pl.Int64).alias("files_ahead"),
        state.is_in([REMOVED_ON_GH, REMOVED_ON_HF]).sum().cast(pl.Int64).alias("files_removed"),
    )
    # The GitHub commits HF lacks: those of the pairs that make a file behind or diverged.
    lacking = files.filter(state.is_in(list(ACTION_STATES))).select(*key, "hf_path", "state")
    pairs = table.join(lacking, on=[*key, "hf_path", "state"], how="semi")
    missing = (
        pairs.select(*key, pl.col("missing_gh_shas").str.split("|").alias("sha"))
        .explode("sha")
        .filter(pl.col("sha") != "")
        .group_by(key)
        .agg(pl.col("sha").n_unique().cast(pl.Int64).alias("missing_gh_commits"))
        .join(pairs.group_by(key).agg(pl.col("first_missing_date").min()), on=key, how="full", coalesce=True)
    )
    zero = [pl.col(c).fill_null(0) for c in COUNT_COLUMNS if c not in ("files", "missing_gh_commits")]
    return (
        variants.select(key)
        .join(per_file, on=key, how="left")
        .join(missing, on=key, how="left")
        .with_columns(zero)
        .with_columns(
            (pl.col("files_behind") + pl.col("files_diverged")).alias("files"),
            pl.col("missing_gh_commits").fill_null(0),
        )
    )


def summary_rows(store: CacheStore, families: Sequence[str] | None = None, *, now: dt.datetime) -> pl.DataFrame:
    """Return the drift summary rows (``DRIFT_SUMMARY``) of ``families`` (every family when None)."""
    from cache.schema import DRIFT_SUMMARY, conform
    from core.drift.stored import cached_families, chunk_table, family_chunks

    variants = store.variants(["family", "model"]).filter(pl.col("family").is_not_null())
    catalogue = store.families(["family", "gh_repo"])
    names = sorted(set(catalogue["family"].to_list()) | set(variants["family"].to_list()))
    if families is not None:
        names = sorted(set(families) & set(names))
    if not names:
        return pl.DataFrame(schema=DRIFT_SUMMARY)
    commits = store.collect(store.commits(["family", "platform", "repo", "authored_at"], families=names))
    listed = variants.filter(pl.col("family").is_in(names))
    behind = behind_by_variant(commits, listed).drop("change_types")
    known = cached_families(store, [n for n in names if n in _with_gh(catalogue)])
    parts = []
    for chunk, commits_read, changes in family_chunks(store, known):
        ready = pl.DataFrame(
            [(f.family, v) for f in chunk for v in f.ready],
            schema={"family": pl.String, "hf_repo": pl.String},
            orient="row",
        )
        parts.append(variant_counts(chunk_table(chunk, commits_read, changes), ready))
    counts = pl.concat(parts) if parts else pl.DataFrame(schema={"family": pl.String, "hf_repo": pl.String})
    rows = (
        behind.join(counts, on=["family", "hf_repo"], how="left")
        .join(catalogue, on="family", how="left")
        .with_columns(pl.lit(now, dtype=UTC_TIME).alias("computed_at"))
        .sort("family", "hf_repo")
    )
    return conform(rows, DRIFT_SUMMARY)


def _with_gh(catalogue: pl.DataFrame) -> set[str]:
    return set(catalogue.filter(pl.col("gh_repo").is_not_null())["family"].to_list())


def refresh_drift_summary(
    store: CacheStore, families: Sequence[str] | None = None, *, now: dt.datetime | None = None
) -> int:
    """Compute and store the drift summary of ``families`` (every family when None); return how many.

    Each family's rows replace its stored ones (a variant no longer listed loses its row).
    """
    when = now or dt.datetime.now(dt.UTC)
    rows = summary_rows(store, families, now=when)
    done = sorted(set(rows["family"].to_list()) | set(families or []))
    if not done:
        return 0
    store.replace_drift_summary(rows, done)
    return len(set(rows["family"].to_list()))


def family_figures(store: CacheStore) -> pl.DataFrame:
    """Return ``FAMILY_SCHEMA``: per family, the Behind and Files figures the families list shows.

    One read of the summary table (one row per variant): cheap at 10,000 families.
    """
    summed = ("files", "files_behind", "files_diverged", "files_ahead", "files_in_sync", "files_linked")
    rows = store.drift_summary(["family", "hf_repo", "behind", "status", "computed_at", *summed])
    if rows.is_empty():
        return pl.DataFrame(schema=FAMILY_SCHEMA)
    from core.drift.behind import NEVER_UPDATED

    def total(column: str) -> pl.Expr:
        # Null when no variant's file history is known; else the sum over the known ones.
        return pl.when(pl.col(column).is_not_null().any()).then(pl.col(column).sum()).cast(pl.Int64).alias(column)

    return (
        rows.sort(["family", "behind", "hf_repo"], descending=[False, True, False], nulls_last=True)
        .group_by("family", maintain_order=True)
        .agg(
            pl.col("behind").first(),
            pl.col("hf_repo").filter(pl.col("behind").is_not_null()).first().alias("behind_variant"),
            *(total(c) for c in summed),
            (pl.col("status") == NEVER_UPDATED).sum().cast(pl.Int64).alias("never_updated"),
            pl.col("computed_at").min().alias("drift_at"),
        )
        .select(list(FAMILY_SCHEMA))
    )


def families_to_refresh(store: CacheStore, figures: pl.DataFrame | None = None) -> list[str]:
    """Return the families whose drift figures are missing, or older than their commits or their last successful sync.

    A family with variants but no summary row (a cache of an earlier release, or one written
    by a run that stopped before summarising), one whose commits were written since its figures
    were computed (an import, a sync still running, a rename), or one synced since. Figures
    computed while another process was still writing the same family's commits can look
    current; ``drift --refresh`` recomputes them.
    """
    figures = family_figures(store) if figures is None else figures
    variants = store.variants(["family"]).filter(pl.col("family").is_not_null())["family"].unique()
    synced = store.sync_states(["family", "last_success"]).group_by("family").agg(pl.col("last_success").max())
    have = figures.select("family", "drift_at")
    oldest = have["drift_at"].min()
    written = (
        store.families_written_since(oldest)
        if isinstance(oldest, dt.datetime) and store.has_commits()
        else pl.DataFrame(schema={"family": pl.String, "written_at": UTC_TIME})
    )
    newer = (pl.col("last_success") > pl.col("drift_at")) | (pl.col("written_at") > pl.col("drift_at"))
    stale = (
        pl.DataFrame({"family": variants})
        .join(have, on="family", how="left")
        .join(synced, on="family", how="left")
        .join(written, on="family", how="left")
        .filter(pl.col("drift_at").is_null() | newer.fill_null(False))
    )
    return sorted(stale["family"].to_list())


def variant_figures(store: CacheStore, family: str) -> pl.DataFrame:
    """Return one family's summary rows (``DRIFT_SUMMARY``), one per variant, by name."""
    return store.drift_summary(families=[family]).sort("hf_repo")


def cached_family(store: CacheStore, family: str) -> CachedFamily | None:
    """Return what the cache holds of ``family``'s file histories, or None for a family without a GitHub repository."""
    from core.drift.stored import cached_families
    from core.errors import InputError

    try:
        return cached_families(store, [family])[0]
    except InputError:
        return None

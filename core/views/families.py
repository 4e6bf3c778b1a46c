"""Provides the families table the app lists: one row per family with activity, verdict and sync age.

The table is built in three parts so the app can show rows before the slower parts land:
``family_index`` (names, repository, variants, sync state; reads small tables only),
``family_activity`` (commit counts, last activity per side, the pattern) and
``family_handoffs`` (the last GitHub → Hugging Face transition). ``merge_view`` folds each
part into the view, whose columns always exist (null until their part arrives), so filters
and sorting never meet a missing column.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

from cache.schema import UTC_TIME
from cache.store import CacheStore
from core.analysis.patterns import RESULT_COLUMNS, compute_patterns
from core.analysis.transitions import compute_transitions
from core.config import AnalysisSettings
from core.drift.digest import FAMILY_SCHEMA
from core.models import GITHUB, HUGGINGFACE

VIEW_SCHEMA: Final[dict[str, pl.DataType]] = {
    "family": pl.String(),
    "gh_repo": pl.String(),
    "monorepo": pl.Boolean(),
    "variants": pl.Int64(),
    "models": pl.String(),  # the variants' model ids, space-separated, for name search
    "synced_at": UTC_TIME,  # the oldest last successful sync among the family's repositories
    "sync_problem": pl.String(),  # a non-ok sync status of one of its repositories, if any
    "sync_detail": pl.String(),  # that repository and what went wrong ("acme/bert: HTTP 404 ...")
    "sync_hint": pl.String(),  # what to do about it
    "sync_tried_at": UTC_TIME,  # when that repository was last tried
    "gh_commits": pl.Int64(),
    "hf_commits": pl.Int64(),
    "last_gh": UTC_TIME,
    "last_hf": UTC_TIME,
    "last_commit": UTC_TIME,
    "idle_days": pl.Int64(),  # whole days since the last commit on either side
    "lag": pl.String(),
    "sync": pl.String(),
    "intensity": pl.String(),
    "code": pl.String(),
    "pattern": pl.String(),
    "status": pl.String(),
    "hf_bins": pl.Int64(),
    "shared_bins": pl.Int64(),
    "last_handoff": UTC_TIME,  # HF side of the last GH → HF transition
    "handoff_days": pl.Int64(),  # whole days since then
    # The rest of compute_patterns' figures, so the family screen explains the verdict
    # without computing it again.
    "span_bins": pl.Int64(),
    "gh_bins": pl.Int64(),
    "hf_bins_outside": pl.Int64(),
    "variants_outside": pl.Int64(),
    "max_variant_bins": pl.Int64(),
    "busiest_variant": pl.String(),
    "busy_bins": pl.Int64(),
    "longest_shared_run": pl.Int64(),
    "longest_run_variant": pl.String(),
    "first_bin_gh": pl.Boolean(),
    "first_bin_hf": pl.Boolean(),
    "pattern_variants": pl.Int64(),  # variants with commits (the rules' count; ``variants`` is the catalogue's)
    # The study's published verdict (after import-study; see core.views.published).
    "study_lag": pl.String(),
    "study_code": pl.String(),
    "study_pattern": pl.String(),
    "study_variants": pl.Int64(),
    "study_agrees": pl.Boolean(),  # our pattern and lag equal the study's; null unless both exist
    # Drift (docs/method.md §8): Behind, Files and the counts behind them, from the drift summary.
    **{name: dtype for name, dtype in FAMILY_SCHEMA.items() if name != "family"},
}
INDEX_COLUMNS: Final = (
    "family",
    "gh_repo",
    "monorepo",
    "variants",
    "models",
    "synced_at",
    "sync_problem",
    "sync_detail",
    "sync_hint",
    "sync_tried_at",
)
# compute_patterns' figures (its own variant count renamed, its commit span replaced by the
# last commit per side) and the activity worked out here.
ACTIVITY_COLUMNS: Final = (
    "family",
    "last_gh",
    "last_hf",
    "last_commit",
    "idle_days",
    "pattern_variants",
    *(c for c in RESULT_COLUMNS if c not in ("variants", "first_commit", "last_commit")),
)
HANDOFF_COLUMNS: Final = ("family", "last_handoff", "handoff_days")
DRIFT_COLUMNS: Final = tuple(FAMILY_SCHEMA)
STATUS_NOT_SYNCED: Final = "no commits yet"
STATUS_STUDY_ONLY: Final = "from the study"  # published by the study (import-study), no commits cached


def empty_view() -> pl.DataFrame:
    """Return an empty view with every column."""
    return pl.DataFrame(schema=VIEW_SCHEMA)


def reference_time(settings: AnalysisSettings, now: dt.datetime) -> dt.datetime:
    """Return the moment ages are counted to: ``now``, or the end of ``settings.until`` if earlier.

    With a cut-off (the study's data ends 2024-10-10) "days since" means days before the cut.
    """
    if settings.until is None:
        return now
    end = dt.datetime.combine(settings.until + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    return min(now, end)


def _days_since(column: str, now: dt.datetime) -> pl.Expr:
    # Clock skew can date a commit after "now"; it is then zero days old, not negative.
    return (pl.lit(now, dtype=UTC_TIME) - pl.col(column)).dt.total_days().clip(lower_bound=0).cast(pl.Int64)


def family_count(store: CacheStore) -> int:
    """Return how many families the cache knows (the families table and families named by variants)."""
    families = store.families(["family"])["family"]
    variants = store.variants(["family"])["family"].drop_nulls()
    return pl.concat([families, variants]).n_unique()


def family_index(store: CacheStore) -> pl.DataFrame:
    """Return ``INDEX_COLUMNS`` for every family in the families table.

    Reads the families, variants and sync outcomes only, so it is fast at any cache size.
    """
    families = store.families(["family", "gh_repo", "monorepo"])
    variants = (
        store.variants(["family", "model"])
        .group_by("family")
        .agg(
            pl.len().cast(pl.Int64).alias("variants"),
            pl.col("model").sort().str.join(" ").alias("models"),
        )
    )
    failed = pl.col("status") != "ok"
    state = (
        store.sync_states(["family", "repo", "status", "detail", "hint", "last_success", "last_attempt"])
        .sort("last_attempt", descending=True, nulls_last=True)
        .group_by("family")
        .agg(
            # A repository never synced successfully makes the family as old as "never".
            pl.when(pl.col("last_success").is_null().any())
            .then(None)
            .otherwise(pl.col("last_success").min())
            .alias("synced_at"),
            # The most recent failure of the family's repositories, whole: what, why, what to do.
            pl.col("status").filter(failed).first().alias("sync_problem"),
            pl.when(pl.col("detail").fill_null("") != "")
            .then(pl.concat_str([pl.col("repo"), pl.col("detail")], separator=": "))
            .otherwise(pl.col("repo"))
            .filter(failed)
            .first()
            .alias("sync_detail"),
            pl.col("hint").filter(failed).first().alias("sync_hint"),
            pl.col("last_attempt").filter(failed).first().alias("sync_tried_at"),
        )
    )
    return (
        families.join(variants, on="family", how="left")
        .join(state, on="family", how="left")
        .with_columns(pl.col("variants").fill_null(0))
        .select(INDEX_COLUMNS)
        .cast({name: VIEW_SCHEMA[name] for name in INDEX_COLUMNS})
        .sort("family")
    )


def family_activity(events: pl.LazyFrame, settings: AnalysisSettings, now: dt.datetime) -> pl.DataFrame:
    """Return ``ACTIVITY_COLUMNS``: commit counts, last commit per side and the pattern.

    Args:
        events: ``core.analysis.service.load_events`` output for the families wanted.
        settings: The method's settings (bin length).
        now: The current time; ages are counted to ``reference_time(settings, now)``.
    """
    ref = reference_time(settings, now)
    patterns = compute_patterns(events, settings.bin_days)
    last = (
        events.group_by("family")
        .agg(
            pl.col("authored_at").filter(pl.col("platform") == GITHUB).max().alias("last_gh"),
            pl.col("authored_at").filter(pl.col("platform") == HUGGINGFACE).max().alias("last_hf"),
        )
        .collect()
    )
    return (
        patterns.rename({"variants": "pattern_variants"})
        .join(last, on="family", how="left")
        .with_columns(pl.max_horizontal("last_gh", "last_hf").alias("last_commit"))
        .with_columns(_days_since("last_commit", ref).alias("idle_days"))
        .select(ACTIVITY_COLUMNS)
        .cast({name: VIEW_SCHEMA[name] for name in ACTIVITY_COLUMNS})
    )


def family_handoffs(events: pl.LazyFrame, settings: AnalysisSettings, now: dt.datetime) -> pl.DataFrame:
    """Return ``HANDOFF_COLUMNS``: when Hugging Face last followed GitHub, and how many days ago.

    A hand-off is a GH → HF transition of docs/method.md §4; families without one are absent.
    """
    ref = reference_time(settings, now)
    transitions = compute_transitions(events, settings.transitions_since)
    return (
        transitions.filter((pl.col("source") == "GH") & (pl.col("target") == "HF"))
        .group_by("family")
        .agg(pl.col("next_commit").max().alias("last_handoff"))
        .with_columns(_days_since("last_handoff", ref).alias("handoff_days"))
        .select(HANDOFF_COLUMNS)
        .cast({name: VIEW_SCHEMA[name] for name in HANDOFF_COLUMNS})
    )


def family_drift(store: CacheStore) -> pl.DataFrame:
    """Return ``DRIFT_COLUMNS``: each family's Behind and Files figures, from the drift summary (one small read)."""
    from core.drift.digest import family_figures

    return family_figures(store).select(DRIFT_COLUMNS).cast({name: VIEW_SCHEMA[name] for name in DRIFT_COLUMNS})


def merge_view(view: pl.DataFrame, part: pl.DataFrame) -> pl.DataFrame:
    """Return ``view`` with the columns of ``part`` replaced by ``part``'s values, by family.

    Families only in ``part`` (commits whose family row is missing) are added, so nothing
    in the cache is hidden from the list.
    """
    columns = [c for c in part.columns if c != "family"]
    merged = view.drop(columns).join(part, on="family", how="full", coalesce=True)
    if "status" in columns:  # the activity part: families it has no pattern row for have no commits
        unknown = pl.when(pl.col("study_code").is_not_null()).then(pl.lit(STATUS_STUDY_ONLY))
        merged = merged.with_columns(
            pl.when(pl.col("status").is_null() | pl.col("status").is_in([STATUS_NOT_SYNCED, STATUS_STUDY_ONLY]))
            .then(unknown.otherwise(pl.lit(STATUS_NOT_SYNCED)))
            .otherwise(pl.col("status"))
            .alias("status")
        )
    # Derived from two parts (activity and published), so worked out again after either lands.
    agrees = pl.when(pl.col("code").is_not_null() & pl.col("study_code").is_not_null()).then(
        (pl.col("pattern") == pl.col("study_pattern")) & (pl.col("lag") == pl.col("study_lag"))
    )
    return merged.with_columns(agrees.alias("study_agrees")).select(list(VIEW_SCHEMA)).sort("family")


def keep_families(view: pl.DataFrame, named: list[pl.Series]) -> pl.DataFrame:
    """Return ``view`` without the families that none of a completed load's parts named.

    ``merge_view`` keeps rows so that a reload can show old figures until new ones land; once
    the whole load is in, rows for families that left the cache would otherwise stay forever.
    """
    if not named:
        return view
    present = pl.concat(named).unique()
    return view.filter(pl.col("family").is_in(present.implode()))


def pattern_row(view: pl.DataFrame, family: str) -> dict[str, object] | None:
    """Return ``family``'s figures as a ``compute_patterns`` row (for ``explain_pattern``), or None."""
    rows = view.filter(pl.col("family") == family)
    if rows.is_empty() or rows["status"][0] is None:
        return None
    row = rows.row(0, named=True)
    row["variants"] = row.pop("pattern_variants")
    return row


def stale_families(view: pl.DataFrame, stale_after_days: int, now: dt.datetime) -> pl.Series:
    """Return a boolean Series: the family's last successful sync is older than ``stale_after_days``."""
    limit = now - dt.timedelta(days=stale_after_days)
    return view.select(
        (pl.col("synced_at") < pl.lit(limit, dtype=UTC_TIME)).fill_null(False).alias("stale")
    ).to_series()


def build_view(store: CacheStore, settings: AnalysisSettings, now: dt.datetime) -> pl.DataFrame:
    """Return the whole view in one call (the CLI and tests; the app loads it in parts)."""
    from core.analysis.service import load_events
    from core.views.published import family_published

    events = load_events(store, settings)
    view = merge_view(empty_view(), family_index(store))
    view = merge_view(view, family_published(store))
    view = merge_view(view, family_activity(events, settings, now))
    view = merge_view(view, family_drift(store))
    return merge_view(view, family_handoffs(events, settings, now))

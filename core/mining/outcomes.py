"""Provides the per-repository sync state: the outcome of each repository's last sync, and the status view.

One row per (platform, repo) in the cache's sync outcomes. A success records the branch head
and the time; a failure records its status, detail, hint and (for rate limits) when to retry,
and keeps the last successful head and time, so the app can say "synced 3 days ago, last try
failed: gated". ``sync_status`` is what ``ptlm-tui status`` prints and the app shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from cache.schema import SYNC_STATE

if TYPE_CHECKING:
    from cache.store import CacheStore

NEVER = "never synced"
STATUS_COLUMNS = [
    "family",
    "platform",
    "repo",
    "status",
    "detail",
    "hint",
    "commits",
    "last_success",
    "last_attempt",
    "retry_after",
    "head",
]


@dataclass
class RepoOutcome:
    """How one repository's sync ended."""

    platform: str
    repo: str
    family: str
    status: str
    detail: str = ""
    hint: str = ""
    new_commits: int = 0
    head: str | None = None
    retry_after: dt.datetime | None = None
    commits: int | None = None  # commits of this repository in the cache afterwards

    @property
    def ok(self) -> bool:
        """True for a successful sync."""
        return self.status == "ok"


def read_states(store: CacheStore) -> dict[tuple[str, str], dict[str, object]]:
    """Return the sync_state rows keyed by (platform, repo)."""
    frame = store.sync_states()
    return {(row["platform"], row["repo"]): row for row in frame.iter_rows(named=True)}


def outcome_rows(outcomes: list[RepoOutcome], when: dt.datetime) -> pl.DataFrame:
    """Return sync_state rows for ``outcomes`` (successes carry head and last_success)."""
    rows = [
        {
            "platform": o.platform,
            "repo": o.repo,
            "family": o.family,
            "status": o.status,
            "detail": o.detail,
            "hint": o.hint,
            "last_attempt": when,
            "last_success": when if o.ok else None,
            "head": o.head if o.ok else None,
            "commits": o.commits,
            "retry_after": o.retry_after,
        }
        for o in outcomes
    ]
    return pl.DataFrame(rows, schema=SYNC_STATE)


def sync_status(store: CacheStore) -> pl.DataFrame:
    """Return one row per repository of the cache's families, with its last sync outcome.

    Columns: family, platform, repo, status (``never synced`` when sync has not touched it),
    detail, hint, commits (in the cache now), last_success, last_attempt, retry_after, head.
    Sorted by family, then GitHub before Hugging Face, then repository.
    """
    families = store.families(["family", "gh_repo"]).filter(pl.col("gh_repo").is_not_null())
    variants = store.variants(["family", "model"]).filter(pl.col("family").is_not_null())
    repos = pl.concat(
        [
            families.select("family", pl.lit("github").alias("platform"), pl.col("gh_repo").alias("repo")),
            variants.select("family", pl.lit("huggingface").alias("platform"), pl.col("model").alias("repo")),
        ]
    )
    counts = store.collect(store.commits(["platform", "repo"]).group_by("platform", "repo").len())
    state = store.sync_states().drop("commits")
    table = (
        repos.join(state, on=["platform", "repo"], how="full", coalesce=True, suffix="__state")
        .with_columns(pl.coalesce("family", "family__state").alias("family"))
        .drop("family__state")
        .join(counts.rename({"len": "commits"}), on=["platform", "repo"], how="left")
        .with_columns(
            pl.col("status").fill_null(NEVER),
            pl.col("commits").fill_null(0).cast(pl.Int64),
            pl.col("detail").fill_null(""),
            pl.col("hint").fill_null(""),
        )
        .unique(["platform", "repo"], keep="first", maintain_order=True)
    )
    return table.select(STATUS_COLUMNS).sort("family", "platform", "repo", descending=[False, False, False])

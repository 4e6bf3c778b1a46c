"""Provides the commits table: parsing user rows, the commit key, and storing commits in the cache.

The same functions serve ``ptlm-tui import``, sync and the demo, so a commit is keyed and
de-duplicated one way everywhere: by (platform, repo, sha), or by (platform, repo, time,
title) when the sha is empty (FORMATS.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from cache.schema import COMMITS, UTC_TIME, commit_key_expr
from cache.store import CacheStore
from core.models import GITHUB, HUGGINGFACE, REPO_ID_RE

INPUT_COLUMNS = ("family", "platform", "repo", "sha", "authored_at", "author", "title", "message", "files")
REQUIRED_COLUMNS = ("family", "platform", "repo", "authored_at")
KEY_COLUMNS = ("platform", "repo", "commit_key")

_PLATFORM_ALIASES = {
    "github": GITHUB,
    "gh": GITHUB,
    "huggingface": HUGGINGFACE,
    "hugging face": HUGGINGFACE,
    "hf": HUGGINGFACE,
}
_ISO_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%z", "%Y-%m-%d %H:%M:%S%.f%z", "%Y-%m-%dT%H:%M%z")
# The shapes almost every real file uses; polars parses these with a fast specialised path.
_FAST_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d")


def _parse_general(expr: pl.Expr) -> pl.Expr:
    # polars' %z takes +hh:mm and +hhmm but not the "Z" suffix, so spell UTC out first.
    text = expr.str.strip_chars().str.replace(r"[Zz]$", "+00:00")
    attempts = [text.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC") for f in _ISO_FORMATS]
    date_only = (
        pl.when(text.str.len_chars() == 10)
        .then(text.str.to_date("%Y-%m-%d", strict=False))
        .cast(pl.Datetime("us"))
        .dt.replace_time_zone("UTC")
    )
    return pl.coalesce([*attempts, date_only])


def parse_utc_times(values: pl.Series) -> pl.Series:
    """Parse ISO 8601 strings with a zone (``Z`` or ``±hh:mm``) or a bare ``YYYY-MM-DD`` to UTC.

    Values without a zone are not guessed at: they become null and the row is rejected. The
    common shapes are parsed first on the whole column; only the rest go through the slower
    general formats.
    """
    fast = pl.select(
        pl.coalesce(
            values.str.to_datetime(_FAST_FORMATS[0], strict=False, time_unit="us", time_zone="UTC"),
            values.str.to_date(_FAST_FORMATS[1], strict=False).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
        )
    ).to_series()
    missing = fast.is_null() & values.is_not_null()
    if not missing.any():
        return fast.alias(values.name)
    index = missing.arg_true()
    slow = values.gather(index).to_frame("v").select(_parse_general(pl.col("v"))).to_series()
    return fast.scatter(index, slow).alias(values.name)


def commit_key() -> pl.Expr:
    """The per-repository identity of a commit: its sha, or time and title when the sha is empty."""
    return commit_key_expr()


@dataclass(frozen=True)
class ParsedCommits:
    """Rows ready for the cache, and the rejected ones with their 0-based row index and reason."""

    good: pl.DataFrame
    rejected: pl.DataFrame  # columns: row (0-based data row), reason


def _rejection_reasons(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``row, reason`` for invalid rows of a frame with the parsed helper columns."""
    reason = (
        pl.when(pl.col("family") == "")
        .then(pl.lit("missing family"))
        .when(pl.col("_platform_raw") == "")
        .then(pl.lit("missing platform"))
        .when(pl.col("_platform").is_null())
        .then(pl.format("unknown platform '{}' (expected github or huggingface)", pl.col("_platform_raw")))
        .when(pl.col("repo") == "")
        .then(pl.lit("missing repo"))
        .when(~pl.col("_repo_ok"))
        .then(pl.format("bad repo '{}' (expected owner/name)", pl.col("repo").str.slice(0, 80)))
        .when(pl.col("authored_at").fill_null("").str.strip_chars() == "")
        .then(pl.lit("missing authored_at"))
        .otherwise(
            pl.format(
                "bad time '{}' (expected ISO 8601 with a zone, e.g. 2024-01-31T12:00:00Z, or YYYY-MM-DD)",
                pl.col("authored_at").str.slice(0, 40),
            )
        )
    )
    return frame.select("row", reason.alias("reason"))


def parse_commit_rows(raw: pl.DataFrame, *, source: str = "import") -> ParsedCommits:
    """Validate and convert user rows (all strings) to the cache's commits schema.

    Args:
        raw: Rows as read from CSV or Parquet, every column a string. Optional columns may be
            absent; required ones (family, platform, repo, authored_at) must be present.
        source: Value for the cache's ``source`` column.

    Returns:
        The good rows in cache schema and the rejected rows with reasons.
    """
    frame = raw
    for name in INPUT_COLUMNS:
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    platform_raw = pl.col("platform").fill_null("").str.strip_chars()
    repo = pl.col("repo").fill_null("").str.strip_chars()
    frame = frame.with_columns(
        pl.col("family").fill_null("").str.strip_chars(),
        repo.alias("repo"),
        platform_raw.str.to_lowercase()
        .replace_strict(_PLATFORM_ALIASES, default=None, return_dtype=pl.String)
        .alias("_platform"),
    ).with_columns(
        (pl.col("repo").str.contains(REPO_ID_RE.pattern) & ~pl.col("repo").str.contains("..", literal=True)).alias(
            "_repo_ok"
        ),
        parse_utc_times(frame["authored_at"]).alias("_when"),
    )
    valid = (
        (pl.col("family") != "")
        & pl.col("_platform").is_not_null()
        & pl.col("_repo_ok")
        & pl.col("_when").is_not_null()
    )
    ok = frame.select(valid).to_series()
    bad = ~ok
    if bad.any():
        # Reasons are worked out for the bad rows only; the good path never formats strings.
        rejected = _rejection_reasons(
            frame.with_row_index("row").filter(bad).with_columns(platform_raw.alias("_platform_raw"))
        )
        frame = frame.filter(ok)
    else:
        rejected = pl.DataFrame(schema={"row": pl.UInt32, "reason": pl.String})
    good = frame.select(
        pl.col("family"),
        pl.col("_platform").alias("platform"),
        pl.col("repo"),
        pl.col("sha").fill_null("").str.strip_chars(),
        pl.col("_when").alias("authored_at"),
        pl.col("author").fill_null(""),
        pl.col("title").fill_null(""),
        pl.col("message").fill_null(""),
        pl.col("files").fill_null(""),
        pl.lit(None, dtype=pl.String).alias("parents"),
        pl.lit(source).alias("source"),
    )
    if (good["title"] == "").any():
        # An empty title but a message: the title is the message's first line (FORMATS.md).
        # Done only when needed: splitting every message of a large file is costly.
        good = good.with_columns(
            pl.when(pl.col("title") == "")
            .then(pl.col("message").str.split("\n").list.first().fill_null(""))
            .otherwise(pl.col("title"))
            .alias("title")
        )
    return ParsedCommits(good, rejected)


@dataclass(frozen=True)
class MergeResult:
    """How storing commits changed the cache."""

    added: int
    replaced: int
    total: int


def families_from_commits(commits: pl.DataFrame, *, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Derive family and variant rows from commits (for imports that carry no family metadata).

    A family's GitHub repository is its most frequent GitHub repo; its variants are its HF repos.
    """
    now = dt.datetime.now(dt.UTC)
    commits = commits.select("family", "platform", "repo")  # filters below copy only these columns
    gh = (
        commits.filter(pl.col("platform") == GITHUB)
        .group_by("family", "repo")
        .len()
        .sort(["family", "len", "repo"], descending=[False, True, False])
        .unique("family", keep="first", maintain_order=True)
        .select("family", pl.col("repo").alias("gh_repo"))
    )
    families = (
        commits.select("family")
        .unique()
        .join(gh, on="family", how="left")
        .with_columns(
            pl.lit(None, dtype=pl.Boolean).alias("monorepo"),
            pl.lit(source).alias("source"),
            pl.lit(now, dtype=UTC_TIME).alias("added_at"),
            pl.lit(None, dtype=pl.String).alias("note"),
        )
        .sort("family")
    )
    variants = (
        commits.filter(pl.col("platform") == HUGGINGFACE)
        .select("family", pl.col("repo").alias("model"))
        .unique()
        .join(gh, on="family", how="left")
        .select(
            "family",
            "model",
            pl.lit(None, dtype=pl.Int64).alias("downloads"),
            pl.lit(None, dtype=pl.Int64).alias("likes"),
            pl.lit(None, dtype=pl.String).alias("pipeline_tag"),
            pl.lit(None, dtype=UTC_TIME).alias("created_at"),
            pl.lit(None, dtype=UTC_TIME).alias("last_modified"),
            pl.col("gh_repo").alias("gh_link"),
            pl.lit(source).alias("link_source"),
            pl.lit(None, dtype=pl.String).alias("gated"),
            pl.lit(now, dtype=UTC_TIME).alias("added_at"),
        )
        .sort("family", "model")
    )
    return families, variants


def store_commits(store: CacheStore, incoming: pl.DataFrame, *, source: str) -> MergeResult:
    """Store ``incoming`` commits (one append) and register their families and variants.

    Families and variants derived from commits only fill gaps: what discovery or import-study
    recorded about them stays.
    """
    written = store.append_commits(incoming.select(list(COMMITS)), operation=f"store commits ({source})")
    families, variants = families_from_commits(incoming, source=source)
    store.upsert_families(families, fill_only=True)
    store.upsert_variants(variants, fill_only=True)
    store.compact_if_worthwhile()  # a large import leaves many appended rows: fold them in now
    return MergeResult(added=written.added, replaced=written.replaced, total=store.commit_count())

"""Provides the commits table: parsing user rows, the commit key, and storing commits in the cache.

The same functions serve ``ptlm-tui import``, sync and the demo, so a commit is keyed and
de-duplicated one way everywhere: by (platform, repo, sha), or by (platform, repo, time,
title) when the sha is empty (docs/formats.md).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
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
# The shape almost every real file uses; polars parses it with a fast specialised path.
_FAST_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
# Times outside these years are typing or tool errors (a year 9999 breaks date arithmetic downstream).
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2101, 1, 1, tzinfo=dt.UTC)


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
    common shape is parsed first on the whole column; only what it leaves goes through the
    slower general formats.
    """
    # cache=False: times are nearly all distinct, so polars' per-value cache only costs (1.7x slower).
    fast = values.str.to_datetime(_FAST_FORMAT, strict=False, time_unit="us", time_zone="UTC", cache=False)
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


def _per_value(column: pl.Series, convert: Callable[[str], str | None]) -> tuple[pl.Series, set[str]]:
    """Apply ``convert`` to each distinct value of ``column`` once, and join the results back.

    A file has a few distinct platforms and one repository per thousand rows, so the checks
    run on those values, not on every row; when no value changes the column is returned as it
    is (no copy). Returns the converted column and the original values ``convert`` refused (None).
    """
    distinct = column.drop_nulls().unique().to_list()
    mapping = {value: convert(value) for value in distinct}
    refused = {value for value, result in mapping.items() if result is None}
    changed = {value: result for value, result in mapping.items() if result != value}
    if changed:
        column = column.replace(changed)
    return column, refused


def _platform(value: str) -> str | None:
    return _PLATFORM_ALIASES.get(value.strip().lower())


def _repo(value: str) -> str | None:
    repo = value.strip()
    return repo if REPO_ID_RE.match(repo) and ".." not in repo else None


def _rejection_reasons(frame: pl.DataFrame, bad_platforms: set[str], bad_repos: set[str]) -> pl.DataFrame:
    """Return ``row, reason`` for the rejected rows (``frame`` holds only them, with ``row``)."""
    platform = pl.col("platform").fill_null("").str.strip_chars()
    time = pl.col("authored_at").fill_null("").str.strip_chars()
    reason = (
        pl.when(pl.col("family").fill_null("").str.strip_chars() == "")
        .then(pl.lit("missing family"))
        .when(platform == "")
        .then(pl.lit("missing platform"))
        .when(pl.col("platform").is_in(list(bad_platforms)))
        .then(pl.format("unknown platform '{}' (expected github or huggingface)", platform.str.slice(0, 40)))
        .when(pl.col("repo").fill_null("").str.strip_chars() == "")
        .then(pl.lit("missing repo"))
        .when(pl.col("repo").is_in(list(bad_repos)))
        .then(pl.format("bad repo '{}' (expected owner/name)", pl.col("repo").str.slice(0, 80)))
        .when(time == "")
        .then(pl.lit("missing authored_at"))
        .when(pl.col("_when").is_not_null())
        .then(pl.format("time '{}' is outside the years 1970-2100", time.str.slice(0, 40)))
        .otherwise(
            pl.format(
                "bad time '{}' (expected ISO 8601 with a zone, e.g. 2024-01-31T12:00:00Z, or YYYY-MM-DD)",
                time.str.slice(0, 40),
            )
        )
    )
    return frame.select("row", reason.alias("reason"))


def parse_commit_rows(raw: pl.DataFrame, *, source: str = "import", first_row: int = 0) -> ParsedCommits:
    """Validate and convert user rows (all strings) to the cache's commits schema.

    Per-repository work (platform names, repository ids, stray spaces in families) is done
    once per distinct value and joined back; only the times are parsed row by row. Columns that
    need no change are passed through without a copy.

    Args:
        raw: Rows as read from CSV or Parquet, every column a string. Optional columns may be
            absent; required ones (family, platform, repo, authored_at) must be present.
        source: Value for the cache's ``source`` column.
        first_row: The 0-based row number of ``raw``'s first row in its file (a batch of a
            larger file), so that rejections name the file's row.

    Returns:
        The good rows in cache schema and the rejected rows with reasons. A row is rejected for
        a missing family, platform, repo or time, an unknown platform, a repo that is not
        ``owner/name``, a time that cannot be read or one outside the years 1970-2100.
    """
    family, _ = _per_value(raw["family"], lambda v: v.strip())
    platform, bad_platforms = _per_value(raw["platform"], _platform)
    repo, bad_repos = _per_value(raw["repo"], _repo)
    when = parse_utc_times(raw["authored_at"])
    # Refused platforms and repositories became nulls above.
    valid = (
        (family.fill_null("") != "")
        & platform.is_not_null()
        & repo.is_not_null()
        & when.is_between(EARLIEST, LATEST, closed="left").fill_null(False)
    )
    columns = {
        name: raw[name] if name in raw.columns else None for name in ("sha", "author", "title", "message", "files")
    }
    good = pl.DataFrame(
        {
            "family": family,
            "platform": platform,
            "repo": repo,
            "sha": _text(columns["sha"], raw.height, strip=True),
            "authored_at": when,
            "author": _text(columns["author"], raw.height),
            "title": _text(columns["title"], raw.height),
            "message": _text(columns["message"], raw.height),
            "files": _text(columns["files"], raw.height),
        }
    ).with_columns(pl.lit(None, dtype=pl.String).alias("parents"), pl.lit(source).alias("source"))
    if valid.all():
        rejected = pl.DataFrame(schema={"row": pl.UInt32, "reason": pl.String})
    else:
        # Reasons are worked out for the bad rows only; the good path never formats strings.
        bad = ~valid
        numbered = raw.with_columns(when.alias("_when")).with_row_index("row", offset=first_row)
        rejected = _rejection_reasons(numbered.filter(bad), bad_platforms, bad_repos)
        good = good.filter(valid)
    if (good["title"] == "").any():
        # An empty title but a message: the title is the message's first line (docs/formats.md).
        # Done only when needed: splitting every message of a large file is costly.
        good = good.with_columns(
            pl.when(pl.col("title") == "")
            .then(pl.col("message").str.split("\n").list.first().fill_null(""))
            .otherwise(pl.col("title"))
            .alias("title")
        )
    return ParsedCommits(good, rejected)


def _text(column: pl.Series | None, height: int, *, strip: bool = False) -> pl.Series:
    """An optional text column: empty strings when absent, nulls as empty, copied only when something changes."""
    if column is None:
        return pl.repeat("", height, dtype=pl.String, eager=True)
    if column.null_count():
        column = column.fill_null("")
    if strip:
        stripped = column.str.strip_chars()
        if (stripped.str.len_bytes() != column.str.len_bytes()).any():
            column = stripped  # kept only when a value had spaces around it
    return column


@dataclass(frozen=True)
class MergeResult:
    """How storing commits changed the cache."""

    added: int
    replaced: int
    total: int


def families_from_repos(repos: pl.DataFrame, *, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Derive family and variant rows from commits (for imports that carry no family metadata).

    Args:
        repos: ``family, platform, repo, len``: how many commits each repository brought.
        source: The rows' ``source``.

    A family's GitHub repository is its most frequent GitHub repo; its variants are its HF repos.
    """
    now = dt.datetime.now(dt.UTC)
    gh = (
        repos.filter(pl.col("platform") == GITHUB)
        .group_by("family", "repo")
        .agg(pl.col("len").sum())
        .sort(["family", "len", "repo"], descending=[False, True, False])
        .unique("family", keep="first", maintain_order=True)
        .select("family", pl.col("repo").alias("gh_repo"))
    )
    families = (
        repos.select("family")
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
        repos.filter(pl.col("platform") == HUGGINGFACE)
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


STORE_BATCH_ROWS = 200_000  # rows an import parses and hands to the cache at a time


def store_commits(store: CacheStore, incoming: pl.DataFrame, *, source: str) -> MergeResult:
    """Store ``incoming`` commits (one append): ``store_commit_batches`` on slices of it (no copy)."""
    parts = [incoming.slice(start, STORE_BATCH_ROWS) for start in range(0, incoming.height, STORE_BATCH_ROWS)]
    return store_commit_batches(store, lambda: iter(parts), source=source)


def store_commit_batches(
    store: CacheStore, batches: Callable[[], Iterable[pl.DataFrame]], *, source: str
) -> MergeResult:
    """Store commits that come in batches (one append), register their families and variants.

    Families and variants derived from commits only fill gaps: what discovery or import-study
    recorded about them stays. Their drift figures are not computed here: the newer commits
    make them stale, and they are computed where they are read
    (``core.drift.digest.families_to_refresh``).

    Args:
        store: The cache.
        batches: Returns the batches (cache columns); may be called again and must then yield
            the same rows (``CacheStore.append_commit_batches``).
        source: Recorded in the table's history and on derived families.

    Raises:
        BaseException: What ``batches`` raised; nothing was stored.
    """
    repos: list[pl.DataFrame] = []

    def counted() -> Iterator[pl.DataFrame]:
        repos.clear()
        for batch in batches():
            repos.append(batch.group_by("family", "platform", "repo").len())
            yield batch.select(list(COMMITS))

    written = store.append_commit_batches(counted, operation=f"store commits ({source})")
    counts = pl.concat(repos).group_by("family", "platform", "repo").agg(pl.col("len").sum()) if repos else None
    if counts is None or counts.height == 0:
        return MergeResult(added=0, replaced=0, total=store.commit_count())
    families, variants = families_from_repos(counts, source=source)
    store.upsert_families(families, fill_only=True)
    store.upsert_variants(variants, fill_only=True)
    store.compact_if_worthwhile()  # a large import leaves many appended rows: fold them in now
    return MergeResult(added=written.added, replaced=written.replaced, total=store.commit_count())

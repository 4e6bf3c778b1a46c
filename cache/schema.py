"""Provides the schema and the key of every cache table; one place so readers and writers agree.

Columns are only ever added at the end (FORMATS.md), and CACHE_VERSION changes only when an
existing column changes meaning or type, or the layout on disk changes (version 1: one Parquet
file per table; version 2: one Delta Lake table per table, written by appends).

Every stored row also carries three bookkeeping columns that readers never see: ``_seq`` (when
the row was written, ns since the epoch: the newest row of a key wins), ``_deleted`` (a
tombstone: the key is gone) and ``_clean`` (written by compaction, which leaves at most one live
row per key, so readers only resolve the rows appended since).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import polars as pl

CACHE_VERSION: Final = 2

UTC_TIME = pl.Datetime("us", "UTC")

SEQ: Final = "_seq"
DELETED: Final = "_deleted"
CLEAN: Final = "_clean"
HIDDEN: Final[dict[str, pl.DataType]] = {SEQ: pl.Int64(), DELETED: pl.Boolean(), CLEAN: pl.Boolean()}
COMMIT_KEY: Final = "commit_key"

Schema = dict[str, pl.DataType]

# One row per commit on either platform; the FORMATS.md commits table plus cache columns.
COMMITS: Final[Schema] = {
    "family": pl.String(),
    "platform": pl.String(),
    "repo": pl.String(),
    "sha": pl.String(),
    "authored_at": UTC_TIME,
    "author": pl.String(),
    "title": pl.String(),
    "message": pl.String(),
    "files": pl.String(),
    "parents": pl.String(),  # space-separated parent ids when known; two or more = merge
    "source": pl.String(),  # import, sync, demo
}
# One row per family: the GitHub repository its HF variants link to.
FAMILIES: Final[Schema] = {
    "family": pl.String(),
    "gh_repo": pl.String(),
    "monorepo": pl.Boolean(),
    "source": pl.String(),  # import, discover, watchlist, demo, study
    "added_at": UTC_TIME,
    "note": pl.String(),
}
# One row per HF model (variant) and the family it belongs to.
VARIANTS: Final[Schema] = {
    "family": pl.String(),
    "model": pl.String(),
    "downloads": pl.Int64(),
    "likes": pl.Int64(),
    "pipeline_tag": pl.String(),
    "created_at": UTC_TIME,
    "last_modified": UTC_TIME,
    "gh_link": pl.String(),  # owner/repo the variant links to (null: no link found)
    "link_source": pl.String(),  # card, metadata, config, watchlist, import, study
    "gated": pl.String(),
    "added_at": UTC_TIME,
}
# One row per label a classifier gave a commit; see core.classify for the key and the precedence.
LABELS: Final[Schema] = {
    "platform": pl.String(),
    "repo": pl.String(),
    "sha": pl.String(),  # the commit key (COMMIT_KEY)
    "label": pl.String(),
    "confidence": pl.Float64(),
    "source": pl.String(),  # rule, llm, manual
    "model": pl.String(),
    "model_digest": pl.String(),
    "prompt_version": pl.String(),
    "options": pl.String(),  # JSON of the generation options
    "labelled_at": UTC_TIME,
    "reason": pl.String(),
    "linked_sha": pl.String(),  # GitHub commit an HF auto-sync commit mirrors
    "input_hash": pl.String(),  # hash of what the classifier saw; a change re-asks
}
# One row per repository that sync has touched: its last outcome.
SYNC_STATE: Final[Schema] = {
    "platform": pl.String(),
    "repo": pl.String(),
    "family": pl.String(),
    # ok, rate_limited, server_error, timeout, unauthorized, gated, not_found, offline, network, error
    "status": pl.String(),
    "detail": pl.String(),
    "hint": pl.String(),
    "last_attempt": UTC_TIME,
    "last_success": UTC_TIME,
    "head": pl.String(),  # newest known commit id
    "commits": pl.Int64(),
    "retry_after": UTC_TIME,
}
# The study's published per-family results (ptlm-tui import-study).
PUBLISHED: Final[Schema] = {
    "family": pl.String(),
    "gh_repo": pl.String(),
    "lag": pl.String(),
    "sync": pl.String(),
    "intensity": pl.String(),
    "code": pl.String(),
    "pattern": pl.String(),
    "generated": pl.String(),
    "variants": pl.Int64(),
    "downloads": pl.Int64(),
    "first_commit": UTC_TIME,
    "last_commit": UTC_TIME,
    "age_days": pl.Float64(),
    "age_group": pl.String(),
    "jaccard": pl.Float64(),
    "early_pattern": pl.String(),
    "late_pattern": pl.String(),
    # Added by import-study; first_commit/last_commit above are the family's first and last
    # HF commit, downloads the sum over its variants, age_days the mean variant age.
    "owner": pl.String(),
    "likes": pl.Int64(),
    "pipeline_tag": pl.String(),
    "library": pl.String(),
    "early_lag": pl.String(),
    "late_lag": pl.String(),
    "early_code": pl.String(),
    "late_code": pl.String(),
    "note": pl.String(),  # what import-study normalised for this family, if anything
}
# The study's published transitions (ptlm-tui import-study).
PUBLISHED_TRANSITIONS: Final[Schema] = {
    "family": pl.String(),
    "source": pl.String(),
    "target": pl.String(),
    "prev_commit": UTC_TIME,
    "next_commit": UTC_TIME,
    "days": pl.Int64(),
}
# The study's published per-variant data (complete_dataset.csv), kept apart from the live
# variants table so that a later sync never overwrites what the study published.
PUBLISHED_VARIANTS: Final[Schema] = {
    "family": pl.String(),
    "model": pl.String(),
    "owner": pl.String(),
    "gh_repo": pl.String(),
    "downloads": pl.Int64(),
    "likes": pl.Int64(),
    "pipeline_tag": pl.String(),
    "library": pl.String(),
    "created_at": UTC_TIME,  # first_created
    "last_modified": UTC_TIME,
    "created_day": pl.Date(),  # created_at_main (M/D/YYYY), as published
    "modified_day": pl.Date(),  # last_modified_main (M/D/YYYY), as published
    "first_commit": UTC_TIME,  # first HF commit of the variant
    "last_commit": UTC_TIME,
    "age_days": pl.Float64(),  # age_days_individual_x
    "link_found_automatically": pl.Boolean(),  # has_github: Yes (automatic) / No (by hand)
}
# One row per model whose card discovery read: the text, so a second discover re-reads
# only cards whose repository changed (``sha``), and links can be re-extracted offline.
MODEL_CARDS: Final[Schema] = {
    "model": pl.String(),
    "sha": pl.String(),  # head commit of the model repo when the card was read
    "card": pl.String(),  # README.md text (cut at 200k characters); null: the repo has none
    "card_data": pl.String(),  # the Hub's parsed card metadata, as JSON
    "fetched_at": UTC_TIME,
}
# One row per commit and path it changed (``git log --raw``), with both blob ids (METHOD.md §8.2).
FILE_CHANGES: Final[Schema] = {
    "platform": pl.String(),
    "repo": pl.String(),
    "sha": pl.String(),
    "path": pl.String(),
    "status": pl.String(),  # A, M, D, T (git's status letter)
    "old_mode": pl.String(),  # e.g. 100644; null for an added path
    "new_mode": pl.String(),
    "old_blob": pl.String(),  # blob id before the commit; null for an added path
    "new_blob": pl.String(),  # blob id after the commit; null for a deleted path
}
# One row per repository whose file changes the cache holds for its whole history (sync writes
# it after the repository's commits and file changes): drift reads a repository only when it is here.
FILE_HISTORIES: Final[Schema] = {
    "platform": pl.String(),
    "repo": pl.String(),
    "read_at": UTC_TIME,  # when sync last read the repository's file changes
    "head": pl.String(),  # the commit they reach (null: the repository is empty)
    # Blob ids of the git LFS pointer files among the repository's versions, space-separated
    # (read from an HF clone, which keeps every blob under 1 KiB); null when not looked for.
    "lfs_pointers": pl.String(),
}
# One row per HF variant: its drift in figures (docs/method.md §8), derived from the commits and
# file changes after a sync or import and replaced whole per family, so the families list reads
# it instead of computing drift for every family.
DRIFT_SUMMARY: Final[Schema] = {
    "family": pl.String(),
    "hf_repo": pl.String(),
    "gh_repo": pl.String(),
    "last_hf_commit": UTC_TIME,
    "behind": pl.Int64(),  # §8.1: GitHub commits since the variant's last HF commit; null: never updated
    "status": pl.String(),  # behind, up to date, never updated
    # §8.2, per HF file (the per-variant rule); null while the file histories are not all cached.
    "files_linked": pl.Int64(),
    "files_in_sync": pl.Int64(),
    "files_behind": pl.Int64(),
    "files_diverged": pl.Int64(),
    "files_ahead": pl.Int64(),
    "files_removed": pl.Int64(),
    "files": pl.Int64(),  # behind + diverged: the HF files that lack something GitHub has
    "missing_gh_commits": pl.Int64(),  # distinct GitHub commits those files lack
    "first_missing_date": UTC_TIME,
    "computed_at": UTC_TIME,
}
# One row per proposal to bring GitHub changes to a Hugging Face variant (or the other way).
PROPOSALS: Final[Schema] = {
    "proposal_id": pl.String(),
    "family": pl.String(),
    "variant": pl.String(),  # the HF repository (owner/name)
    "gh_repo": pl.String(),
    "direction": pl.String(),  # to_hub (a Hub pull request) or to_github (a patch file)
    "files": pl.String(),  # JSON list of {hf_path, gh_path, ...}
    "gh_commits": pl.String(),  # space-separated GitHub commit ids brought over
    "title": pl.String(),
    "pr_url": pl.String(),
    "state": pl.String(),  # open (a Hub pull request), failed, unknown (no answer), written (a patch file)
    "created_at": UTC_TIME,
    "updated_at": UTC_TIME,
    "error": pl.String(),
    "hf_commits": pl.String(),  # space-separated HF commit ids brought over (to_github)
    "hf_parent": pl.String(),  # the HF commit the proposal was computed against (the pull request's base)
    "commit_oid": pl.String(),  # the pull request's commit on the Hub
    "patch_file": pl.String(),  # where a to_github patch was written
    "skipped": pl.String(),  # JSON list of {hf_path, gh_path, reason}: files left out
}


@dataclass(frozen=True)
class TableSpec:
    """A cache table: its columns, the key whose newest row wins, and how writes merge.

    Attributes:
        name: The table's directory under the cache root.
        columns: The columns readers see, in order.
        key: Columns that identify a row; ``commit_key`` is computed (``commit_key_expr``).
        coarse: A prefix of the key that groups rows (a repository): readers resolve only the
            groups touched since the last compaction.
        sort_by: Row order written by compaction, so filters on these columns skip row groups.
        sticky: Columns where a null in a new row keeps the previous value ("a null never erases").
        snapshot: Replaced whole by its writer (the study's published tables).
    """

    name: str
    columns: Schema
    key: tuple[str, ...]
    coarse: tuple[str, ...] = ()
    sort_by: tuple[str, ...] = ()
    sticky: tuple[str, ...] = ()
    snapshot: bool = False
    physical: Schema = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "physical", {**self.columns, **HIDDEN})

    @property
    def group(self) -> tuple[str, ...]:
        """The columns rows are grouped by when resolving (``coarse``, or the key itself)."""
        return self.coarse or self.key

    @property
    def key_sources(self) -> tuple[str, ...]:
        """Stored columns the key is computed from."""
        out: list[str] = []
        for name in self.key:
            out += ["sha", "authored_at", "title"] if name == COMMIT_KEY else [name]
        return tuple(dict.fromkeys(out))

    def keyed(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """Return ``frame`` with the computed key columns added (a no-op for plain keys)."""
        return frame.with_columns(commit_key_expr()) if COMMIT_KEY in self.key else frame


def commit_key_expr() -> pl.Expr:
    """The per-repository identity of a commit: its sha, or time and title when the sha is empty."""
    sha = pl.col("sha").fill_null("")
    fallback = pl.concat_str(
        [pl.col("authored_at").dt.strftime("%Y-%m-%dT%H:%M:%S%.f"), pl.col("title").fill_null("")],
        separator="\x1f",
    )
    return pl.when(sha != "").then(sha).otherwise(fallback).alias(COMMIT_KEY)


_REPO = ("platform", "repo")


def _all_but(schema: Schema, *keys: str) -> tuple[str, ...]:
    return tuple(c for c in schema if c not in keys)


SPECS: Final[dict[str, TableSpec]] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "commits",
            COMMITS,
            key=(*_REPO, COMMIT_KEY),
            coarse=_REPO,
            sort_by=("family", "platform", "repo", "authored_at"),
        ),
        TableSpec("families", FAMILIES, key=("family",), sort_by=("family",), sticky=_all_but(FAMILIES, "family")),
        TableSpec(
            "variants", VARIANTS, key=("model",), sort_by=("family", "model"), sticky=_all_but(VARIANTS, "model")
        ),
        TableSpec("labels", LABELS, key=(*_REPO, "sha", "source"), coarse=_REPO, sort_by=(*_REPO, "sha")),
        # Labels set by a person: apart from the classifiers' so that a hand label is one small
        # append and clearing it is a tombstone. Same columns as labels (source is "manual").
        TableSpec("manual_labels", LABELS, key=(*_REPO, "sha"), coarse=_REPO, sort_by=(*_REPO, "sha")),
        TableSpec(
            "sync_state",
            SYNC_STATE,
            key=_REPO,
            sort_by=("family", *_REPO),
            sticky=("head", "last_success", "commits"),
        ),
        TableSpec("published", PUBLISHED, key=("family",), sort_by=("family",), snapshot=True),
        TableSpec(
            "published_transitions",
            PUBLISHED_TRANSITIONS,
            key=("family", "source", "target", "prev_commit", "next_commit"),
            snapshot=True,
        ),
        TableSpec(
            "published_variants", PUBLISHED_VARIANTS, key=("family", "model"), sort_by=("family",), snapshot=True
        ),
        TableSpec(
            "model_cards", MODEL_CARDS, key=("model",), sort_by=("model",), sticky=_all_but(MODEL_CARDS, "model")
        ),
        TableSpec(
            "file_changes",
            FILE_CHANGES,
            key=(*_REPO, "sha", "path"),
            coarse=_REPO,
            sort_by=(*_REPO, "sha", "path"),
        ),
        TableSpec("proposals", PROPOSALS, key=("proposal_id",), sort_by=("created_at",)),
        TableSpec("file_histories", FILE_HISTORIES, key=_REPO, sort_by=_REPO),
        TableSpec(
            "drift_summary",
            DRIFT_SUMMARY,
            key=("family", "hf_repo"),
            coarse=("family",),
            sort_by=("family", "hf_repo"),
        ),
    )
}


# The columns of every table by name (what readers see), for code that builds rows of one.
TABLES: Final[dict[str, Schema]] = {name: spec.columns for name, spec in SPECS.items()}


def one_of(column: str, values: list[str]) -> pl.Expr:
    """Return "``column`` is one of ``values``" as a filter Parquet statistics can use.

    Statistics skip row groups for a few equalities, not for ``is_in`` (used for many values).
    """
    if 0 < len(values) <= 16:
        out = pl.col(column) == values[0]
        for value in values[1:]:
            out = out | (pl.col(column) == value)
        return out
    return pl.col(column).is_in(pl.Series(values, dtype=pl.String).implode())


def may_repeat(spec: TableSpec, frame: pl.DataFrame) -> bool:
    """False when no key of ``frame`` can repeat, found cheaply for commits (millions in an import).

    A commit key is its sha when there is one: if no sha repeats and the sha-less rows have no
    repeated time and title, no key repeats, and no key needs to be computed or hashed whole.
    """
    if COMMIT_KEY not in spec.key:
        return True
    has_sha = pl.col("sha").fill_null("") != ""
    repeated = frame.select(
        pl.col("sha").filter(has_sha).is_duplicated().any().alias("sha"),
        pl.struct("authored_at", "title").filter(~has_sha).is_duplicated().any().alias("other"),
    )
    return bool(repeated["sha"][0]) or bool(repeated["other"][0])


def empty(schema: Schema) -> pl.DataFrame:
    """Return an empty frame with ``schema``."""
    return pl.DataFrame(schema=schema)


def conform(frame: pl.DataFrame, schema: Schema, **constants: object) -> pl.DataFrame:
    """Return ``frame`` with exactly ``schema``'s columns: absent ones from ``constants`` or null.

    Raises:
        CacheError: A column cannot be cast to the schema's type (nothing is written).
    """
    columns = []
    for name, dtype in schema.items():
        if name in frame.columns:
            columns.append(pl.col(name).cast(dtype, strict=True))
        else:
            columns.append(pl.lit(constants.get(name), dtype=dtype).alias(name))
    try:
        return frame.select(columns)
    except (pl.exceptions.InvalidOperationError, pl.exceptions.ComputeError) as exc:
        from core.errors import CacheError

        reason = " ".join(str(exc).split("This error occurred")[0].split())
        raise CacheError("Refusing to write rows to the cache", f"schema mismatch: {reason}") from exc

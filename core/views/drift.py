"""Provides the family screen's Drift view data: per variant, its linked files with their state, and what each lacks.

Read from the cache like ``ptlm-tui drift FAMILY`` (``core.drift.stored``: no git run), then
shaped for three lists: the variants (Behind, §8.1, and their files by state, §8.2), one
variant's HF files (each with the state of the per-variant rule and the linked GitHub path
that gives it), and the GitHub commits a file (or a variant, since its last HF commit) lacks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

import polars as pl

from core.drift.behind import behind_by_variant
from core.drift.pairs import DRIFT_SCHEMA
from core.drift.summary import FILE_PRECEDENCE
from core.models import GITHUB, HUGGINGFACE

if TYPE_CHECKING:
    from cache.store import CacheStore
    from core.drift.stored import CachedFamily

# One row per HF file of a variant: the pair that holds the file's state (docs/method.md §8.2).
FILE_COLUMNS: Final = (
    "hf_repo",
    "hf_path",
    "state",
    "gh_path",
    "missing_gh_commits",
    "missing_gh_shas",
    "first_missing_date",
    "hf_extra_commits",
    "gh_head",
    "hf_head",
    "common_gh_sha",
    "pairs",  # how many GitHub paths the file links to
    "pr_url",  # the open Hub pull request that already brings the file's GitHub version, or null
)
# State order in the list: what needs attention first.
LIST_ORDER: Final = ("hf_behind", "diverged", "hf_ahead", "removed_on_gh", "removed_on_hf", "in_sync")


@dataclass(frozen=True)
class DriftDetail:
    """One family's drift, shaped for the Drift view."""

    family: str
    cached: CachedFamily | None  # None: the family has no GitHub repository
    pairs: pl.DataFrame  # the drift table (``DRIFT_SCHEMA``)
    files: pl.DataFrame = field(default_factory=pl.DataFrame)  # ``FILE_COLUMNS``
    variants: pl.DataFrame = field(default_factory=pl.DataFrame)  # ``variant_rows``

    @property
    def missing(self) -> tuple[str, ...]:
        """``platform:repo`` whose file history is not cached."""
        return self.cached.missing if self.cached is not None else ()

    def variant_files(self, hf_repo: str) -> pl.DataFrame:
        """The variant's linked HF files, what needs attention first."""
        return self.files.filter(pl.col("hf_repo") == hf_repo)


def file_rows(pairs: pl.DataFrame) -> pl.DataFrame:
    """Return ``FILE_COLUMNS``: per HF file, the pair holding its state (most missing commits among equals)."""
    rank = pl.col("state").replace_strict({s: i for i, s in enumerate(FILE_PRECEDENCE)}, return_dtype=pl.Int8)
    order = pl.col("state").replace_strict({s: i for i, s in enumerate(LIST_ORDER)}, return_dtype=pl.Int8)
    return (
        pairs.with_columns(rank.alias("_rank"))
        .sort(["hf_repo", "hf_path", "_rank", "missing_gh_commits"], descending=[False, False, False, True])
        .group_by(["hf_repo", "hf_path"], maintain_order=True)
        .agg(pl.all().exclude("_rank").first(), pl.len().cast(pl.Int64).alias("pairs"))
        .with_columns(order.alias("_order"))
        .sort(["hf_repo", "_order", "missing_gh_commits", "hf_path"], descending=[False, False, True, False])
        .with_columns(pl.lit(None, pl.String).alias("pr_url"))
        .select(FILE_COLUMNS)
    )


def variant_rows(
    family: str, variants: list[str], commits: pl.DataFrame, files: pl.DataFrame, ready: tuple[str, ...]
) -> pl.DataFrame:
    """Return per variant: ``hf_repo, last_hf_commit, behind, status`` (§8.1) and its files by state (§8.2).

    File counts are null for a variant whose file history is not cached.
    """
    frame = commits.select("platform", "repo", "authored_at").with_columns(pl.lit(family).alias("family"))
    listed = pl.DataFrame({"family": family, "model": variants}, schema={"family": pl.String, "model": pl.String})
    behind = behind_by_variant(frame, listed).drop("family", "change_types")
    counts = files.group_by("hf_repo").agg(
        pl.len().cast(pl.Int64).alias("linked"),
        *(
            (pl.col("state") == state).sum().cast(pl.Int64).alias(name)
            for state, name in (("hf_behind", "behind_files"), ("diverged", "diverged"), ("hf_ahead", "ahead"))
        ),
        (pl.col("state") == "in_sync").sum().cast(pl.Int64).alias("in_sync"),
    )
    known = pl.col("hf_repo").is_in(list(ready))
    count_columns = ("linked", "behind_files", "diverged", "ahead", "in_sync")
    return (
        behind.join(counts, on="hf_repo", how="left")
        .with_columns(
            *(pl.when(known).then(pl.col(c).fill_null(0)).alias(c) for c in count_columns),
        )
        .with_columns((pl.col("behind_files") + pl.col("diverged")).alias("files"))
        # Most to do first: files lacking GitHub's changes, then commits behind; never updated last.
        .sort(["files", "behind", "hf_repo"], descending=[True, True, False], nulls_last=True)
    )


def family_drift_detail(store: CacheStore, family: str, commits: pl.DataFrame) -> DriftDetail:
    """Return ``family``'s Drift view data, from the cache (no git run).

    Args:
        store: The cache.
        family: The family id.
        commits: The family's commits as the family screen lists them (``platform, repo,
            authored_at``, more ignored): §8.1 counts from them.
    """
    from core.drift.digest import cached_family
    from core.drift.stored import chunk_table, family_chunks
    from core.propose.record import mark_open_prs

    cached = cached_family(store, family)
    variants = store.variants(["family", "model"]).filter(pl.col("family") == family)["model"].sort().to_list()
    pairs = pl.DataFrame(schema=DRIFT_SCHEMA)
    if cached is not None and cached.computable:
        for chunk, read, changes in family_chunks(store, [cached]):
            pairs = chunk_table(chunk, read, changes)
    files = mark_open_prs(store, file_rows(pairs), family)
    ready = cached.ready if cached is not None else ()
    return DriftDetail(family, cached, pairs, files, variant_rows(family, variants, commits, files, ready))


def commits_lacking(commits: pl.DataFrame, shas: str) -> pl.DataFrame:
    """Return the GitHub commits ``shas`` names (``|``-joined, oldest first), as the commit list has them."""
    wanted = [s for s in shas.split("|") if s]
    if not wanted:
        return commits.clear()
    order = pl.DataFrame({"sha": wanted, "_at": range(len(wanted))}, schema={"sha": pl.String, "_at": pl.Int64})
    return commits.filter(pl.col("platform") == GITHUB).join(order, on="sha", how="inner").sort("_at").drop("_at")


def commits_since(commits: pl.DataFrame, hf_repo: str) -> pl.DataFrame:
    """Return the GitHub commits authored after ``hf_repo``'s last HF commit (§8.1), oldest first."""
    last = commits.filter((pl.col("platform") == HUGGINGFACE) & (pl.col("repo") == hf_repo))["authored_at"].max()
    if last is None:
        return commits.clear()
    return commits.filter((pl.col("platform") == GITHUB) & (pl.col("authored_at") > last)).sort("authored_at")


LAST_UPDATE = "last_update"  # column of the commit list: the variant's newest HF commit


def mark_last_updates(commits: pl.DataFrame) -> pl.DataFrame:
    """Add ``last_update``: true on each variant's newest HF commit ("HF last updated here")."""
    if not commits.height:
        return commits.with_columns(pl.lit(False).alias(LAST_UPDATE))
    newest = (
        commits.filter(pl.col("platform") == HUGGINGFACE)
        .sort("authored_at", "sha")
        .group_by("repo")
        .agg(pl.col("sha").last())
        .with_columns(pl.lit(True).alias(LAST_UPDATE))
    )
    return commits.join(newest, on=["repo", "sha"], how="left", maintain_order="left").with_columns(
        pl.col(LAST_UPDATE).fill_null(False)
    )

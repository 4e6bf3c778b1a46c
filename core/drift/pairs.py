"""Provides linked_pairs(): the drift table of one family, every linked (GitHub path, HF path) pair with its state.

docs/method.md §8.2 and docs/formats.md "Drift", all as joins over the two sides' events: versions are
the (path, blob) pairs of events, a link is a blob shared by a GitHub version and an HF
version, heads are each path's last event, and the GitHub commits HF is missing are the events
of the GitHub path after the common version's last appearance.

**(ours)** Blobs that never link (empty files, git LFS pointers) do not make a head "a version
of the other side" either: an HF file emptied or turned into a pointer is not "behind" because
GitHub once held an empty file there. Equal heads are in sync whatever they hold.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import polars as pl

from core.drift.events import EMPTY_BLOBS, UTC_TIME

IN_SYNC: Final = "in_sync"
HF_BEHIND: Final = "hf_behind"
HF_AHEAD: Final = "hf_ahead"
DIVERGED: Final = "diverged"
REMOVED_ON_GH: Final = "removed_on_gh"
REMOVED_ON_HF: Final = "removed_on_hf"
STATES: Final = (IN_SYNC, HF_BEHIND, HF_AHEAD, DIVERGED, REMOVED_ON_GH, REMOVED_ON_HF)
# States that mean HF lacks something GitHub has (``drift --exit-code`` fails on them).
ACTION_STATES: Final = (HF_BEHIND, DIVERGED)

DRIFT_SCHEMA: Final[dict[str, pl.DataType]] = {
    "family": pl.String(),
    "gh_repo": pl.String(),
    "hf_repo": pl.String(),
    "gh_path": pl.String(),
    "hf_path": pl.String(),
    "state": pl.String(),
    "gh_head": pl.String(),
    "hf_head": pl.String(),
    "common_blob": pl.String(),
    "common_gh_sha": pl.String(),
    "missing_gh_commits": pl.Int64(),
    "missing_gh_shas": pl.String(),
    "first_missing_date": UTC_TIME,
    "hf_extra_commits": pl.Int64(),
}
F = ["family"]  # every key below is within one family: many families are linked in one pass
GH_PATH = [*F, "gh_path"]
HF_PATH = [*F, "hf_repo", "hf_path"]
PAIR = [*F, "hf_repo", "hf_path", "gh_path"]


def _versions(events: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Each (keys, blob) version with the seq and sha of the *last* event that gave it."""
    return (
        events.filter(pl.col("blob").is_not_null())
        .sort("seq", descending=True)
        .unique([*keys, "blob"], keep="first")
        .select(*keys, "blob", pl.col("seq").alias("last_seq"), pl.col("sha").alias("last_sha"))
    )


def _gh_histories(gh: pl.DataFrame, paths: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Return the linked GitHub paths' histories, and each of their events' rank (0 = first).

    Per path: its head, its number of events, every event's sha joined oldest first, their
    dates.
    """
    events = gh.join(paths, on=GH_PATH, how="semi").sort("seq")
    ranked = events.select(*GH_PATH, "seq", pl.int_range(pl.len()).over(GH_PATH).alias("rank"))
    histories = events.group_by(GH_PATH).agg(
        pl.col("blob").last().alias("gh_head"),
        pl.len().alias("events"),
        pl.col("sha").str.join("|").alias("shas"),
        pl.col("sha").first().str.len_bytes().alias("sha_len"),
        pl.col("authored_at").alias("dates"),
    )
    return histories, ranked


def linked_pairs(
    gh_events: pl.DataFrame,
    hf_events: pl.DataFrame,
    *,
    family: str,
    gh_repo: str,
    never_link: Iterable[str] = (),
) -> pl.DataFrame:
    """Return the drift table (``DRIFT_SCHEMA``, docs/formats.md order) of one family.

    Args:
        gh_events: ``file_events`` of the GitHub repository (its ``repo`` column is ignored).
        hf_events: ``file_events`` of any number of HF variants (``repo`` = the variant).
        family: The family id written on every row.
        gh_repo: The GitHub repository written on every row.
        never_link: Blob ids that must not link (git LFS pointers); empty blobs are added.

    Returns:
        One row per linked pair, sorted by HF repository, HF path and GitHub path.
    """
    name = pl.lit(family, pl.String).alias("family")
    return families_pairs(
        gh_events.with_columns(name),
        hf_events.with_columns(name),
        pl.DataFrame({"family": [family], "gh_repo": [gh_repo]}),
        never_link=never_link,
    )


def families_pairs(
    gh_events: pl.DataFrame,
    hf_events: pl.DataFrame,
    gh_repos: pl.DataFrame,
    *,
    never_link: Iterable[str] = (),
) -> pl.DataFrame:
    """Return the drift table of many families at once: ``linked_pairs`` keyed by family.

    Args:
        gh_events: ``file_events`` of each family's GitHub repository, with a ``family`` column.
        hf_events: ``file_events`` of the families' variants (``repo`` = the variant), with ``family``.
        gh_repos: ``family, gh_repo``: written on every row of the family.
        never_link: Blob ids that must not link (git LFS pointers); empty blobs are added.

    Returns:
        One row per linked pair, sorted by family, HF repository, HF path and GitHub path.
    """
    accidental = pl.Series("blob", [*EMPTY_BLOBS, *never_link], dtype=pl.String).unique().implode()
    gh = gh_events.select(*F, pl.col("path").alias("gh_path"), "seq", "sha", "authored_at", "blob")
    hf = hf_events.select(*F, pl.col("repo").alias("hf_repo"), pl.col("path").alias("hf_path"), "seq", "sha", "blob")
    hf_versions = _versions(hf, HF_PATH)
    # Every GitHub version drift looks up is a blob HF also had (a link, an HF head, a common
    # version): the GitHub side is cut to those first, a few rows out of 100k commits' worth.
    hf_blobs = hf_versions.select(*F, "blob").unique()
    gh_versions = _versions(gh.join(hf_blobs, on=[*F, "blob"], how="semi"), GH_PATH)
    real_gh = gh_versions.filter(~pl.col("blob").is_in(accidental))
    real_hf = hf_versions.filter(~pl.col("blob").is_in(accidental))
    shared = real_gh.join(real_hf, on=[*F, "blob"], how="inner", suffix="_hf")
    pairs = shared.select(PAIR).unique()
    histories, ranked = _gh_histories(gh, pairs.select(GH_PATH).unique())
    hf_heads = hf.sort("seq").group_by(HF_PATH).agg(pl.col("blob").last().alias("hf_head"))
    pairs = pairs.join(histories, on=GH_PATH, how="left").join(hf_heads, on=HF_PATH, how="left")
    # Is each head a (real) version of the other side's path?
    hf_head_on_gh = real_gh.select(*GH_PATH, pl.col("blob").alias("hf_head"), pl.lit(True).alias("hf_head_on_gh"))
    gh_head_on_hf = real_hf.select(*HF_PATH, pl.col("blob").alias("gh_head"), pl.lit(True).alias("gh_head_on_hf"))
    pairs = pairs.join(hf_head_on_gh, on=[*GH_PATH, "hf_head"], how="left").join(
        gh_head_on_hf, on=[*HF_PATH, "gh_head"], how="left"
    )
    state = (
        pl.when(pl.col("gh_head").is_null())
        .then(pl.lit(REMOVED_ON_GH))
        .when(pl.col("hf_head").is_null())
        .then(pl.lit(REMOVED_ON_HF))
        .when(pl.col("gh_head") == pl.col("hf_head"))
        .then(pl.lit(IN_SYNC))
        .when(pl.col("hf_head_on_gh").fill_null(False))
        .then(pl.lit(HF_BEHIND))
        .when(pl.col("gh_head_on_hf").fill_null(False))
        .then(pl.lit(HF_AHEAD))
        .otherwise(pl.lit(DIVERGED))
    )
    pairs = pairs.with_columns(state.alias("state"))
    # Otherwise (diverged, removed): of the shared blobs, the one GitHub gave the path last.
    latest_shared = shared.group_by(PAIR).agg(pl.col("blob").sort_by("last_seq").last().alias("latest_shared"))
    common = (
        pl.when(pl.col("state").is_in([IN_SYNC, HF_BEHIND]))
        .then(pl.col("hf_head"))
        .when(pl.col("state") == HF_AHEAD)
        .then(pl.col("gh_head"))
        .otherwise(pl.col("latest_shared"))
    )
    pairs = (
        pairs.join(latest_shared, on=PAIR, how="left")
        .with_columns(common.alias("common_blob"))
        .join(
            gh_versions.select(
                *GH_PATH,
                pl.col("blob").alias("common_blob"),
                pl.col("last_seq").alias("common_gh_seq"),
                pl.col("last_sha").alias("common_gh_sha"),
            ),
            on=[*GH_PATH, "common_blob"],
            how="left",
        )
        .join(
            hf_versions.select(
                *HF_PATH, pl.col("blob").alias("common_blob"), pl.col("last_seq").alias("common_hf_seq")
            ),
            on=[*HF_PATH, "common_blob"],
            how="left",
        )
    )
    # The GitHub events after the common version's last one: a suffix of the path's history.
    # Every sha has the same length, so the suffix of the joined shas is a slice of the string.
    pairs = pairs.join(
        ranked.rename({"seq": "common_gh_seq", "rank": "common_rank"}), on=[*GH_PATH, "common_gh_seq"], how="left"
    )
    after = pl.col("common_rank") + 1
    missing = [
        (pl.col("events") - after).cast(pl.Int64).alias("missing_gh_commits"),
        pl.col("shas").str.slice(after * (pl.col("sha_len") + 1)).alias("missing_gh_shas"),
        pl.col("dates").list.get(after, null_on_oob=True).alias("first_missing_date"),
    ]
    extra = (
        pairs.select(*PAIR, "common_hf_seq")
        .join(hf.select(*HF_PATH, "seq"), on=HF_PATH, how="inner")
        .filter(pl.col("seq") > pl.col("common_hf_seq"))
        .group_by(PAIR)
        .agg(pl.len().cast(pl.Int64).alias("hf_extra_commits"))
    )
    result = (
        pairs.with_columns(missing)
        .join(extra, on=PAIR, how="left")
        .join(gh_repos.select("family", "gh_repo"), on="family", how="left")
        .with_columns(
            pl.col("missing_gh_commits").fill_null(0),
            pl.col("missing_gh_shas").fill_null(""),
            pl.col("hf_extra_commits").fill_null(0),
        )
        .select([pl.col(name).cast(dtype) for name, dtype in DRIFT_SCHEMA.items()])
        .sort("family", "hf_repo", "hf_path", "gh_path")
    )
    return result

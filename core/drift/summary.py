"""Provides the per-variant rule of docs/method.md §8.2: one state per HF file, and counts per variant and family.

An HF file may link to several GitHub paths (a file GitHub moved or duplicated). It counts as
behind (or diverged) only when none of its pairs is in sync: a file GitHub moved, and HF
already has under the new name, is up to date. The file's state is the first of its pairs'
states in ``FILE_PRECEDENCE``.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from core.drift.pairs import DIVERGED, HF_AHEAD, HF_BEHIND, IN_SYNC, REMOVED_ON_GH, REMOVED_ON_HF

FILE_PRECEDENCE: Final = (IN_SYNC, HF_BEHIND, DIVERGED, HF_AHEAD, REMOVED_ON_HF, REMOVED_ON_GH)
FILE_KEY: Final = ["family", "hf_repo", "hf_path"]


def hf_file_states(drift: pl.DataFrame) -> pl.DataFrame:
    """Return ``family, hf_repo, hf_path, state, pairs, missing_gh_commits`` per linked HF file.

    ``missing_gh_commits`` is the largest over the pairs holding the file's state (0 when the
    file is in sync through any pair).
    """
    rank = pl.col("state").replace_strict({s: i for i, s in enumerate(FILE_PRECEDENCE)}, return_dtype=pl.Int8)
    return (
        drift.with_columns(rank.alias("_rank"))
        .sort([*FILE_KEY, "_rank", "missing_gh_commits"], descending=[False, False, False, False, True])
        .group_by(FILE_KEY, maintain_order=True)
        .agg(pl.col("state").first(), pl.len().cast(pl.Int64).alias("pairs"), pl.col("missing_gh_commits").first())
    )


def variant_file_counts(drift: pl.DataFrame) -> pl.DataFrame:
    """Return ``family, hf_repo, files_linked, files_behind, files_diverged, files`` per variant.

    ``files`` = behind + diverged: the HF files that lack something GitHub has (the app's
    Files column sums it over a family's variants).
    """
    files = hf_file_states(drift)
    return (
        files.group_by("family", "hf_repo")
        .agg(
            pl.len().cast(pl.Int64).alias("files_linked"),
            (pl.col("state") == HF_BEHIND).sum().cast(pl.Int64).alias("files_behind"),
            (pl.col("state") == DIVERGED).sum().cast(pl.Int64).alias("files_diverged"),
        )
        .with_columns((pl.col("files_behind") + pl.col("files_diverged")).alias("files"))
        .sort("family", "hf_repo")
    )


def family_file_counts(drift: pl.DataFrame) -> pl.DataFrame:
    """Return ``family, files`` (behind or diverged HF files, summed over variants)."""
    return variant_file_counts(drift).group_by("family").agg(pl.col("files").sum().cast(pl.Int64)).sort("family")

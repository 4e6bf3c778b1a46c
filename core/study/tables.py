"""Provides study_tables(): the replication package's CSVs turned into ptlm-tui's published tables.

Pure functions over polars frames: exclusion by family, then the per-file parsers of
``core.study.parse``, joined into one row per family; every quirk met is noted with counts so
that import-study can say exactly what it normalised (the data's README: ../shared/data/README.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from cache.schema import TABLES
from core.study.parse import (
    Normalisation,
    count_true,
    parse_evolution,
    parse_groups,
    parse_patterns,
    parse_transitions,
    parse_variants,
)


@dataclass
class StudyTables:
    """The published tables, ready for the cache, and the notes on how they were made."""

    published: pl.DataFrame
    transitions: pl.DataFrame
    variants: pl.DataFrame
    excluded: list[str]
    notes: list[Normalisation] = field(default_factory=list)


def _exclude(files: dict[str, pl.DataFrame], notes: list[Normalisation]) -> tuple[list[str], dict[str, pl.DataFrame]]:
    listing = files["must_exclude_from_all_analysis.csv"]
    excluded = sorted(set(listing["family"].drop_nulls().str.strip_chars()))
    kept: dict[str, pl.DataFrame] = {}
    dropped: list[str] = []
    for name, frame in files.items():
        if name == "must_exclude_from_all_analysis.csv":
            continue
        column = "Family" if name == "family_similarity_scores.csv" else "family"
        kept[name] = frame.filter(~pl.col(column).str.strip_chars().is_in(excluded))
        dropped.append(f"{frame.height - kept[name].height} rows of {name}")
    notes.append(
        Normalisation(
            "excluded families",
            len(excluded),
            f"removed by family as the study did (its list names only {listing.height} of their variants): "
            + ", ".join(dropped),
        )
    )
    return excluded, kept


def study_tables(files: dict[str, pl.DataFrame]) -> StudyTables:
    """Return the published tables built from the package's files (``core.study.files``).

    Raises:
        InputError: A value cannot be read (the message names the file, column and value).
    """
    notes: list[Normalisation] = []
    excluded, kept = _exclude(files, notes)
    patterns = parse_patterns(kept["all_auto_and_manual_patterns.csv"], notes)
    variants = parse_variants(kept["complete_dataset.csv"], notes)
    transitions = parse_transitions(kept["GH_HF_commit_time_differences.csv"], notes)
    evolution = parse_evolution(kept["RQ2_early_late_pattern.csv"], notes)
    per_family = variants.group_by("family").agg(
        pl.col("gh_repo").drop_nulls().mode().first().alias("gh_repo"),
        pl.len().cast(pl.Int64).alias("variants"),
        pl.col("downloads").sum().alias("downloads"),
        pl.col("likes").sum().alias("likes"),
        pl.col("first_commit").min(),
        pl.col("last_commit").max(),
        pl.col("family_age_days").first().alias("age_days"),
    )
    groups = parse_groups(kept["grouped_data_RQ2.csv"], per_family.select("family", "variants"), notes)
    similarity = kept["family_similarity_scores.csv"].select(
        pl.col("Family").str.strip_chars().alias("family"),
        pl.col("Similarity Score").cast(pl.Float64, strict=False).alias("jaccard"),
    )
    published = (
        patterns.join(per_family, on="family", how="left")
        .join(groups, on="family", how="left")
        .join(similarity, on="family", how="left")
        .join(evolution, on="family", how="left")
        .sort("family")
    )
    missing = {
        "variants": count_true(published, pl.col("variants").is_null()),
        "a similarity score": count_true(published, pl.col("jaccard").is_null()),
        "an age group": count_true(published, pl.col("age_group").is_null()),
        "early/late patterns": count_true(published, pl.col("early_pattern").is_null()),
    }
    for what, n in missing.items():
        if n:
            notes.append(Normalisation(f"families without {what}", n, "left empty"))
    orphans = variants.join(patterns, on="family", how="anti").height
    if orphans:
        notes.append(Normalisation("variants of families without a pattern", orphans, "kept, without a pattern"))
    schema = TABLES["published"]
    published = published.with_columns(pl.col("variants").fill_null(0)).select(
        [pl.col(c).cast(schema[c]) if c in published.columns else pl.lit(None, schema[c]).alias(c) for c in schema]
    )
    return StudyTables(
        published=published,
        transitions=transitions.sort("family", "next_commit").cast(TABLES["published_transitions"]),  # type: ignore[arg-type]
        variants=variants.drop("family_age_days").sort("family", "model").cast(TABLES["published_variants"]),  # type: ignore[arg-type]
        excluded=excluded,
        notes=notes,
    )

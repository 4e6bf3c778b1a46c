"""Provides import_study(), the engine of ``ptlm-tui import-study DIR``.

Writes the study's published results into the cache (per-family verdicts, transitions and
per-variant data, replaced on every import) and registers its families and variants
(source ``study``) so the app can browse them. Registration only fills gaps: a family or
variant the cache already knows from sync or import keeps its own values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cache.schema import UTC_TIME
from cache.store import CacheStore
from core.study.files import find_dataset_dir, read_study_files
from core.study.parse import Normalisation
from core.study.tables import study_tables

SOURCE = "study"


@dataclass
class StudyImport:
    """What import-study read, wrote and normalised."""

    directory: Path
    families: int
    variants: int
    transitions: int
    excluded: list[str]
    normalised: list[Normalisation] = field(default_factory=list)

    def summary(self) -> str:
        """Return a one-line summary for the terminal."""
        return (
            f"imported the study's published results from {self.directory}: {self.families} families, "
            f"{self.variants} HF variants, {self.transitions} transitions "
            f"({len(self.excluded)} {'family' if len(self.excluded) == 1 else 'families'} excluded as in the study)"
        )

    def lines(self) -> list[str]:
        """Return the summary and one line per normalisation."""
        return [self.summary(), "normalised:"] + [f"  - {n.line()}" for n in self.normalised]


def _registrations(
    variants: pl.DataFrame, published: pl.DataFrame, now: dt.datetime
) -> tuple[pl.DataFrame, pl.DataFrame]:
    families = published.select(
        "family",
        "gh_repo",
        pl.lit(None, dtype=pl.Boolean).alias("monorepo"),
        pl.lit(SOURCE).alias("source"),
        pl.lit(now, dtype=UTC_TIME).alias("added_at"),
        pl.lit(None, dtype=pl.String).alias("note"),
    )
    rows = variants.select(
        "family",
        "model",
        "downloads",
        "likes",
        "pipeline_tag",
        "created_at",
        "last_modified",
        pl.col("gh_repo").alias("gh_link"),
        pl.lit(SOURCE).alias("link_source"),
        pl.lit(None, dtype=pl.String).alias("gated"),
        pl.lit(now, dtype=UTC_TIME).alias("added_at"),
    )
    return families, rows


def import_study(store: CacheStore, directory: Path) -> StudyImport:
    """Load the study's replication package into the cache.

    Args:
        store: The cache to write.
        directory: The package's ``dataset/`` folder (or the package root).

    Returns:
        Counts and the list of what was normalised.

    Raises:
        InputError: The directory is not the replication data, or a value cannot be read.
    """
    folder = find_dataset_dir(directory)
    tables = study_tables(read_study_files(folder))
    families, variants = _registrations(tables.variants, tables.published, dt.datetime.now(dt.UTC))
    store.replace_published(tables.published, tables.transitions, tables.variants)
    store.upsert_families(families, fill_only=True)
    store.upsert_variants(variants, fill_only=True)
    return StudyImport(
        directory=folder,
        families=tables.published.height,
        variants=tables.variants.height,
        transitions=tables.transitions.height,
        excluded=tables.excluded,
        normalised=tables.notes,
    )

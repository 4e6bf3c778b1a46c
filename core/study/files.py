"""Provides read_study_files(): find and check the replication package's CSVs, read as strings.

The package is github.com/SAILResearch/replication-25-synchronization-Patterns; its CSVs sit
in ``dataset/``. DIR may be that folder or the package root.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import polars as pl

from core.errors import InputError
from core.text import one_line

PACKAGE: Final = "SAILResearch/replication-25-synchronization-Patterns"

# File -> columns import-study reads from it.
STUDY_FILES: Final[dict[str, tuple[str, ...]]] = {
    "complete_dataset.csv": (
        "owner",
        "model_name",
        "family",
        "downloads",
        "likes",
        "library_name",
        "pipeline_tag",
        "cleaned_github",
        "has_github",
        "generated",
        "Syncs",
        "intensity",
        "codes",
        "Lagged",
        "names",
        "created_at_main",
        "last_modified_main",
        "first_created",
        "last_modified",
        "first_commits",
        "last_commits",
        "age_days_individual_x",
        "average_age_days",
    ),
    "must_exclude_from_all_analysis.csv": ("family",),
    "all_auto_and_manual_patterns.csv": (
        "owner",
        "family",
        "generated",
        "Syncs",
        "intensity",
        "codes",
        "Lagged",
        "names",
    ),
    "GH_HF_commit_time_differences.csv": (
        "family",
        "source",
        "target",
        "prev_commit",
        "next_commit",
        "days_difference",
    ),
    "family_similarity_scores.csv": ("Family", "Similarity Score"),
    "RQ2_early_late_pattern.csv": (
        "family",
        "early_lagged",
        "late_lagged",
        "early_codes",
        "late_codes",
        "early_pattern",
        "late_pattern",
    ),
    "grouped_data_RQ2.csv": ("family", "model_name", "age_group", "pipeline_tag", "library_name"),
}


def find_dataset_dir(directory: Path) -> Path:
    """Return the folder holding the package's CSVs: ``directory`` or its ``dataset/`` subfolder.

    Raises:
        InputError: The directory does not exist or lacks one of the files; the message
            names the first missing file and what the directory should hold.
    """
    directory = Path(directory).expanduser()
    if not directory.is_dir():
        raise InputError(
            "Study directory not found", str(directory), f"give the dataset/ folder of a copy of {PACKAGE}"
        )
    for candidate in (directory, directory / "dataset"):
        if all((candidate / name).is_file() for name in STUDY_FILES):
            return candidate
    missing = next(name for name in STUDY_FILES if not (directory / name).is_file())
    raise InputError(
        "Not the study's replication data",
        f"{directory} has no {missing}",
        f"DIR must be the dataset/ folder of {PACKAGE} (complete_dataset.csv, "
        "must_exclude_from_all_analysis.csv, all_auto_and_manual_patterns.csv, "
        "GH_HF_commit_time_differences.csv, family_similarity_scores.csv, RQ2_early_late_pattern.csv, "
        "grouped_data_RQ2.csv)",
    )


def read_study_files(directory: Path) -> dict[str, pl.DataFrame]:
    """Read every study file as strings, keeping only the columns import-study uses.

    Args:
        directory: The package's ``dataset/`` folder or the package root.

    Returns:
        File name -> frame of string columns (``STUDY_FILES`` order).

    Raises:
        InputError: A file is missing, unreadable, or lacks a column.
    """
    folder = find_dataset_dir(directory)
    frames: dict[str, pl.DataFrame] = {}
    for name, columns in STUDY_FILES.items():
        path = folder / name
        try:
            # grouped_data_RQ2.csv names "family" twice; polars renames the second copy, and
            # the first (the one aligned with its row) is the one selected here.
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8-lossy")
        except (pl.exceptions.PolarsError, OSError) as exc:
            raise InputError("Cannot read study file", f"{path}: {one_line(str(exc), 160)}") from exc
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise InputError(
                "Not the study's replication data",
                f"{path} lacks column(s) {', '.join(missing)}",
                f"use the unmodified files of {PACKAGE}",
            )
        frames[name] = frame.select(columns)
    return frames

"""Provides one parser per file of the replication package, each noting the quirks it normalises.

Each ``parse_*`` takes the file's string columns (``core.study.files``) and returns typed
columns in ptlm-tui's vocabulary, appending a ``Normalisation`` for every quirk it met; a value
that cannot be read stops the import with the file, column and value named.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from core.errors import InputError
from core.models import PATTERN_BY_CODE, REPO_ID_RE
from core.study.names import age_group_name, lag_name, pattern_name

CUTOFF = "2024-10-10"  # the study's data ends here (docs/method.md §2)


@dataclass(frozen=True)
class Normalisation:
    """One quirk of the published data and what import-study did about it."""

    what: str
    count: int
    detail: str

    def line(self) -> str:
        """Return ``what (count): detail`` for the terminal."""
        return f"{self.what} ({self.count}): {self.detail}"


def _fail_on_nulls(frame: pl.DataFrame, parsed: str, raw: str, file: str, expected: str) -> None:
    bad = frame.filter(pl.col(parsed).is_null() & pl.col(raw).is_not_null() & (pl.col(raw).str.strip_chars() != ""))
    if bad.height:
        raise InputError(
            f"Unexpected value in {file}",
            f"column {raw}: {bad[raw][0]!r} ({bad.height} such rows)",
            f"expected {expected}; use the unmodified files of the replication package",
        )


def _exact_time(column: str) -> pl.Expr:
    """``YYYY-MM-DD HH:MM:SS+00:00`` to UTC."""
    return pl.col(column).str.strip_chars().str.to_datetime("%Y-%m-%d %H:%M:%S%z", time_zone="UTC", strict=False)


def _naive_utc_time(column: str) -> pl.Expr:
    """``YYYY-MM-DD HH:MM:SS`` without a zone, which the study wrote in UTC."""
    return (
        pl.col(column)
        .str.strip_chars()
        .str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")
        .dt.replace_time_zone("UTC")
    )


def _us_day(column: str) -> pl.Expr:
    """``M/D/YYYY`` (US order, no zero padding) to a date."""
    return pl.col(column).str.strip_chars().str.to_date("%m/%d/%Y", strict=False)


def count_true(frame: pl.DataFrame, predicate: pl.Expr) -> int:
    """Return how many rows of ``frame`` satisfy ``predicate``."""
    return int(frame.select(predicate.sum()).item() or 0)


def parse_patterns(frame: pl.DataFrame, notes: list[Normalisation]) -> pl.DataFrame:
    """Return one verdict per family from all_auto_and_manual_patterns.csv (short names, our lags).

    A family whose code and name disagree keeps the published name (how the study counted it)
    and gets a ``note``.

    Raises:
        InputError: An unknown pattern name, lag or code.
    """
    file = "all_auto_and_manual_patterns.csv"
    out = frame.with_columns(
        pl.col("family").str.strip_chars(),
        pattern_name("names").alias("pattern"),
        lag_name("Lagged").alias("lag"),
        pl.col("Syncs").str.strip_chars().alias("sync"),
        pl.col("intensity").str.strip_chars(),
        pl.col("codes").str.strip_chars().alias("code"),
    )
    _fail_on_nulls(out, "pattern", "names", file, "one of the eight pattern names")
    _fail_on_nulls(out, "lag", "Lagged", file, "Upstream First, No Lag or Downstream First")
    bad_code = out.filter(
        ~pl.col("code").is_in(list(PATTERN_BY_CODE)) | (pl.col("code") != pl.col("sync") + pl.col("intensity"))
    )
    if bad_code.height:
        raise InputError(f"Unexpected value in {file}", f"codes {bad_code['code'][0]!r} for {bad_code['family'][0]}")
    renamed = out.group_by("names", "pattern").len().sort("len", descending=True)
    notes.append(
        Normalisation(
            "pattern names shortened",
            out.height,
            ", ".join(f"{r['names']} → {r['pattern']} {r['len']}" for r in renamed.iter_rows(named=True)),
        )
    )
    notes.append(
        Normalisation(
            "'Rare Disjoing' read as 'Rare Disjoint'",
            count_true(out, pl.col("names").str.to_lowercase().str.contains("disjoing")),
            "the package's spelling of the pattern, in every file but RQ2_early_late_pattern.csv",
        )
    )
    lags = out.group_by("Lagged", "lag").len().sort("len", descending=True)
    notes.append(
        Normalisation(
            "lags renamed",
            out.height,
            ", ".join(f"{r['Lagged']} → {r['lag']} {r['len']}" for r in lags.iter_rows(named=True)),
        )
    )
    by_code = pl.col("code").replace_strict(PATTERN_BY_CODE, default=None, return_dtype=pl.String)
    out = out.with_columns(by_code.alias("_code_pattern"))
    odd = out.filter(pl.col("_code_pattern") != pl.col("pattern"))
    if odd.height:
        names = ", ".join(f"{r['family']} ({r['code']} named {r['names']})" for r in odd.iter_rows(named=True))
        notes.append(
            Normalisation(
                "code and pattern name disagree",
                odd.height,
                f"{names}: kept the published name, which is how the study counted it (the name reproduces "
                "its 128 Disperse / 50 Sparse families, the code would give 127 / 51); the code is kept as "
                "published and the family is noted",
            )
        )
    note = pl.when(pl.col("_code_pattern") != pl.col("pattern")).then(
        pl.format(
            "published as {} although its code {} means {}; counted as {} as in the study",
            pl.col("names"),
            pl.col("code"),
            pl.col("_code_pattern"),
            pl.col("pattern"),
        )
    )
    return out.with_columns(note.alias("note")).select(
        "family", "owner", "lag", "sync", "intensity", "code", "pattern", pl.col("generated").str.strip_chars(), "note"
    )


def parse_variants(frame: pl.DataFrame, notes: list[Normalisation]) -> pl.DataFrame:
    """Return one row per variant from complete_dataset.csv, with its three date formats parsed.

    Raises:
        InputError: A number or date cannot be read.
    """
    file = "complete_dataset.csv"
    repo = (
        pl.col("cleaned_github")
        .str.strip_chars()
        .str.replace(r"^https?://(www\.)?github\.com/", "")
        .str.replace(r"\.git$", "")
        .str.strip_chars_end("/")
    )
    out = frame.with_columns(
        pl.col("family").str.strip_chars(),
        pl.col("model_name").str.strip_chars().alias("model"),
        repo.alias("gh_repo"),
        pl.col("downloads").cast(pl.Int64, strict=False).alias("_downloads"),
        pl.col("likes").cast(pl.Int64, strict=False).alias("_likes"),
        _exact_time("first_created").alias("created_at"),
        _exact_time("last_modified").alias("_last_modified"),
        _exact_time("first_commits").alias("first_commit"),
        _exact_time("last_commits").alias("last_commit"),
        _us_day("created_at_main").alias("created_day"),
        _us_day("last_modified_main").alias("modified_day"),
        pl.col("age_days_individual_x").cast(pl.Float64, strict=False).alias("age_days"),
        pl.col("average_age_days").cast(pl.Float64, strict=False).alias("family_age_days"),
        (pl.col("has_github").str.strip_chars() == "Yes").alias("link_found_automatically"),
    )
    for parsed, raw, expected in (
        ("_downloads", "downloads", "a whole number"),
        ("_likes", "likes", "a whole number"),
        ("created_at", "first_created", "YYYY-MM-DD HH:MM:SS+00:00"),
        ("_last_modified", "last_modified", "YYYY-MM-DD HH:MM:SS+00:00"),
        ("first_commit", "first_commits", "YYYY-MM-DD HH:MM:SS+00:00"),
        ("last_commit", "last_commits", "YYYY-MM-DD HH:MM:SS+00:00"),
        ("created_day", "created_at_main", "M/D/YYYY"),
        ("modified_day", "last_modified_main", "M/D/YYYY"),
    ):
        _fail_on_nulls(out, parsed, raw, file, expected)
    valid = pl.col("gh_repo").str.contains(REPO_ID_RE.pattern) & ~pl.col("gh_repo").str.contains("..", literal=True)
    bad_repo = out.filter(~valid.fill_null(False))
    if bad_repo.height:
        notes.append(Normalisation("unusable GitHub links dropped", bad_repo.height, "not github.com/owner/repo"))
        out = out.with_columns(
            pl.when(pl.col("model").is_in(bad_repo["model"])).then(None).otherwise("gh_repo").alias("gh_repo")
        )
    same_created = count_true(out, pl.col("created_day") == pl.col("created_at").dt.date())
    same_modified = count_true(out, pl.col("modified_day") == pl.col("_last_modified").dt.date())
    notes.append(
        Normalisation(
            "dates in M/D/YYYY parsed",
            2 * out.height,
            "created_at_main and last_modified_main kept as days (created_day, modified_day); they are not "
            f"the exact first_created/last_modified (same day for {same_created} and {same_modified} of "
            f"{out.height} variants), which are used as created_at/last_modified",
        )
    )
    late = count_true(out, pl.col("last_commit").dt.date() > pl.lit(CUTOFF).str.to_date())
    if late:
        notes.append(
            Normalisation(
                "last HF commits after the study's cut-off",
                late,
                f"variants whose last_commits is after {CUTOFF}; kept as published",
            )
        )
    return out.select(
        "family",
        "model",
        pl.col("owner").str.strip_chars(),
        "gh_repo",
        pl.col("_downloads").alias("downloads"),
        pl.col("_likes").alias("likes"),
        pl.col("pipeline_tag").str.strip_chars(),
        pl.col("library_name").str.strip_chars().alias("library"),
        "created_at",
        pl.col("_last_modified").alias("last_modified"),
        "created_day",
        "modified_day",
        "first_commit",
        "last_commit",
        "age_days",
        "link_found_automatically",
        "family_age_days",
    )


def parse_transitions(frame: pl.DataFrame, notes: list[Normalisation]) -> pl.DataFrame:
    """Return the published transitions with UTC times (the file has no zone; HF times are days).

    Raises:
        InputError: A time, a day count or a platform cannot be read.
    """
    file = "GH_HF_commit_time_differences.csv"
    out = frame.with_columns(
        pl.col("family").str.strip_chars(),
        pl.col("source").str.strip_chars().str.to_uppercase(),
        pl.col("target").str.strip_chars().str.to_uppercase(),
        _naive_utc_time("prev_commit").alias("_prev"),
        _naive_utc_time("next_commit").alias("_next"),
        pl.col("days_difference").cast(pl.Int64, strict=False).alias("days"),
    )
    _fail_on_nulls(out, "_prev", "prev_commit", file, "YYYY-MM-DD HH:MM:SS")
    _fail_on_nulls(out, "_next", "next_commit", file, "YYYY-MM-DD HH:MM:SS")
    _fail_on_nulls(out, "days", "days_difference", file, "a whole number of days")
    if out.filter(~pl.col("source").is_in(["GH", "HF"]) | ~pl.col("target").is_in(["GH", "HF"])).height:
        raise InputError(f"Unexpected value in {file}", "source/target must be GH or HF")
    notes.append(
        Normalisation(
            "transition times without a zone read as UTC",
            2 * out.height,
            "prev_commit and next_commit are written YYYY-MM-DD HH:MM:SS",
        )
    )
    hf_times = pl.concat(
        [
            out.filter(pl.col("source") == "HF").select(pl.col("_prev").alias("t")),
            out.filter(pl.col("target") == "HF").select(pl.col("_next").alias("t")),
        ]
    )
    midnight = count_true(hf_times, pl.col("t") == pl.col("t").dt.truncate("1d"))
    notes.append(
        Normalisation(
            "HF transition times are days only",
            midnight,
            f"{midnight} of {hf_times.height} HF timestamps are 00:00:00 (the study kept the day of HF commits); "
            "GitHub times are exact",
        )
    )
    floor_days = (pl.col("_next") - pl.col("_prev")).dt.total_days()
    off = count_true(out, floor_days != pl.col("days"))
    if off:
        notes.append(Normalisation("days_difference differs from the times", off, "kept as published"))
    return out.select(
        "family", "source", "target", pl.col("_prev").alias("prev_commit"), pl.col("_next").alias("next_commit"), "days"
    )


def parse_evolution(frame: pl.DataFrame, notes: list[Normalisation]) -> pl.DataFrame:
    """Return each family's early and late pattern, lag and code from RQ2_early_late_pattern.csv.

    Raises:
        InputError: An unknown pattern name or lag.
    """
    file = "RQ2_early_late_pattern.csv"
    out = frame.with_columns(
        pl.col("family").str.strip_chars(),
        pattern_name("early_pattern").alias("_early_pattern"),
        pattern_name("late_pattern").alias("_late_pattern"),
        lag_name("early_lagged").alias("early_lag"),
        lag_name("late_lagged").alias("late_lag"),
        pl.col("early_codes").str.strip_chars().alias("early_code"),
        pl.col("late_codes").str.strip_chars().alias("late_code"),
    )
    for parsed, raw in (("_early_pattern", "early_pattern"), ("_late_pattern", "late_pattern")):
        _fail_on_nulls(out, parsed, raw, file, "a pattern name")
    for parsed, raw in (("early_lag", "early_lagged"), ("late_lag", "late_lagged")):
        _fail_on_nulls(out, parsed, raw, file, "Upstream First, No Lag or Downstream First")
    lower = count_true(out, pl.col("early_pattern").str.contains("disjoint pattern")) + count_true(
        out, pl.col("late_pattern").str.contains("disjoint pattern")
    )
    notes.append(
        Normalisation(
            "early/late pattern names normalised",
            2 * out.height,
            f"'<Name> Pattern' read as the short name; {lower} of them written 'Rare disjoint pattern' (lower case)",
        )
    )
    return out.select(
        "family",
        pl.col("_early_pattern").alias("early_pattern"),
        pl.col("_late_pattern").alias("late_pattern"),
        "early_lag",
        "late_lag",
        "early_code",
        "late_code",
    )


def parse_groups(frame: pl.DataFrame, counts: pl.DataFrame, notes: list[Normalisation]) -> pl.DataFrame:
    """Return each family's age group, pipeline tag and library from grouped_data_RQ2.csv.

    Args:
        frame: The file's columns (its first ``family`` column).
        counts: ``family, variants`` from complete_dataset.csv, to check the file's variant counts.
        notes: Where quirks are recorded.

    Raises:
        InputError: An unknown age group.
    """
    out = frame.with_columns(pl.col("family").str.strip_chars(), age_group_name("age_group").alias("_age_group"))
    _fail_on_nulls(out, "_age_group", "age_group", "grouped_data_RQ2.csv", "Recent-, Intermediate- or Matured-Families")
    notes.append(
        Normalisation(
            "age groups renamed",
            out.height,
            "Recent-Families → Recent, Intermediate-Families → Intermediate, Matured-Families → Matured; "
            "kept as published (grouped_data_RQ2.csv names 'family' twice; the first copy is used)",
        )
    )
    differ = out.join(counts, on="family", how="inner").filter(
        pl.col("model_name").cast(pl.Int64, strict=False) != pl.col("variants")
    )
    if differ.height:
        listed = ", ".join(f"{r['family']} {r['model_name']} vs {r['variants']}" for r in differ.iter_rows(named=True))
        notes.append(
            Normalisation(
                "variant counts disagree between files",
                differ.height,
                f"grouped_data_RQ2.csv vs complete_dataset.csv: {listed}; "
                "variants are counted from complete_dataset.csv",
            )
        )
    return out.select(
        "family",
        pl.col("_age_group").alias("age_group"),
        pl.col("pipeline_tag").str.strip_chars(),
        pl.col("library_name").str.strip_chars().alias("library"),
    )

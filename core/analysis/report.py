"""Provides build_report() and render_markdown(): the study's summary tables for the cache's families.

The report is a plain dict of tables (lists of row dicts) so that ``--format json`` is the
report itself and the markdown is one rendering of it; the app's dashboard reads the same
tables.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from core.analysis.maturity import AGE_GROUPS
from core.analysis.patterns import STATUS_OK
from core.analysis.service import Analysis
from core.io.tables import frame_records
from core.models import CHANGE_TYPES, LAGS, PATTERNS, SYNC_TYPES
from core.text import one_line
from core.words import plural


def _share(frame: pl.DataFrame, column: str, total: int | float) -> pl.DataFrame:
    return frame.with_columns((pl.col(column) / total * 100 if total else pl.lit(0.0)).round(1).alias(f"{column}_pct"))


def _number(value: object) -> float:
    """Return a polars scalar aggregate as a float (0.0 for null)."""
    return float(value) if isinstance(value, int | float) else 0.0


def pattern_counts(patterns: pl.DataFrame) -> pl.DataFrame:
    """Return ``pattern, families, families_pct, variants, variants_pct`` over the eight patterns."""
    ok = patterns.filter(pl.col("status") == STATUS_OK)
    counts = ok.group_by("pattern").agg(
        pl.len().cast(pl.Int64).alias("families"), pl.col("variants").sum().cast(pl.Int64).alias("variants")
    )
    frame = pl.DataFrame({"pattern": list(PATTERNS)}).join(counts, on="pattern", how="left").fill_null(0)
    frame = _share(frame, "families", ok.height)
    return _share(frame, "variants", int(frame["variants"].sum())).select(
        "pattern", "families", "families_pct", "variants", "variants_pct"
    )


def lag_counts(patterns: pl.DataFrame) -> pl.DataFrame:
    """Return ``lag, families, families_pct``."""
    ok = patterns.filter(pl.col("status") == STATUS_OK)
    counts = ok.group_by("lag").agg(pl.len().cast(pl.Int64).alias("families"))
    frame = pl.DataFrame({"lag": list(LAGS)}).join(counts, on="lag", how="left").fill_null(0)
    return _share(frame, "families", ok.height)


def crosstab(
    frame: pl.DataFrame, rows: str, cols: str, row_order: tuple[str, ...], col_order: tuple[str, ...]
) -> pl.DataFrame:
    """Return a count table of ``rows`` × ``cols`` with every listed value present, plus a total column."""
    counts = frame.group_by(rows, cols).agg(pl.len().cast(pl.Int64).alias("n"))
    grid = pl.DataFrame({rows: list(row_order)}).join(pl.DataFrame({cols: list(col_order)}), how="cross")
    full = grid.join(counts, on=[rows, cols], how="left").fill_null(0)
    wide = full.pivot(on=cols, index=rows, values="n", sort_columns=False)
    return wide.select(rows, *col_order).with_columns(pl.sum_horizontal(list(col_order)).alias("total"))


def delay_summary(transitions: pl.DataFrame, by: str) -> pl.DataFrame:
    """Return ``<by>, n, mean_days, median_days`` over transitions grouped by ``by``."""
    return (
        transitions.filter(pl.col(by).is_not_null())
        .group_by(by)
        .agg(
            pl.len().cast(pl.Int64).alias("n"),
            pl.col("days").mean().round(2).alias("mean_days"),
            pl.col("days").median().alias("median_days"),
        )
        .sort(by)
    )


def _ordered(frame: pl.DataFrame, column: str, order: tuple[str, ...]) -> pl.DataFrame:
    rank = {value: i for i, value in enumerate(order)}
    return frame.with_columns(pl.col(column).replace_strict(rank, default=len(order)).alias("_o")).sort("_o").drop("_o")


def transition_delays(analysis: Analysis) -> dict[str, pl.DataFrame]:
    """Return delay summaries by direction, lag group, pattern and age group."""
    joined = analysis.transitions.join(
        analysis.patterns.select("family", "lag", "pattern"), on="family", how="left"
    ).join(analysis.ages.select("family", "age_group"), on="family", how="left")
    joined = joined.with_columns(pl.concat_str("source", pl.lit("→"), "target").alias("direction"))
    overall = joined.select(
        pl.lit("all").alias("direction"),
        pl.len().cast(pl.Int64).alias("n"),
        pl.col("days").mean().round(2).alias("mean_days"),
        pl.col("days").median().alias("median_days"),
    )
    return {
        "direction": pl.concat([overall, delay_summary(joined, "direction")], how="vertical_relaxed"),
        "lag": _ordered(delay_summary(joined, "lag"), "lag", LAGS),
        "pattern": _ordered(delay_summary(joined, "pattern"), "pattern", PATTERNS),
        "age_group": _ordered(delay_summary(joined, "age_group"), "age_group", AGE_GROUPS),
    }


def build_report(analysis: Analysis) -> dict[str, Any]:
    """Return the report as JSON-ready data: a summary and named tables of row dicts."""
    patterns = analysis.patterns
    ok = patterns.filter(pl.col("status") == STATUS_OK)
    skipped = patterns.filter(pl.col("status") != STATUS_OK).group_by("status").len().sort("status")
    with_age = ok.join(analysis.ages.select("family", "age_group"), on="family", how="left")
    delays = transition_delays(analysis)
    tables: dict[str, pl.DataFrame] = {
        "patterns": pattern_counts(patterns),
        "lags": lag_counts(patterns),
        "type_by_lag": crosstab(ok, "sync", "lag", SYNC_TYPES, LAGS),
        "delays_by_direction": delays["direction"],
        "delays_by_lag": delays["lag"],
        "delays_by_pattern": delays["pattern"],
        "delays_by_age_group": delays["age_group"],
        "pattern_by_age_group": crosstab(
            with_age.filter(pl.col("age_group").is_not_null()), "pattern", "age_group", PATTERNS, AGE_GROUPS
        ),
    }
    evolution = analysis.evolution.filter(pl.col("early_status").eq(STATUS_OK) & pl.col("late_status").eq(STATUS_OK))
    summary: dict[str, Any] = {
        "families": patterns.height,
        "families_analysed": ok.height,
        "families_skipped": {row["status"]: row["len"] for row in skipped.iter_rows(named=True)},
        "variants": int(ok["variants"].sum()),
        "transitions": analysis.transitions.height,
        "age_boundaries_days": [round(b, 1) for b in analysis.age_bounds],
        "kept_pattern_pct": round(_number(evolution["kept_pattern"].mean()) * 100, 1) if evolution.height else None,
    }
    if analysis.similarity is not None:
        jac = analysis.similarity.join(ok.select("family"), on="family", how="semi")["jaccard"]
        summary["jaccard"] = {
            "families": jac.len(),
            "mean": round(_number(jac.mean()), 3),
            "median": round(_number(jac.median()), 3),
        }
    if analysis.change_types is not None:
        tables["change_types"] = _change_type_table(analysis.change_types)
    if analysis.label_coverage is not None:
        tables["label_coverage"] = analysis.label_coverage
    return {"summary": summary, "tables": {name: frame_records(frame) for name, frame in tables.items()}}


def _change_type_table(distribution: pl.DataFrame) -> pl.DataFrame:
    wide = distribution.with_columns(pl.col("share").round(1)).pivot(
        on="platform", index="label", values=["commits", "share"], sort_columns=True
    )
    order = {label: i for i, label in enumerate(CHANGE_TYPES)}
    return (
        wide.with_columns(pl.col("label").replace_strict(order, default=99).alias("_o"))
        .sort("_o")
        .drop("_o")
        .fill_null(0)
    )


TITLES = {
    "patterns": "Families and variants per pattern",
    "lags": "Lag: who moves first",
    "type_by_lag": "Synchronization type × lag (families)",
    "delays_by_direction": "Transition delays by direction (days)",
    "delays_by_lag": "Transition delays by lag group (days)",
    "delays_by_pattern": "Transition delays by pattern (days)",
    "delays_by_age_group": "Transition delays by age group (days)",
    "pattern_by_age_group": "Pattern by age group (families)",
    "change_types": "Change types per platform (commits and % of the platform's labelled commits)",
    "label_coverage": "Label coverage (left out: bug fix, add model, unclear; by source: rule, llm, manual)",
}


def markdown_table(rows: list[dict[str, Any]]) -> str:
    """Return rows of dicts as a GitHub-flavoured markdown table (cells made single-line and safe)."""
    if not rows:
        return "_(no data)_\n"
    headers = list(rows[0])

    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, float):
            value = f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value)}"
        return one_line(str(value)).replace("|", "\\|")

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(row[h]) for h in headers) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def report_table(report: dict[str, Any], name: str | None = None) -> pl.DataFrame:
    """Return one table of the report as a frame, or every table in long form when ``name`` is None.

    The long form has one row per cell: ``table, row, column, value`` (value as text), so that a
    whole report fits one CSV or Parquet file.
    """
    if name is not None:
        rows = report["tables"][name]
        return pl.DataFrame(rows, infer_schema_length=None) if rows else pl.DataFrame()
    cells = [
        {"table": table, "row": i, "column": column, "value": None if value is None else str(value)}
        for table, rows in report["tables"].items()
        for i, row in enumerate(rows)
        for column, value in row.items()
    ]
    schema = {"table": pl.String, "row": pl.Int64, "column": pl.String, "value": pl.String}
    return pl.DataFrame(cells, schema=schema)


def _summary_lines(summary: dict[str, Any]) -> list[str]:
    out = [
        f"{summary['families_analysed']} of {plural(summary['families'], 'family', 'families')} analysed "
        f"({plural(summary['variants'], 'HF variant')}), {plural(summary['transitions'], 'transition')}."
    ]
    for status, count in summary.get("families_skipped", {}).items():
        out.append(f"Skipped: {plural(count, 'family', 'families')} with {status}.")
    bounds = summary.get("age_boundaries_days")
    if bounds and all(b == b for b in bounds):
        out.append(f"Age tertile boundaries: {bounds[0]} and {bounds[1]} days.")
    if summary.get("kept_pattern_pct") is not None:
        out.append(f"Families whose early and late pattern agree: {summary['kept_pattern_pct']} %.")
    if "jaccard" in summary:
        jac = summary["jaccard"]
        out.append(
            f"Change-type similarity (Jaccard) over {plural(jac['families'], 'labelled family', 'labelled families')}: "
            f"mean {jac['mean']}, median {jac['median']}."
        )
    return out


def render_markdown(report: dict[str, Any], title: str = "ptlm-tui synchronization report") -> str:
    """Return the report as markdown."""
    out = [f"# {title}", "", *_summary_lines(report["summary"]), ""]
    for name, rows in report["tables"].items():
        out += [f"## {TITLES.get(name, name)}", "", markdown_table(rows)]
    return "\n".join(out)


def render_text(report: dict[str, Any], title: str = "ptlm-tui synchronization report") -> str:
    """Return the report as aligned plain-text tables, for reading in a terminal."""
    from core.io.tables import render_text_table

    out = [title, "", *_summary_lines(report["summary"]), ""]
    for name, rows in report["tables"].items():
        heading = TITLES.get(name, name)
        table = render_text_table(pl.DataFrame(rows, infer_schema_length=None)) if rows else "(no data)\n"
        out += [heading, "=" * len(heading), table]
    return "\n".join(out)

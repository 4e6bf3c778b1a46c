"""Provides figures(): the dashboard's five charts and their numeric tables, from the analysis report.

The numbers are ``core.analysis.report.build_report``'s tables (the same as ``ptlm-tui
report``); this module only chooses what each chart plots.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from core.analysis.maturity import AGE_GROUPS
from core.models import CHANGE_TYPES, LAGS, PATTERNS
from core.words import noun, plural
from tui.widgets.chart import ChartSpec, Series


@dataclass(frozen=True)
class Figure:
    """One dashboard chart with its table and a line about what it shows."""

    id: str
    title: str
    spec: ChartSpec
    table: pl.DataFrame
    note: str = ""


def _rows(report: dict[str, Any], name: str) -> list[dict[str, Any]]:
    rows = report["tables"].get(name, [])
    return list(rows) if isinstance(rows, list) else []


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    return pl.DataFrame(rows) if rows else pl.DataFrame({"": []})


def _values(rows: list[dict[str, Any]], key: str, column: str, order: tuple[str, ...]) -> tuple[float, ...]:
    by = {r[key]: r.get(column) or 0 for r in rows}
    return tuple(float(by.get(name, 0) or 0) for name in order)


# Report column names as table headers people read (the report's names are for scripts).
HEADERS: dict[str, str] = {
    "pattern": "Pattern",
    "families": "Families",
    "families_pct": "Families (%)",
    "variants": "Variants",
    "variants_pct": "Variants (%)",
    "lag": "Lag (who moves first)",
    "label": "Change type",
    "commits_github": "GitHub commits",
    "commits_huggingface": "HF commits",
    "share_github": "GitHub share (%)",
    "share_huggingface": "HF share (%)",
    "n": "Transitions",
    "mean_days": "Mean (days)",
    "median_days": "Median (days)",
    "total": "Total",
    "ours": "Ours (families)",
    "study": "Study (families)",
}


def header(name: str) -> str:
    """Return the human title of a report column (age groups and lags are already words)."""
    return HEADERS.get(name, name.replace("_", " "))


def _study_figure(report: dict[str, Any], ours: list[dict[str, Any]]) -> Figure:
    """The study's 325 published patterns beside ours (``report["published"]``, after import-study)."""
    published = report.get("published")
    rows = _rows(published, "patterns") if published else []
    ours_by = {r["pattern"]: r.get("families") or 0 for r in ours}
    study_by = {r["pattern"]: r.get("families") or 0 for r in rows}
    table = (
        pl.DataFrame(
            [{"pattern": p, "study": int(study_by.get(p, 0)), "ours": int(ours_by.get(p, 0))} for p in PATTERNS]
        )
        if rows
        else _frame([])
    )
    total = sum(int(v) for v in study_by.values())
    note = (
        f"The study published a pattern for {total:,} families (arXiv 2508.10157); ours from the cache's commits"
        if rows
        else "No published results in the cache: `ptlm-tui import-study DIR` imports the study's 325 patterns"
    )
    return Figure(
        "study",
        "Study",
        ChartSpec(
            "Families per pattern: the study's published verdicts and ours",
            PATTERNS,
            (
                Series("the study (published)", _values(rows, "pattern", "families", PATTERNS)),
                Series("ours (this cache)", _values(ours, "pattern", "families", PATTERNS)),
            )
            if rows
            else (),
            kind="grouped",
            xlabel="families",
            empty="No published results yet: run `ptlm-tui import-study DIR` to compare with the study.",
        ),
        table,
        note,
    )


def figures(report: dict[str, Any]) -> list[Figure]:
    """Return the dashboard's figures for ``report`` (one per ``tui.bindings.CHART_TABS``)."""
    summary = report["summary"]
    families = summary["families"]
    analysed = f"{summary['families_analysed']:,} of {plural(families, 'family')} {noun(families, 'has')} a pattern"
    patterns = _rows(report, "patterns")
    lags = _rows(report, "lags")
    delays = _rows(report, "delays_by_pattern")
    ages = _rows(report, "pattern_by_age_group")
    types = _rows(report, "change_types")
    delay_patterns = tuple(p for p in PATTERNS if any(r["pattern"] == p for r in delays))
    type_order = tuple(
        sorted(
            (t for t in CHANGE_TYPES if any(r["label"] == t for r in types)),
            key=lambda t: (
                -sum(
                    float(r.get("share_github", 0)) + float(r.get("share_huggingface", 0))
                    for r in types
                    if r["label"] == t
                )
            ),
        )
    )
    bounds = summary.get("age_boundaries_days") or []
    age_note = (
        f"Age groups: tertiles of the mean HF age, boundaries {bounds[0]} and {bounds[1]} days"
        if len(bounds) == 2 and all(b == b for b in bounds)
        else "Age groups need Hugging Face commits"
    )
    return [
        Figure(
            "patterns",
            "Patterns",
            ChartSpec(
                "Families per pattern",
                PATTERNS,
                (Series("families", _values(patterns, "pattern", "families", PATTERNS)),),
                xlabel="families",
            ),
            _frame(patterns),
            analysed,
        ),
        Figure(
            "lags",
            "Lag",
            ChartSpec(
                "Who moves first",
                LAGS,
                (Series("families", _values(lags, "lag", "families", LAGS)),),
                xlabel="families",
            ),
            _frame(lags),
            analysed,
        ),
        Figure(
            "change_types",
            "Change types",
            ChartSpec(
                "Change types: share of each platform's labelled commits (%)",
                type_order,
                (
                    Series("GitHub", _values(types, "label", "share_github", type_order)),
                    Series("Hugging Face", _values(types, "label", "share_huggingface", type_order)),
                ),
                kind="grouped",
                xlabel="% of the platform's labelled commits",
                empty="No labelled commits yet: press C to classify them.",
            ),
            _frame(types),
            "Labels from rules, a local model or by hand; bug fix, add model and unclear are left out",
        ),
        Figure(
            "delays",
            "Delays",
            ChartSpec(
                "Days between platform switches, by pattern",
                delay_patterns,
                (
                    Series("mean", _values(delays, "pattern", "mean_days", delay_patterns)),
                    Series("median", _values(delays, "pattern", "median_days", delay_patterns)),
                ),
                kind="grouped",
                xlabel="days",
            ),
            _frame(delays),
            f"{summary.get('transitions', 0):,} transitions (docs/method.md §4)",
        ),
        Figure(
            "ages",
            "Age groups",
            ChartSpec(
                "Families per pattern and age group",
                PATTERNS,
                tuple(Series(group, _values(ages, "pattern", group, PATTERNS)) for group in AGE_GROUPS),
                kind="stacked",
                xlabel="families",
            ),
            _frame(ages),
            age_note,
        ),
        _study_figure(report, patterns),
    ]

"""Provides the verbs import, analyze, transitions and report (FORMATS.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import InputError

if TYPE_CHECKING:  # the parser is built for every command; keep polars and pydantic out of it
    from core.config import AnalysisSettings
    from tui.cli.context import Context

MAX_REJECTIONS_SHOWN = 20
TABLE_COLUMNS = ["family", "lag", "code", "pattern", "variants", "gh_commits", "hf_commits", "status"]


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def add_analysis_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that change the method (bin length, HF day truncation, cut-off, families)."""
    group = parser.add_argument_group("method")
    group.add_argument("--family", action="append", metavar="ID", help="only this family (repeatable)")
    group.add_argument("--bin-days", type=int, metavar="N", help="bin length in days (default 14)")
    group.add_argument(
        "--hf-time",
        choices=("day", "full"),
        help="HF commit times: cut to the UTC day as the study did (day, default) or keep them (full)",
    )
    group.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="ignore commits after this UTC day")


def add_output_options(parser: argparse.ArgumentParser, formats: tuple[str, ...], default: str) -> None:
    """Add --format and --output."""
    parser.add_argument("--format", choices=formats, default=default, help=f"output format (default {default})")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE instead of stdout")


def analysis_settings(ctx: Context) -> AnalysisSettings:
    """Return the analysis settings with this command's flags applied."""
    args = ctx.args
    update: dict[str, Any] = {}
    if args.bin_days is not None:
        if args.bin_days < 1:
            raise InputError("Invalid --bin-days", str(args.bin_days), "give a whole number of days ≥ 1")
        update["bin_days"] = args.bin_days
    if args.hf_time is not None:
        update["truncate_hf_to_day"] = args.hf_time == "day"
    if args.until is not None:
        update["until"] = args.until
    return ctx.settings.analysis.model_copy(update=update)


def selected_families(ctx: Context) -> list[str] | None:
    """Return the --family values (comma-separated allowed), checking that each is in the cache."""
    if not ctx.args.family:
        return None
    wanted = [f.strip() for value in ctx.args.family for f in value.split(",") if f.strip()]
    store = ctx.store
    known = set(store.collect(store.commits(["family"]).unique())["family"].to_list()) | set(
        store.families(["family"])["family"].to_list()
    )
    missing = [f for f in wanted if f not in known]
    if missing:
        close = sorted(k for k in known if any(m.lower() in k.lower() for m in missing))[:5]
        hint = f"did you mean {', '.join(close)}?" if close else "`ptlm-tui analyze` lists the families in the cache"
        raise InputError("Unknown family", ", ".join(missing), hint)
    return wanted


def _require_commits(ctx: Context) -> None:
    if not ctx.store.has_commits():
        raise InputError(
            "The cache holds no commits",
            ctx.store.where,
            "run `ptlm-tui import FILE` or `ptlm-tui sync` first (or pass --cache-dir)",
        )


def run_import(ctx: Context) -> int:
    """ptlm-tui import FILE...: merge commits tables into the cache."""
    from core.io.importer import import_commit_files

    report = import_commit_files(ctx.store, ctx.args.files, strict=ctx.args.strict)
    for rejection in report.rejections[:MAX_REJECTIONS_SHOWN]:
        ctx.info(f"rejected {rejection.message()}")
    if len(report.rejections) > MAX_REJECTIONS_SHOWN:
        ctx.info(f"... and {len(report.rejections) - MAX_REJECTIONS_SHOWN} more rejected rows")
    ctx.info(report.summary())
    return 1 if report.strict_refused else 0


def run_analyze(ctx: Context) -> int:
    """ptlm-tui analyze: one pattern row per family."""
    from core.analysis import service
    from core.io.tables import write_table

    _require_commits(ctx)
    frame = service.patterns(ctx.store, analysis_settings(ctx), selected_families(ctx))
    if ctx.args.format == "table":
        # People read the verdict; the figures behind it are in csv/json/parquet.
        frame = frame.select(TABLE_COLUMNS)
    write_table(frame, ctx.args.format, ctx.args.output, ctx.out)
    return 0


def run_transitions(ctx: Context) -> int:
    """ptlm-tui transitions: every platform switch on each family's timeline."""
    from core.analysis import service
    from core.io.tables import write_table

    _require_commits(ctx)
    frame = service.transitions(ctx.store, analysis_settings(ctx), selected_families(ctx))
    write_table(frame, ctx.args.format, ctx.args.output, ctx.out)
    return 0


def run_report(ctx: Context) -> int:
    """ptlm-tui report: the study's summary tables for the cache's families."""
    from core.analysis import service
    from core.analysis.report import build_report, render_markdown

    if getattr(ctx.args, "published", False):
        from tui.cli.study_cmds import published_report_text

        _emit(ctx, published_report_text(ctx))
        return 0
    _require_commits(ctx)
    analysis = service.analyze(ctx.store, analysis_settings(ctx), selected_families(ctx))
    report = build_report(analysis)
    text = (
        json.dumps(report, indent=2, ensure_ascii=False) + "\n"
        if ctx.args.format == "json"
        else render_markdown(report)
    )
    _emit(ctx, text)
    return 0


def _emit(ctx: Context, text: str) -> None:
    if ctx.args.output:
        try:
            ctx.args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError("Cannot write output", f"{ctx.args.output}: {exc.strerror}", "check the path") from exc
    else:
        ctx.out.write(text)


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add import, analyze, transitions and report."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "import",
        parents=[common],
        formatter_class=fmt,
        help="load commits tables (CSV or Parquet) into the cache",
        description="Load commits tables (FORMATS.md) into the cache. Rows with the same (platform, repo, sha) "
        "replace earlier ones; bad rows are reported with file and line and skipped.",
        epilog="examples:\n  ptlm-tui import commits.csv\n  ptlm-tui import --strict gh.parquet hf.csv",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="commits table, .csv or .parquet")
    p.add_argument("--strict", action="store_true", help="take nothing if any row is bad")
    p.set_defaults(func=run_import)

    p = subparsers.add_parser(
        "analyze",
        parents=[common],
        formatter_class=fmt,
        help="synchronization pattern of every family",
        description="Compute lag, synchronization type, intensity and pattern per family (METHOD.md §3).",
        epilog="examples:\n  ptlm-tui analyze\n  ptlm-tui analyze --format csv --until 2024-10-10 > patterns.csv\n"
        "  ptlm-tui analyze --family google-bert_bert --format json\n"
        "  ptlm-tui analyze --format parquet -o patterns.parquet",
    )
    add_analysis_options(p)
    add_output_options(p, ("table", "csv", "json", "parquet"), "table")
    p.set_defaults(func=run_analyze)

    p = subparsers.add_parser(
        "transitions",
        parents=[common],
        formatter_class=fmt,
        help="delays between platform switches",
        description="List each switch between GitHub and Hugging Face on a family's timeline (METHOD.md §4).",
        epilog="examples:\n  ptlm-tui transitions --family microsoft_BiomedNLP\n"
        "  ptlm-tui transitions --format csv -o transitions.csv",
    )
    add_analysis_options(p)
    add_output_options(p, ("table", "csv", "json", "parquet"), "table")
    p.set_defaults(func=run_transitions)

    p = subparsers.add_parser(
        "report",
        parents=[common],
        formatter_class=fmt,
        help="the study's summary tables for your families",
        description="Families and variants per pattern, lags, type × lag, transition delays, pattern by age "
        "group, and change-type similarity when commits are labelled.",
        epilog="examples:\n  ptlm-tui report\n  ptlm-tui report --format json -o report.json\n"
        "  ptlm-tui report --until 2024-10-10 --bin-days 28\n"
        "  ptlm-tui report --published              the study's own numbers (after import-study)",
    )
    add_analysis_options(p)
    add_output_options(p, ("markdown", "json"), "markdown")
    p.add_argument("--published", action="store_true", help="report the study's published results (see import-study)")
    p.set_defaults(func=run_report)

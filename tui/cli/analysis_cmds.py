"""Provides the verbs import, analyze, transitions and report (docs/formats.md)."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import InputError, UsageError
from core.words import plural
from tui.cli.context import TABLE_FORMATS, family_arguments, output_arguments
from tui.cli.main import ERROR, OK, PARTIAL

if TYPE_CHECKING:  # the parser is built for every command; keep polars out of it
    from core.config import AnalysisSettings
    from core.io.importer import Rejection
    from tui.cli.context import Context

MAX_REJECTIONS_SHOWN = 20
TABLE_COLUMNS = ["family", "lag", "code", "pattern", "variants", "gh_commits", "hf_commits", "status"]
TABLE_SUFFIXES = (".csv", ".parquet", ".pq")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def add_analysis_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that change the method (bin length, HF day truncation, cut-off)."""
    group = parser.add_argument_group("method")
    group.add_argument("--bin-days", type=int, metavar="N", help="bin length in days (default 14)")
    group.add_argument(
        "--hf-time",
        choices=("day", "full"),
        help="HF commit times: cut to the UTC day as the study did (day, default) or keep them (full)",
    )
    group.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="ignore commits after this UTC day")


def analysis_settings(ctx: Context) -> AnalysisSettings:
    """Return the analysis settings with this command's flags applied."""
    args = ctx.args
    update: dict[str, Any] = {}
    if args.bin_days is not None:
        if args.bin_days < 1:
            raise UsageError("Invalid --bin-days", str(args.bin_days), "give a whole number of days ≥ 1")
        update["bin_days"] = args.bin_days
    if args.hf_time is not None:
        update["truncate_hf_to_day"] = args.hf_time == "day"
    if args.until is not None:
        update["until"] = args.until
    return ctx.settings.analysis.model_copy(update=update)


def _require_commits(ctx: Context) -> None:
    if not ctx.store.has_commits():
        raise InputError(
            "The cache holds no commits",
            ctx.store.where,
            "run `ptlm-tui import FILE` or `ptlm-tui sync` first (or pass --cache-dir, or name commits files)",
        )


def _report_rejections(ctx: Context, rejections: list[Rejection]) -> None:
    for rejection in rejections[:MAX_REJECTIONS_SHOWN]:
        ctx.info(f"rejected {rejection.message()}")
    if len(rejections) > MAX_REJECTIONS_SHOWN:
        ctx.info(f"... and {len(rejections) - MAX_REJECTIONS_SHOWN} more rejected rows")


def rows_status(read: int, taken: int, rejected: int) -> int:
    """Exit status of a command that took rows: 3 when some were rejected, 1 when all were."""
    if rejected and not taken:
        return ERROR
    return PARTIAL if rejected else OK


def run_import(ctx: Context) -> int:
    """ptlm-tui import FILE...: merge commits tables into the cache."""
    from core.io.importer import import_commit_files

    report = import_commit_files(ctx.store, ctx.args.files, strict=ctx.args.strict)
    _report_rejections(ctx, report.rejections)
    ctx.info(report.summary())
    if report.strict_refused:
        return ERROR
    return rows_status(report.read, report.taken, len(report.rejections))


def _files_and_families(ctx: Context) -> list[Path]:
    """Split analyze's positionals: commits tables (by suffix or path) go apart from family ids."""
    files, families = [], []
    for value in ctx.args.families:
        if value.lower().endswith(TABLE_SUFFIXES) or "/" in value or value.startswith("."):
            files.append(Path(value))
        else:
            families.append(value)
    ctx.args.families = families
    return files


def run_analyze(ctx: Context) -> int:
    """ptlm-tui analyze [FILE...] [FAMILY...]: one pattern row per family."""
    from core.analysis import service

    files = _files_and_families(ctx)
    if files:
        return _analyze_files(ctx, files)
    _require_commits(ctx)
    frame = service.patterns(ctx.store, analysis_settings(ctx), ctx.families())
    # People read the verdict in a table; the figures behind it are in csv/json/parquet.
    ctx.table(frame, TABLE_COLUMNS)
    return OK


def _analyze_files(ctx: Context, files: list[Path]) -> int:
    """Analyse commits tables straight from the files, in this process, without the cache."""
    from core.analysis.service import patterns_of_commits
    from core.io.importer import read_commit_files

    read = read_commit_files(files, columns=("family", "platform", "repo", "authored_at"))
    _report_rejections(ctx, read.rejections)
    if read.rejections:
        ctx.info(f"analysed {read.frame.height} of {plural(read.read, 'row')}; rejected {len(read.rejections)}")
    wanted = ctx.family_names()
    present = set(read.frame["family"].unique().to_list()) if wanted else set()
    missing = [f for f in wanted if f not in present]
    if missing:
        raise InputError(
            "Unknown family", ", ".join(missing), "the families of the files are in `ptlm-tui analyze FILE`"
        )
    ctx.table(patterns_of_commits(read.frame, analysis_settings(ctx), wanted or None), TABLE_COLUMNS)
    return rows_status(read.read, read.frame.height, len(read.rejections))


def run_transitions(ctx: Context) -> int:
    """ptlm-tui transitions [FAMILY...]: every platform switch on each family's timeline."""
    from core.analysis import service

    _require_commits(ctx)
    ctx.table(service.transitions(ctx.store, analysis_settings(ctx), ctx.families()))
    return OK


def run_report(ctx: Context) -> int:
    """ptlm-tui report [FAMILY...]: the study's summary tables for the cache's families."""
    from core.analysis import service
    from core.analysis.report import build_report

    if getattr(ctx.args, "published", False):
        from tui.cli.study_cmds import published_report

        write_report(ctx, *published_report(ctx))
        return OK
    _require_commits(ctx)
    analysis = service.analyze(ctx.store, analysis_settings(ctx), ctx.families())
    write_report(ctx, build_report(analysis))
    return OK


def write_report(ctx: Context, report: dict[str, Any], title: str | None = None, note: str = "") -> None:
    """Write a report (``core.analysis.report``) in ``--format``.

    markdown and table show every table under its heading; json is the report itself; csv and
    parquet are one table: ``--table NAME``, or all tables in long form. ``--table`` narrows
    any format to that table.
    """
    import json

    from core.analysis import report as rendering

    fmt, name = ctx.args.format, ctx.args.table
    if name is not None and name not in report["tables"]:
        raise UsageError("Unknown report table", name, "use one of: " + ", ".join(report["tables"]))
    if name is not None or fmt in ("csv", "parquet"):
        frame = rendering.report_table(report, name)
        if fmt == "markdown":
            ctx.emit(rendering.markdown_table(frame.to_dicts()))
        else:
            ctx.table(frame)
    elif fmt == "json":
        ctx.emit(json.dumps(report, indent=2, ensure_ascii=False) + "\n", json_style=True)
    else:
        render = rendering.render_markdown if fmt == "markdown" else rendering.render_text
        text = render(report, title) if title else render(report)
        if note:
            head, _, rest = text.partition("\n\n")
            text = f"{head}\n\n{note}\n\n{rest}"
        ctx.emit(text)


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add import, analyze, transitions and report."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "import",
        parents=[common],
        formatter_class=fmt,
        description="Load commits tables (docs/formats.md) into the cache. Rows with the same (platform, repo, "
        "sha) replace earlier ones; bad rows (missing fields, unknown platform, a time that cannot be read or is "
        "outside 1970-2100) are reported with file and line and skipped. Exit status 3 when some rows were "
        "rejected, 1 when all were.",
        epilog="examples:\n  ptlm-tui import commits.csv\n  ptlm-tui import --strict gh.parquet hf.csv",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="commits table, .csv or .parquet")
    p.add_argument("--strict", action="store_true", help="take nothing if any row is bad")
    p.set_defaults(func=run_import)

    p = subparsers.add_parser(
        "analyze",
        parents=[common],
        formatter_class=fmt,
        description="Compute lag, synchronization type, intensity and pattern per family (docs/method.md §3), "
        "from the cache, or straight from commits tables named on the command line (.csv, .parquet; the cache "
        "is then not used at all).",
        epilog="examples:\n  ptlm-tui analyze\n  ptlm-tui analyze --format csv --until 2024-10-10 > patterns.csv\n"
        "  ptlm-tui analyze google-bert_bert --format json\n"
        "  ptlm-tui analyze commits.csv --format csv         no import, no cache\n"
        "  ptlm-tui analyze --format parquet -o patterns.parquet",
    )
    family_arguments(p, "family ids (default: all), or commits tables (.csv, .parquet) to analyse directly")
    add_analysis_options(p)
    output_arguments(p, TABLE_FORMATS, "table")
    p.set_defaults(func=run_analyze)

    p = subparsers.add_parser(
        "transitions",
        parents=[common],
        formatter_class=fmt,
        description="List each switch between GitHub and Hugging Face on a family's timeline (docs/method.md §4).",
        epilog="examples:\n  ptlm-tui transitions microsoft_BiomedNLP\n"
        "  ptlm-tui transitions --format csv -o transitions.csv",
    )
    family_arguments(p)
    add_analysis_options(p)
    output_arguments(p, TABLE_FORMATS, "table")
    p.set_defaults(func=run_transitions)

    p = subparsers.add_parser(
        "report",
        parents=[common],
        formatter_class=fmt,
        description="Families and variants per pattern, lags, type × lag, transition delays, pattern by age "
        "group, and change-type similarity when commits are labelled. csv and parquet write one table: the one "
        "--table names, or all of them in long form (table, row, column, value).",
        epilog="examples:\n  ptlm-tui report\n  ptlm-tui report --format json -o report.json\n"
        "  ptlm-tui report --until 2024-10-10 --bin-days 28\n"
        "  ptlm-tui report --format csv --table patterns\n"
        "  ptlm-tui report --published              the study's own numbers (after import-study)",
    )
    family_arguments(p)
    add_analysis_options(p)
    output_arguments(p, ("markdown", *TABLE_FORMATS), "markdown")
    p.add_argument("--table", metavar="NAME", help="only this table (e.g. patterns, lags, delays_by_pattern)")
    p.add_argument("--published", action="store_true", help="report the study's published results (see import-study)")
    p.set_defaults(func=run_report)

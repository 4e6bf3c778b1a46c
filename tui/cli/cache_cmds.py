"""Provides the cache verbs: ``ptlm-tui cache check|history|restore|compact``.

Every one calls the cache's upkeep operations (``cache.maintenance``); nothing here touches a
file. Headless: no textual import.
"""

from __future__ import annotations

import argparse
import datetime as dt
from typing import TYPE_CHECKING, Any

from core.errors import InputError, UsageError

if TYPE_CHECKING:
    from tui.cli.context import Context


def _when(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time (e.g. 2025-01-31T12:00:00Z)") from None
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


def run_check(ctx: Context) -> int:
    """ptlm-tui cache check: read every table whole and say which are sound."""
    import polars as pl

    store = ctx.store
    checks = store.check()
    frame = pl.DataFrame(
        {
            "table": [c.table for c in checks],
            "state": ["ok" if c.ok else "DAMAGED" for c in checks],
            "version": [c.version for c in checks],
            "files": [c.files for c in checks],
            "rows": [c.live_rows for c in checks],
            "stored_rows": [c.stored_rows for c in checks],
            "problem": [c.problem for c in checks],
        }
    )
    ctx.table(frame)
    leftovers = store.leftovers()
    if leftovers:
        ctx.info(f"{len(leftovers)} temporary files of killed runs: `ptlm-tui cache compact` removes them")
    bad = [c.table for c in checks if not c.ok]
    if bad:
        ctx.info(
            f"damaged: {', '.join(bad)}; `ptlm-tui cache history TABLE` lists its versions and "
            "`ptlm-tui cache restore TABLE VERSION` brings a sound one back"
        )
        return 1
    ctx.info(f"every table of {store.where} reads whole")
    return 0


def run_history(ctx: Context) -> int:
    """ptlm-tui cache history [TABLE]: the versions of one table or all."""
    frame = ctx.store.history(ctx.args.table, ctx.args.limit)
    if ctx.args.limit and not ctx.args.table:
        frame = frame.head(ctx.args.limit)
    ctx.table(frame)
    return 0


def run_restore(ctx: Context) -> int:
    """ptlm-tui cache restore TABLE VERSION | --at TIME."""
    args, store = ctx.args, ctx.store
    if args.at is not None:
        if args.table is not None or args.version is not None:
            raise UsageError("Give either TABLE VERSION or --at TIME", "", "`ptlm-tui cache restore --help`")
        done = store.restore_at(args.at)
        for table, version in done.items():
            ctx.info(f"{table}: " + ("emptied (written only later)" if version is None else f"version {version}"))
        ctx.info(f"restored every table as it was at {args.at.isoformat(timespec='seconds')} (each as a new version)")
        return 0
    if args.table is None or args.version is None:
        raise UsageError("Give TABLE VERSION, or --at TIME", "", "`ptlm-tui cache history` lists the versions")
    new = store.restore(args.table, args.version)
    ctx.info(f"{args.table}: version {args.version} is current again (as version {new}; nothing was deleted)")
    return 0


def run_compact(ctx: Context) -> int:
    """ptlm-tui cache compact [TABLE...]: compact, checkpoint, vacuum."""
    store = ctx.store
    unknown = [t for t in ctx.args.tables if t not in store.table_names()]
    if unknown:
        raise InputError("Unknown cache table", ", ".join(unknown), "tables: " + ", ".join(store.table_names()))
    done = store.compact(ctx.args.tables or None, retention_hours=ctx.args.retention_hours)
    for c in done:
        ctx.info(
            f"{c.table}: {c.files_before} → {c.files_after} files, {c.rows_before} → {c.rows_after} stored rows, "
            f"{c.removed_files} old files removed ({c.seconds:.1f} s)"
        )
    if not done:
        ctx.info("nothing to compact: the cache holds no tables yet")
    return 0


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add ``cache`` and its subcommands."""
    from tui.cli.context import TABLE_FORMATS, output_arguments

    fmt = argparse.RawDescriptionHelpFormatter
    cache = subparsers.add_parser(
        "cache",
        parents=[common],
        formatter_class=fmt,
        description="The cache is a set of Delta Lake tables; every write is a new version. Check that "
        "every table reads whole, list the versions, make an earlier one current again, or compact.",
        epilog="examples:\n"
        "  ptlm-tui cache check\n"
        "  ptlm-tui cache history commits\n"
        "  ptlm-tui cache restore commits 12\n"
        "  ptlm-tui cache restore --at 2025-01-31T12:00:00Z\n"
        "  ptlm-tui cache compact --retention-hours 24",
    )
    verbs = cache.add_subparsers(dest="cache_command", metavar="SUBCOMMAND", title="subcommands", required=True)

    p = verbs.add_parser("check", parents=[common], help="read every table whole and report each")
    output_arguments(p, TABLE_FORMATS, "table")
    p.set_defaults(func=run_check)

    p = verbs.add_parser("history", parents=[common], help="versions: time, operation, rows written")
    p.add_argument("table", nargs="?", metavar="TABLE", help="one table (default: all, newest first)")
    p.add_argument("--limit", type=int, metavar="N", help="only the newest N versions")
    output_arguments(p, TABLE_FORMATS, "table")
    p.set_defaults(func=run_history)

    p = verbs.add_parser(
        "restore",
        parents=[common],
        formatter_class=fmt,
        help="make an earlier version current again",
        description="Make VERSION of TABLE current again, or every table as it was at --at TIME. The "
        "restore is itself a new version: nothing is deleted, and it can be undone the same way. "
        "Versions older than the retention (`[cache] retention_hours`) may have been vacuumed.",
    )
    p.add_argument("table", nargs="?", metavar="TABLE", help="the table (see `ptlm-tui cache history`)")
    p.add_argument("version", nargs="?", type=int, metavar="VERSION", help="the version to bring back")
    p.add_argument("--at", type=_when, metavar="TIME", help="restore every table as it was at TIME (ISO 8601)")
    p.set_defaults(func=run_restore)

    p = verbs.add_parser(
        "compact",
        parents=[common],
        formatter_class=fmt,
        help="fold appended rows into one file per table, checkpoint, vacuum",
        description="Rewrite each table as its live rows in one transaction, checkpoint its log, and delete "
        "files no version within the retention needs (and files killed runs left). A damaged table is "
        "left untouched. Runs by itself after a sync, an import or a classify that added many files.",
    )
    p.add_argument("tables", nargs="*", metavar="TABLE", help="only these tables (default: all)")
    p.add_argument(
        "--retention-hours",
        type=int,
        metavar="N",
        help="keep the versions of the past N hours restorable (default: [cache] retention_hours, 168)",
    )
    p.set_defaults(func=run_compact)

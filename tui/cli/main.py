"""Provides main(): parse the command line, run a verb or the app, and turn failures into one line.

Every failure is one line on stderr and exit status 1 (2 for bad usage, from argparse);
``--debug`` shows the traceback instead.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from core.errors import Cancelled, PtlmError, save_traceback
from core.text import one_line

# Each module adds its verbs with register(subparsers, common); kept in the order of --help.
VERB_MODULES = (
    "tui.cli.analysis_cmds",
    "tui.cli.mining_cmds",
    "tui.cli.classify_cmds",
    "tui.cli.study_cmds",
    "tui.cli.setup_cmds",
    "tui.cli.app_cmds",
    "tui.cli.cache_cmds",
)

EPILOG = """\
examples:
  ptlm-tui                          open the app (the demo when the cache is empty)
  ptlm-tui import commits.csv       load a commits table into the cache
  ptlm-tui analyze --format csv     one pattern row per family
  ptlm-tui report                   the study's summary tables for your families
  ptlm-tui discover --author ORG    find an organisation's model families on the Hub
  ptlm-tui sync                     fetch new HF and GitHub commits of every family
  ptlm-tui --demo report            any command on the built-in demo data

settings: defaults < config file (PTLM_CONFIG_FILE) < PTLM_<SECTION>__<FIELD> env < flags.
"""


def version() -> str:
    """Return the installed version of ptlm-tui."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("ptlm-tui")
    except PackageNotFoundError:  # running from a source tree without install
        return "0+unknown"


def common_options(for_subcommand: bool) -> argparse.ArgumentParser:
    """Return the options every command takes, before or after the verb.

    In subcommands they default to SUPPRESS so a flag given before the verb is not reset.
    """
    default: Any = argparse.SUPPRESS if for_subcommand else None
    parser = argparse.ArgumentParser(add_help=False)
    group = parser.add_argument_group("common options")
    group.add_argument("--cache-dir", metavar="DIR", default=default, help="cache directory (env PTLM_CACHE_DIR)")
    group.add_argument("--config", metavar="FILE", default=default, help="config file (env PTLM_CONFIG_FILE)")
    group.add_argument(
        "--offline",
        action="store_true",
        default=default if for_subcommand else False,
        help="make no network request at all (env PTLM_OFFLINE=1)",
    )
    group.add_argument(
        "--debug",
        action="store_true",
        default=default if for_subcommand else False,
        help="show tracebacks instead of one-line errors",
    )
    return parser


def build_parser() -> argparse.ArgumentParser:
    """Return the full argument parser with every verb registered."""
    parser = argparse.ArgumentParser(
        prog="ptlm-tui",
        description="See how Hugging Face models drift from their GitHub repositories (arXiv 2508.10157).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common_options(False)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    parser.add_argument("--demo", action="store_true", help="open the app on the built-in demo data")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    common = common_options(True)
    for name in VERB_MODULES:
        importlib.import_module(name).register(subparsers, common)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ptlm-tui with ``argv`` (default: sys.argv[1:]) and return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    debug = bool(getattr(args, "debug", False)) or os.environ.get("PTLM_DEBUG") == "1"
    try:
        if args.command is None:
            from tui.launch import launch_app

            return launch_app(args)
        from tui.cli.context import Context

        if getattr(args, "demo", False):
            from tui.launch import use_demo_cache

            use_demo_cache(args)  # `ptlm-tui --demo VERB` works on the demo cache
        result: int = args.func(Context(args))
        return result
    except PtlmError as exc:
        if debug:
            traceback.print_exc()
        print(f"ptlm-tui: error: {one_line(exc.one_line())}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Cancelled):
        print("ptlm-tui: interrupted; work finished so far is kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `ptlm-tui analyze | head` closed the pipe; not an error worth a message.
        sys.stderr.close()
        return 0
    except Exception as exc:
        if debug:
            traceback.print_exc()
            return 1
        where = save_traceback(exc)
        detail = f"; traceback saved to {where}" if where else ""
        print(
            f"ptlm-tui: internal error: {type(exc).__name__}: {one_line(str(exc), 200)}{detail} "
            "(run with --debug to see it; please report it)",
            file=sys.stderr,
        )
        return 1

"""Provides main(): parse the command line, run a verb or the app, and turn failures into one line.

Exit status: 0 ok, 1 error (one line on stderr; ``--debug`` shows the traceback), 2 bad usage,
3 partly done (some repositories or rows failed while others went through), 130 interrupted.
``--version`` is answered before anything else is imported.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from tui import __version__

if TYPE_CHECKING:
    import argparse

OK, ERROR, USAGE, PARTIAL, INTERRUPTED = 0, 1, 2, 3, 130

_GLOBAL_WITH_VALUE = ("--cache-dir", "--config")


def _asks_version(argv: Sequence[str]) -> bool:
    """True when ``--version`` comes before the verb (where argparse would answer it too)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--version":
            return True
        elif arg in _GLOBAL_WITH_VALUE:
            skip = True
        elif not arg.startswith("-"):
            return False
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """Run ptlm-tui with ``argv`` (default: sys.argv[1:]) and return the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if _asks_version(arguments):
        print(f"ptlm-tui {__version__}")
        return OK
    from tui.cli.parser import parse_args

    args = parse_args(arguments)
    return run(args)


def build_parser(verbs: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """Return the parser with ``verbs`` registered (all when None); see ``tui.cli.parser``."""
    from tui.cli.parser import build_parser as build

    return build(verbs)


def run(args: argparse.Namespace) -> int:
    """Run the parsed command line and map every failure to its exit status."""
    import traceback

    from core.errors import Cancelled, PtlmError, UsageError, save_traceback
    from core.text import one_line

    debug = bool(getattr(args, "debug", False)) or os.environ.get("PTLM_DEBUG") == "1"
    command = getattr(args, "command", None)
    try:
        if command is None:
            from tui.launch import launch_app

            return launch_app(args)
        from tui.cli.context import Context

        if getattr(args, "demo", False):
            from tui.launch import use_demo_cache

            use_demo_cache(args)  # `ptlm-tui --demo VERB` works on the demo cache
        result: int = args.func(Context(args))
        return result
    except UsageError as exc:
        print(f"ptlm-tui {command}: error: {one_line(exc.one_line())}", file=sys.stderr)
        return USAGE
    except PtlmError as exc:
        if debug:
            traceback.print_exc()
        print(f"ptlm-tui: error: {one_line(exc.one_line())}", file=sys.stderr)
        return ERROR
    except (KeyboardInterrupt, Cancelled):
        print("ptlm-tui: interrupted; work finished so far is kept", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        # `ptlm-tui analyze | head` closed the pipe; not an error worth a message.
        sys.stderr.close()
        return OK
    except Exception as exc:
        if debug:
            traceback.print_exc()
            return ERROR
        where = save_traceback(exc)
        detail = f"; traceback saved to {where}" if where else ""
        print(
            f"ptlm-tui: internal error: {type(exc).__name__}: {one_line(str(exc), 200)}{detail} "
            "(run with --debug to see it; please report it)",
            file=sys.stderr,
        )
        return ERROR

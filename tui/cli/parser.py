"""Provides parse_args() and build_parser(): the command line, built from the verb table lazily.

Only the module of the verb on the command line is imported; the others appear in ``--help``
through their line in ``tui.cli.commands.COMMANDS``. Options every verb takes (``--cache-dir``,
``--config``, ``--offline``, ``--debug``) may stand before or after the verb.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Iterable, Sequence
from typing import Any

from tui import __version__
from tui.cli.commands import COMMANDS

EPILOG = """\
examples:
  ptlm-tui                          open the app (the demo when the cache is empty)
  ptlm-tui import commits.csv       load a commits table into the cache
  ptlm-tui analyze --format csv     one pattern row per family
  ptlm-tui analyze commits.csv      the same straight from a file, without the cache
  ptlm-tui report                   the study's summary tables for your families
  ptlm-tui discover --author ORG    find an organisation's model families on the Hub
  ptlm-tui sync                     fetch new HF and GitHub commits of every family
  ptlm-tui --demo report            any command on the built-in demo data

settings: defaults < config file (--config, PTLM_CONFIG_FILE) < PTLM_<SECTION>__<FIELD> env < flags.
exit status: 0 ok, 1 error, 2 bad usage, 3 partly done (some repositories or rows failed).
docs: docs/method.md (the method), docs/formats.md (tables and commands), README.md.
"""


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


class _Subparsers:
    """What a command module's ``register()`` receives: adds its verbs with their help from the table.

    Verbs other than the ones wanted are built on a scratch parser and dropped, so a module can
    register all its verbs while only the asked one costs anything beyond its import.
    """

    def __init__(self, real: Any, wanted: Iterable[str]) -> None:
        self.real = real
        self.wanted = set(wanted)
        self.added: list[str] = []

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if name not in COMMANDS:
            raise LookupError(f"verb {name!r} is not in tui.cli.commands.COMMANDS: add its line there")
        self.added.append(name)
        if name not in self.wanted:
            return argparse.ArgumentParser(prog=f"ptlm-tui {name}", add_help=False)
        parser: argparse.ArgumentParser = self.real.add_parser(name, help=COMMANDS[name].help, **kwargs)
        return parser


def build_parser(verbs: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """Return the parser with ``verbs`` fully registered (all when None) and the rest listed by name.

    Raises:
        LookupError: A command module registers a verb that the table does not list.
    """
    parser = argparse.ArgumentParser(
        prog="ptlm-tui",
        description="See how Hugging Face models drift from their GitHub repositories (arXiv 2508.10157).",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        parents=[common_options(False)],
        allow_abbrev=False,  # `--cache x` must not be read as --cache-dir: the verb is found before parsing
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--demo", action="store_true", help="open the app (or run the command) on the demo data")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    wanted = list(COMMANDS) if verbs is None else [v for v in verbs if v in COMMANDS]
    modules = list(dict.fromkeys(COMMANDS[v].module for v in wanted))
    common = common_options(True)
    registered: set[str] = set()
    for name, verb in COMMANDS.items():
        if verb.module not in modules:
            subparsers.add_parser(name, help=verb.help, add_help=False)  # listed in --help, parsed later
        elif verb.module not in registered:
            registered.add(verb.module)
            importlib.import_module(verb.module).register(_Subparsers(subparsers, wanted), common)
    return parser


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Parse ``argv``: first with every verb as a name only, then with the named verb's own options."""
    outline = build_parser(())
    first, _ = outline.parse_known_args(argv)
    if first.command is None:
        return outline.parse_args(argv)  # no verb: the app; unknown options are errors
    return build_parser([first.command]).parse_args(argv)

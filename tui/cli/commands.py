"""Provides COMMANDS, the table of headless verbs: the module that defines each and its one-line help.

``ptlm-tui --help`` lists the verbs from this table without importing any of them, and running a
verb imports only its module, so every command starts at the cost of its own imports.

To add a command: write a module with ``register(subparsers, common)`` that calls
``subparsers.add_parser(VERB, parents=[common], ...)`` (see ``tui/cli/setup_cmds.py``), then add
one line here. ``tests/unit/test_cli_registry.py`` checks that the table and the modules agree.
"""

from __future__ import annotations

from typing import NamedTuple


class Verb(NamedTuple):
    """Where a verb is defined and what it does, in a few words."""

    module: str
    help: str


# In the order of `ptlm-tui --help`.
COMMANDS: dict[str, Verb] = {
    "import": Verb("tui.cli.analysis_cmds", "load commits tables (CSV or Parquet) into the cache"),
    "analyze": Verb("tui.cli.analysis_cmds", "synchronization pattern of every family (cache or files)"),
    "transitions": Verb("tui.cli.analysis_cmds", "delays between platform switches"),
    "report": Verb("tui.cli.analysis_cmds", "the study's summary tables for your families"),
    "discover": Verb("tui.cli.mining_cmds", "find model families on the Hub (or the watchlist)"),
    "link": Verb("tui.cli.mining_cmds", "set the GitHub repository of a model"),
    "sync": Verb("tui.cli.mining_cmds", "fetch new HF and GitHub commits into the cache"),
    "status": Verb("tui.cli.mining_cmds", "last sync outcome of every repository"),
    "drift": Verb(
        "tui.cli.drift_cmds", "which files each HF variant is missing from GitHub (cache or two repositories)"
    ),
    "propose": Verb(
        "tui.cli.propose_cmds", "bring GitHub's version of a variant's files to the Hub as a pull request (or back)"
    ),
    "proposals": Verb("tui.cli.propose_cmds", "every proposal sent, failed or written"),
    "classify": Verb("tui.cli.classify_cmds", "label commits with change types (rules, then a local Ollama model)"),
    "validate": Verb("tui.cli.classify_cmds", "agreement of the classifier with gold labels"),
    "labels": Verb("tui.cli.classify_cmds", "every commit with its label and where it came from"),
    "label": Verb("tui.cli.classify_cmds", "set or clear a commit's label by hand"),
    "import-study": Verb("tui.cli.study_cmds", "load the study's published results (replication package)"),
    "compare": Verb("tui.cli.study_cmds", "computed patterns beside the study's published ones"),
    "cache": Verb("tui.cli.cache_cmds", "check, list versions of, restore or compact the cache"),
    "locate": Verb("tui.cli.setup_cmds", "print where the config, cache, demo or logs are"),
    "demo": Verb("tui.cli.setup_cmds", "build the built-in demo cache and print its path"),
    "serve": Verb("tui.cli.app_cmds", "run the app in a web browser (needs the 'serve' extra)"),
    "screenshot": Verb("tui.cli.app_cmds", "save an SVG picture of the app (for the README)"),
    "keys": Verb("tui.cli.app_cmds", "list every key of the app (from the binding registry)"),
}

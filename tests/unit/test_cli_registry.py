"""The verb table: it agrees with the command modules, and a command imports only what it needs."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT
from tui import __version__
from tui.cli.commands import COMMANDS
from tui.cli.parser import build_parser, common_options

HEAVY = ("polars", "pydantic", "textual", "rich", "huggingface_hub", "git", "ollama", "httpx", "cache", "platformdirs")

PROBE = """
import json, sys
sys.argv = ["ptlm-tui", *{args!r}]
from tui.cli import main
try:
    code = main()
except SystemExit as exit:
    code = exit.code
print(json.dumps({{"code": code, "modules": sorted(sys.modules)}}), file=sys.stderr)
"""


def loaded_modules(*args: str, env: dict[str, str] | None = None) -> tuple[int, list[str]]:
    """Run ptlm-tui with ``args`` in a fresh interpreter; return its status and every module it imported."""
    run = subprocess.run(
        [sys.executable, "-c", PROBE.format(args=list(args))], capture_output=True, text=True, cwd=REPO_ROOT, env=env
    )
    report = json.loads(run.stderr.strip().splitlines()[-1])
    return report["code"], report["modules"]


def heavy(modules: list[str]) -> set[str]:
    return {m.partition(".")[0] for m in modules if m.partition(".")[0] in HEAVY}


class Recorder:
    """Stands for the subparsers a module's register() receives; records verbs and their options."""

    def __init__(self) -> None:
        self.verbs: dict[str, argparse.ArgumentParser] = {}

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        assert "help" not in kwargs, f"{name}: its help line belongs in tui/cli/commands.py"
        self.verbs[name] = argparse.ArgumentParser(prog=name, **kwargs)
        return self.verbs[name]


def test_the_version_is_pyprojects() -> None:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert __version__ == project["version"]


def test_the_table_lists_exactly_the_verbs_each_module_registers() -> None:
    for module in dict.fromkeys(verb.module for verb in COMMANDS.values()):
        recorder = Recorder()
        importlib.import_module(module).register(recorder, common_options(True))
        listed = [name for name, verb in COMMANDS.items() if verb.module == module]
        assert sorted(recorder.verbs) == sorted(listed), module


def test_the_full_parser_has_every_verb_with_its_help() -> None:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    assert list(action.choices) == list(COMMANDS)
    helps = {a.dest: a.help for a in action._choices_actions}
    assert helps == {name: verb.help for name, verb in COMMANDS.items()}


def test_version_and_help_import_nothing_heavy() -> None:
    code, modules = loaded_modules("--version")
    assert code == 0 and not heavy(modules) and "argparse" not in modules and "importlib.metadata" not in modules
    code, modules = loaded_modules("--help")
    assert code == 0 and not heavy(modules)
    assert not [m for m in modules if m.endswith("_cmds")]  # verbs listed from the table, none imported


def test_a_verb_imports_only_its_own_module() -> None:
    code, modules = loaded_modules("analyze", "--help")
    assert code == 0
    assert [m for m in modules if m.startswith("tui.cli.") and m.endswith("_cmds")] == ["tui.cli.analysis_cmds"]
    assert not heavy(modules)


def test_analyze_files_needs_no_cache_and_no_ui(tmp_path: Path) -> None:
    table = tmp_path / "commits.csv"
    table.write_text(
        "family,platform,repo,authored_at\nfam,github,o/code,2022-01-01T00:00:00Z\n"
        "fam,huggingface,o/model,2022-01-02T00:00:00Z\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PTLM_CACHE_DIR": str(tmp_path / "cache")}
    env["PTLM_CONFIG_FILE"] = str(tmp_path / "none.toml")
    code, modules = loaded_modules("analyze", str(table), "--format", "csv", env=env)
    assert code == 0
    assert not (tmp_path / "cache").exists()  # the cache was never touched, not even created
    assert heavy(modules) <= {"polars", "cache"}  # the cache's column types; no table is opened


@pytest.mark.parametrize("verb", list(COMMANDS))
def test_every_verb_parses_its_help_alone(verb: str, capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli.parser import parse_args

    with pytest.raises(SystemExit) as done:
        parse_args([verb, "--help"])
    assert done.value.code == 0 and f"ptlm-tui {verb}" in capsys.readouterr().out

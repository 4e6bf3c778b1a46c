"""core/ and cache/ never load textual, rich or tui: analysis must run without a terminal."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import cache
import core

PROBE = """
import importlib, json, sys
sys.modules["rich"] = None  # httpx would load rich through its CLI module; block it so a real import fails
out = {}
for module in sys.argv[1:]:
    try:
        importlib.import_module(module)
        error = ""
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    loaded = [m for m, mod in sys.modules.items() if mod is not None]
    out[module] = [error, sorted(m for m in loaded if m.partition(".")[0] in ("textual", "tui", "rich"))]
print(json.dumps(out))
"""
HEADLESS = ["core", "cache"] + [
    m.name for p in (core, cache) for m in pkgutil.walk_packages(p.__path__, p.__name__ + ".")
]
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def imported() -> dict[str, tuple[str, list[str]]]:
    """Import every headless module in one fresh process, in turn, noting what each left loaded.

    Imports accumulate, so the first module that pulls in a UI package is the one named.
    """
    run = subprocess.run([sys.executable, "-c", PROBE, *HEADLESS], capture_output=True, text=True, cwd=ROOT, check=True)
    return {module: (error, ui) for module, (error, ui) in json.loads(run.stdout).items()}


@pytest.mark.parametrize("module", HEADLESS)
def test_module_imports_without_ui(module: str, imported: dict[str, tuple[str, list[str]]]) -> None:
    error, ui = imported[module]
    assert error == "", error
    assert ui == [], f"{module} pulled in {' '.join(ui)}"


def test_headless_cli_does_not_load_textual() -> None:
    """`ptlm-tui analyze` and friends start fast: the CLI imports textual only to open the app."""
    code = "import sys; from tui.cli.main import build_parser; build_parser(); print('textual' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.stdout.strip() == "False", run.stderr

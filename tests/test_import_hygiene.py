"""core/ and cache/ never load textual, rich or tui: analysis must run without a terminal."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import cache
import core

PROBE = """
import importlib, sys
sys.modules["rich"] = None  # httpx would load rich through its CLI module; block it so a real import fails
importlib.import_module({module!r})
loaded = [m for m, mod in sys.modules.items() if mod is not None]
print(" ".join(sorted(m for m in loaded if m.partition(".")[0] in ("textual", "tui", "rich"))))
"""
HEADLESS = ["core", "cache"] + [
    m.name for p in (core, cache) for m in pkgutil.walk_packages(p.__path__, p.__name__ + ".")
]
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("module", HEADLESS)
def test_module_imports_without_ui(module: str) -> None:
    run = subprocess.run([sys.executable, "-c", PROBE.format(module=module)], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "", f"{module} pulled in {run.stdout.strip()}"


def test_headless_cli_does_not_load_textual() -> None:
    """`ptlm-tui analyze` and friends start fast: the CLI imports textual only to open the app."""
    code = "import sys; from tui.cli.main import build_parser; build_parser(); print('textual' in sys.modules)"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.stdout.strip() == "False", run.stderr

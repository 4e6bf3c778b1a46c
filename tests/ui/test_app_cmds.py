"""The verbs about the app: keys (and the README block), screenshot (SVG) and serve (textual-serve, really started)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.app_data import build_cache
from tests.conftest import REPO_ROOT
from tests.helpers import served_app
from tui.bindings import COMMANDS
from tui.cli.app_cmds import serve_command
from tui.cli.main import build_parser, main
from tui.keytable import END, START


def test_keys_prints_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["keys"]) == 0
    out = capsys.readouterr().out
    assert all(f"[{c.id}]" in out for c in COMMANDS)
    assert main(["keys", "--format", "markdown"]) == 0
    assert "| Families | `/` | Filter |" in capsys.readouterr().out


def test_keys_follow_the_user_keymap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[ui.keymap]\nsync-all = "ctrl+s"\n', encoding="utf-8")
    assert main(["--config", str(config), "keys"]) == 0
    assert "Ctrl+S" in capsys.readouterr().out


def test_keys_check_and_rewrite_the_readme_block(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"intro\n{START}\nstale\n{END}\n", encoding="utf-8")
    assert main(["keys", "--readme", str(readme), "--check"]) == 1
    assert main(["keys", "--readme", str(readme)]) == 0
    assert main(["keys", "--readme", str(readme), "--check"]) == 0
    assert main(["keys", "--readme", str(REPO_ROOT / "README.md"), "--check"]) == 0
    missing = tmp_path / "other.md"
    missing.write_text("no markers\n", encoding="utf-8")
    assert main(["keys", "--readme", str(missing)]) == 1
    assert "No key table markers" in capsys.readouterr().err


@pytest.mark.parametrize("screen", ["families", "family", "drift", "commit", "dashboard", "help"])
def test_screenshot_writes_an_svg_of_each_screen(tmp_path: Path, screen: str) -> None:
    build_cache(tmp_path / "cache")
    out = tmp_path / f"{screen}.svg"
    assert main(["--cache-dir", str(tmp_path / "cache"), "screenshot", "--screen", screen, "-o", str(out)]) == 0
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "ptlm-tui" in svg


def test_screenshot_of_an_unknown_family_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    build_cache(tmp_path / "cache")
    args = ["--cache-dir", str(tmp_path / "cache"), "screenshot", "--screen", "family", "--family", "nope"]
    assert main([*args, "-o", str(tmp_path / "x.svg")]) == 1
    assert "Unknown family: nope" in capsys.readouterr().err


def test_serve_command_forwards_the_common_flags(tmp_path: Path) -> None:
    args = build_parser().parse_args(["--cache-dir", str(tmp_path / "c d"), "--offline", "serve"])
    command = serve_command(args)
    assert command.startswith(sys.executable.replace(" ", "\\ ")) or sys.executable in command
    assert "-m tui" in command and "--offline" in command and f"'{tmp_path / 'c d'}'" in command


@pytest.mark.slow
def test_serve_answers_in_a_browser(tmp_path: Path) -> None:
    pytest.importorskip("textual_serve")
    build_cache(tmp_path / "cache")
    with served_app(tmp_path / "cache") as (_, page):
        assert "ptlm-tui" in page and "/ws" in page

"""Small terminals, 16/256 colours without true colour (SSH), light theme, NO_COLOR."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import Settings
from tests.app_data import build_cache
from tests.conftest import REPO_ROOT
from tests.ui.support import screen_text, settle, test_app
from tui.screens.base import TooSmall
from tui.screens.families import FamiliesTable

TRUECOLOR = re.compile(r"\x1b\[[0-9;]*[34]8;2;")
EIGHT_BIT = re.compile(r"\x1b\[[0-9;]*[34]8;5;")


@pytest.mark.parametrize("size", [(79, 24), (80, 23), (40, 10)])
async def test_below_80x24_a_notice_covers_the_screen_and_goes_away(tmp_path: Path, size: tuple[int, int]) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        assert app.has_class("-too-small")
        assert app.screen.query_one(TooSmall).display
        assert "at least 80 × 24" in screen_text(app)
        assert f"Terminal {size[0]} × {size[1]}: too small." in screen_text(app)
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert not app.has_class("-too-small")
        assert not app.screen.query_one(TooSmall).display
        assert "at least 80 × 24" not in screen_text(app)
        assert "acme_bert" in screen_text(app)


async def test_notice_follows_resizes_on_every_screen(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert "at least 80 × 24" in screen_text(app)
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert "at least 80 × 24" not in screen_text(app) and "GH bert" in screen_text(app)


def probe(tmp_path: Path, **env: str) -> dict[str, str]:
    """Run the app in a fresh interpreter with ``env`` and return its colour system, theme and output."""
    build_cache(tmp_path / "cache")
    environ = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "NO_COLOR")} | env
    run = subprocess.run(
        [sys.executable, "-m", "tests.ui.colour_probe", str(tmp_path / "cache")],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        env=environ,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result: dict[str, str] = json.loads(run.stdout.strip().splitlines()[-1])
    return result


def test_sixteen_colours_over_ssh_use_the_ansi_theme(tmp_path: Path) -> None:
    result = probe(tmp_path, TERM="xterm")  # COLORTERM unset, as over SSH
    assert (result["color_system"], result["theme"]) == ("standard", "ansi-dark")
    out = result["output"]
    assert "\x1b[" in out  # coloured, with the 16 standard colours only
    assert not TRUECOLOR.search(out) and not EIGHT_BIT.search(out)
    assert "PSR" in out and "Sparse" in out  # badges carry their code, readable without colour


def test_256_colours_without_truecolor(tmp_path: Path) -> None:
    result = probe(tmp_path, TERM="xterm-256color")
    assert (result["color_system"], result["theme"]) == ("256", "textual-dark")
    assert EIGHT_BIT.search(result["output"]) and not TRUECOLOR.search(result["output"])


def test_truecolor_when_the_terminal_says_so(tmp_path: Path) -> None:
    result = probe(tmp_path, TERM="xterm-256color", COLORTERM="truecolor")
    assert result["color_system"] == "truecolor" and TRUECOLOR.search(result["output"])


async def pick_theme(pilot: object, name: str) -> None:
    """Press T, type a theme's name in the picker and take it."""
    await pilot.press("T")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.press(*name, "enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_t_opens_the_theme_picker_the_palette_offers_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual.command import CommandPalette

    monkeypatch.setenv("TERM", "xterm")
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "ansi-dark"
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)  # Textual's own theme picker
        await pilot.press("escape")
        await pick_theme(pilot, "ansi-light")
        assert app.theme == "ansi-light"
        # The palette has one theme entry (ours, named with its key), not Textual's second one.
        titles = [c.title for c in app.get_system_commands(app.screen)]  # type: ignore[arg-type]
        assert "Theme" not in titles
        from tui.commands import RegistryCommands

        provider = RegistryCommands(app.screen)
        entries = [title for title, _, _ in provider._entries() if "Theme" in title]
        assert entries == ["Everywhere: Theme (T)"]


async def test_an_explicit_theme_is_kept_on_16_colours(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    app = test_app(tmp_path, Settings.model_validate({"ui": {"theme": "textual-light"}}))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-light"


async def test_light_theme_restyles_badges_and_switches_back(tmp_path: Path) -> None:
    app = test_app(tmp_path, Settings.model_validate({"ui": {"theme": "textual-light"}}))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-light" and not app.current_theme.dark
        light = app.screen.query_one(FamiliesTable).badge_styles()["badge--partial"]
        await pick_theme(pilot, "textual-dark")
        assert app.theme == "textual-dark"
        dark = app.screen.query_one(FamiliesTable).badge_styles()["badge--partial"]
        assert light != dark
        assert "PSR Sparse" in screen_text(app)


async def test_unknown_theme_falls_back_with_a_notice(tmp_path: Path) -> None:
    app = test_app(tmp_path, Settings.model_validate({"ui": {"theme": "no-such-theme"}}))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        assert any("no-such-theme" in n.message for n in app._notifications)


async def test_no_color_still_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.no_color
        text = screen_text(app)
        assert "PSR Sparse" in text and "!zeta_gpt" in text
        await pilot.press("enter")
        await settle(pilot)
        assert "█" in screen_text(app) and "▒" in screen_text(app)

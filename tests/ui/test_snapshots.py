"""Reviewed SVG snapshots of the key screens (deterministic cache and clock, fixed sizes).

Update after reviewing the HTML report of a failing run: ``uv run pytest tests/ui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from core.config import Settings
from tests.ui.support import settle, test_app

Compare = Callable[..., bool]


def keys(*pressed: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """Wait for the data, press ``pressed`` (settling after each Enter), wait again."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for key in pressed:
            await pilot.press(key)
            if key in ("enter", "d"):
                await settle(pilot)
        await settle(pilot)

    return run


def test_families_80x24(snap_compare: Compare, tmp_path: Path) -> None:
    assert snap_compare(test_app(tmp_path), terminal_size=(80, 24), run_before=keys())


def test_families_light_theme_filtered(snap_compare: Compare, tmp_path: Path) -> None:
    app = test_app(tmp_path, Settings.model_validate({"ui": {"theme": "textual-light"}}))
    assert snap_compare(app, terminal_size=(120, 30), run_before=keys("slash", *"lag:hf", "enter"))


def test_family_timeline_and_why(snap_compare: Compare, tmp_path: Path) -> None:
    assert snap_compare(test_app(tmp_path), terminal_size=(100, 30), run_before=keys("enter", "h", "h"))


def test_commit(snap_compare: Compare, tmp_path: Path) -> None:
    # acme_bert, then the fifth commit (Fix tokenizer), which has a label and a linked HF commit.
    run = keys("enter", "j", "j", "j", "j", "enter")
    assert snap_compare(test_app(tmp_path), terminal_size=(100, 30), run_before=run)


def test_dashboard_chart(snap_compare: Compare, tmp_path: Path) -> None:
    assert snap_compare(test_app(tmp_path), terminal_size=(100, 30), run_before=keys("d"))


def test_help(snap_compare: Compare, tmp_path: Path) -> None:
    assert snap_compare(test_app(tmp_path), terminal_size=(100, 30), run_before=keys("question_mark"))


def test_too_small(snap_compare: Compare, tmp_path: Path) -> None:
    assert snap_compare(test_app(tmp_path), terminal_size=(60, 20), run_before=keys())

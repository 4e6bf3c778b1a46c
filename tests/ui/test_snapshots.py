"""Reviewed SVG snapshots of the key screens (deterministic cache and clock, fixed sizes).

Update after reviewing the HTML report of a failing run: ``uv run pytest tests/ui/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from core.config import Settings
from tests.app_data import demo_cache
from tests.ui.support import settle, test_app
from tui.app import PtlmApp, make_app

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


def demo_app(tmp_path: Path) -> PtlmApp:
    """The app on a freshly generated demo cache, counting ages to the demo's own day."""
    return make_app(Settings(), demo_cache(tmp_path / "demo"), demo=True)


def quiet(*pressed: str) -> Callable[[Pilot[Any]], Awaitable[None]]:
    """As ``keys``, with the start-up notice dismissed: the snapshot shows the screen, not a toast."""
    run = keys(*pressed)

    async def wrapped(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        pilot.app.clear_notifications()
        await run(pilot)

    return wrapped


def test_demo_families_80x24(snap_compare: Compare, tmp_path: Path) -> None:
    # The first screen a new user sees: keys in the header, In step, the DEMO badge, the footer whole.
    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=quiet())


def test_demo_family_with_14_variants_80x24(snap_compare: Compare, tmp_path: Path) -> None:
    # aurora-nlp_aurora-bert: 14 variants named without their shared prefix, beside the explanation.
    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=quiet("enter"))


def test_demo_dashboard_80x24(snap_compare: Compare, tmp_path: Path) -> None:
    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=quiet("d"))


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

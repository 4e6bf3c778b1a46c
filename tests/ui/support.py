"""Helpers for the app's Pilot tests: build the app on the test cache, wait for data, read the screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.message import Message
from textual.pilot import Pilot

from cache.store import CacheStore
from core.config import Settings
from tests.app_data import NOW, build_cache
from tui.app import PtlmApp, make_app


def app_on(store: CacheStore, settings: Settings | None = None, *, demo: bool = False) -> PtlmApp:
    """The app on ``store`` with the fixed test clock."""
    return make_app(settings=settings or Settings(), store=store, demo=demo, clock=lambda: NOW)


def test_app(tmp_path: Path, settings: Settings | None = None, **cache: Any) -> PtlmApp:
    """The app on a fresh test cache (``build_cache`` options in ``cache``)."""
    return app_on(build_cache(tmp_path / "cache", **cache), settings)


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and their messages be handled, twice (loads can chain)."""
    for _ in range(3):
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def screen_text(app: PtlmApp) -> str:
    """The current screen as plain text, one line per terminal row."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def of_type(seen: list[Message], kind: type[Message]) -> list[Any]:
    """The messages of one type, in the order they arrived (once each, though they bubble)."""
    unique = {id(m): m for m in seen if isinstance(m, kind)}
    return list(unique.values())


test_app.__test__ = False  # type: ignore[attr-defined]  # a factory, not a test

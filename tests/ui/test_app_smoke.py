"""The app starts on a cache, lists its families, and quits cleanly."""

from __future__ import annotations

from pathlib import Path

from cache.store import CacheStore
from core.commits import store_commits
from core.config import Settings
from tests.helpers import T0, commits_frame, days, gh, hf
from tests.ui.support import settle
from tui.app import make_app
from tui.screens.families import FamiliesTable


async def test_app_lists_families_and_quits(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    store_commits(store, commits_frame([gh("fam", T0), hf("fam", T0 + days(1))]), source="test")
    app = make_app(settings=Settings(), store=store)
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FamiliesTable)
        assert table.row_count == 1
        await pilot.press("q")
    assert app.return_code == 0

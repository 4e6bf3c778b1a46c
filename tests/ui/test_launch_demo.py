"""`ptlm-tui` on an empty cache, and `ptlm-tui --demo`, open the app on the built-in demo."""

from __future__ import annotations

from pathlib import Path

from cache.store import CacheStore
from core import paths
from core.commits import store_commits
from core.config import Settings
from core.demo import is_demo_cache
from tests.helpers import T0, commits_frame, days, gh, hf
from tui.app import make_app
from tui.launch import choose_cache
from tui.screens.families import FamiliesTable


def _settings(cache: Path) -> Settings:
    return Settings.model_validate({"cache": {"dir": str(cache)}})


def test_empty_cache_opens_the_demo_with_a_notice(tmp_path: Path) -> None:
    store, demo, notice = choose_cache(_settings(tmp_path / "empty"), demo=False)
    assert demo and is_demo_cache(store) and store.root == paths.demo_cache_dir()
    assert notice and "DEMO DATA" in notice and "import-study" in notice and "\n" not in notice
    assert not (tmp_path / "empty").exists()  # looking at an empty cache leaves nothing behind


def test_demo_flag_wins_over_real_data(tmp_path: Path) -> None:
    real = CacheStore(tmp_path / "real")
    store_commits(real, commits_frame([gh("fam", T0), hf("fam", T0 + days(1))]), source="test")
    store, demo, notice = choose_cache(_settings(real.root), demo=True)
    assert demo and notice is None and is_demo_cache(store)
    store, demo, notice = choose_cache(_settings(real.root), demo=False)
    assert not demo and notice is None and store.root == real.root


async def test_app_runs_on_the_demo(tmp_path: Path) -> None:
    store, demo, _ = choose_cache(_settings(tmp_path / "empty"), demo=True)
    app = make_app(settings=Settings(), store=store, demo=demo)
    async with app.run_test(size=(120, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.demo is True
        assert app.screen.query_one(FamiliesTable).row_count == 30
        await pilot.press("q")
    assert app.return_code == 0

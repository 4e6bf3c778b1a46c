"""The app notices what another process writes to the cache and shows it without a key press."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import tui.app
from tests.app_data import build_cache
from tests.conftest import REPO_ROOT
from tests.ui.support import app_on, settle
from tui.screens.family import FamilyScreen
from tui.widgets.frame_table import FrameTable


def import_in_another_process(cache: Path, csv: Path, rows: str) -> None:
    csv.write_text("family,platform,repo,sha,authored_at,title\n" + rows)
    run = subprocess.run(
        [sys.executable, "-m", "tui", "--cache-dir", str(cache), "import", str(csv)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr


async def wait_for(pilot: object, condition: object, seconds: float = 20.0) -> bool:
    for _ in range(int(seconds / 0.1)):
        if condition():  # type: ignore[operator]
            return True
        await pilot.pause(0.1)  # type: ignore[attr-defined]
    return False


@pytest.mark.slow
async def test_another_processes_import_shows_up_in_the_list_and_the_open_family(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tui.app, "CACHE_POLL_SECONDS", 0.3)
    store = build_cache(tmp_path / "cache")
    app = app_on(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "newcomer" not in app.view["family"].to_list()
        await pilot.press("enter")  # open the first family, acme_bert
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FamilyScreen) and screen.family == "acme_bert"
        import_in_another_process(
            tmp_path / "cache",
            tmp_path / "new.csv",
            "newcomer,github,new/code,,2022-03-01T00:00:00Z,Hello\n"
            "acme_bert,github,acme/bert,,2022-06-01T00:00:00Z,Written elsewhere\n",
        )
        assert await wait_for(pilot, lambda: "newcomer" in app.view["family"].to_list())
        commits = screen.query_one("#commits", FrameTable)
        assert await wait_for(pilot, lambda: "Written elsewhere" in commits.frame["title"].to_list())

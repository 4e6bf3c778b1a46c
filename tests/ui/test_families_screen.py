"""The families screen: staged loading, filter language, sorting, badges, opening a family."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from textual.message import Message
from textual.widgets import Input, Static

from cache.store import CacheStore
from tests.app_data import NOW
from tests.ui.support import app_on, of_type, screen_text, settle, test_app
from tui.messages import FamiliesLoaded
from tui.screens.families import FamiliesScreen, FamiliesTable
from tui.screens.family import FamilyScreen


async def test_view_arrives_in_parts_and_fills_the_table(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        parts = [m.part for m in of_type(seen, FamiliesLoaded)]
        assert parts == ["index", "published", "drift", "activity", "handoffs"]  # drift: Behind and Files
        table = app.screen.query_one(FamiliesTable)
        assert table.frame["family"].to_list() == ["acme_bert", "solo_code", "zeta_gpt"]
        text = screen_text(app)
        # At 120 columns the GitHub repo column joins and the longest pattern name gives two cells.
        assert "PSR Sparse" in text and "ASS Sporadic Disjo…" in text
        assert "!zeta_gpt" in text  # stale sync (40 days) and a rate-limited repository
        assert "3 of 3 families" in text


async def test_filter_narrows_the_list_as_you_type(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"pattern:sparse")
        applied = of_type(seen, FamiliesScreen.FilterApplied)[-1]
        assert (applied.text, applied.rows, applied.total, applied.error) == ("pattern:sparse", 1, 3, "")
        assert app.screen.query_one(FamiliesTable).frame["family"].to_list() == ["acme_bert"]
        await pilot.press("enter")  # back to the list, filter kept
        assert app.screen.focused is app.screen.query_one(FamiliesTable)
        await pilot.press("escape")
        assert app.screen.query_one(Input).value == ""
        assert app.screen.query_one(FamiliesTable).row_count == 3


async def test_bad_filter_shows_an_inline_message_and_keeps_the_rows(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"lag:gh")
        assert app.screen.query_one(FamiliesTable).row_count == 1
        app.screen.query_one(Input).value = "lag:gh patern:x"  # as if pasted
        await pilot.pause()
        error = app.screen.query_one("#filter-error", Static)
        assert error.display
        assert "did you mean 'pattern:'" in str(error.render())
        assert of_type(seen, FamiliesScreen.FilterApplied)[-1].error
        assert app.screen.query_one(FamiliesTable).row_count == 1  # last good result stays
        await pilot.press("end", *["backspace"] * len(" patern:x"))
        assert not error.display
        assert app.screen.query_one(FamiliesTable).row_count == 1


async def test_sort_by_the_highlighted_column_and_reverse(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FamiliesTable)
        await pilot.press("l", "l")  # Var → GH commits
        assert table.columns[table.cursor_column].key == "gh_commits"
        await pilot.press("o")
        assert table.frame["gh_commits"].to_list() == [4, 3, 2]  # counts: largest first
        assert table.sort_key == "gh_commits" and table.sort_descending
        await pilot.press("o")
        assert table.frame["gh_commits"].to_list() == [2, 3, 4]
        await pilot.press("h", "h", "h")  # wraps to the last column (synced)
        await pilot.press("o")
        assert table.sort_key == "synced_at"


async def test_cursor_keys_and_enter_open_the_family(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FamiliesTable)
        await pilot.press("j", "j", "k", "down")
        assert table.current_key() == "zeta_gpt"
        await pilot.press("g")
        assert table.current_key() == "acme_bert"
        await pilot.press("G")
        assert table.current_key() == "zeta_gpt"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen) and app.screen.family == "zeta_gpt"
        await pilot.press("escape")
        assert isinstance(app.screen, FamiliesScreen)


async def test_cursor_stays_on_the_family_when_the_view_reloads(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FamiliesTable)
        await pilot.press("G")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert table.current_key() == "zeta_gpt"
        assert app.generation == 1


async def test_a_family_removed_from_the_cache_leaves_the_list_on_reload(tmp_path: Path) -> None:

    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FamiliesTable)
        await pilot.press("G")
        assert table.current_key() == "zeta_gpt"
        app.store.forget_families(["zeta_gpt"])
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert table.frame["family"].to_list() == ["acme_bert", "solo_code"]
        assert "zeta_gpt" not in screen_text(app)
        assert table.current_key() in {"acme_bert", "solo_code"}


async def test_empty_cache_says_what_to_do(tmp_path: Path) -> None:
    app = app_on(CacheStore(tmp_path / "empty"))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "No families yet: run `ptlm-tui import FILE`" in text


async def test_demo_data_is_marked_on_every_screen(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    app.demo = True
    async with app.run_test(size=(120, 30), notifications=True) as pilot:
        await settle(pilot)
        assert "DEMO DATA" in screen_text(app)
        assert any("demo" in n.message.lower() for n in app._notifications)
        await pilot.press("enter")
        await settle(pilot)
        assert "DEMO DATA" in screen_text(app)


async def test_keys_typed_in_one_burst_after_slash_land_in_the_filter(tmp_path: Path) -> None:
    """As when a fast typist, a paste or tmux send-keys delivers '/pattern:sparse' in one read."""
    from textual import events

    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for char in "/repo:acme/bert":
            app.post_message(events.Key("slash" if char == "/" else char, char))
        await settle(pilot)
        assert app.screen.query_one(Input).value == "repo:acme/bert"
        assert isinstance(app.screen, FamiliesScreen)
        assert app.screen.query_one(FamiliesTable).frame["family"].to_list() == ["acme_bert"]


async def test_commit_ages_count_to_the_analysis_cut_off_when_one_is_set(tmp_path: Path) -> None:
    """With `until`, "GH ago" is the age at the cut-off (as idle_days and stale: are), not at today."""
    from core.config import Settings
    from tui.formatting import age_since

    app = test_app(tmp_path)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        frame = app.screen.query_one(FamiliesTable).frame
        last_gh = frame.filter(frame["family"] == "acme_bert")["last_gh"].item()
        store = app.store
    cut = (last_gh + dt.timedelta(days=3)).date()
    settings = Settings.model_validate({"analysis": {"until": cut}})
    app = app_on(store, settings)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        row = next(line for line in screen_text(app).splitlines() if "acme_bert" in line)
        at_cut = age_since(last_gh, dt.datetime.combine(cut + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC))
        at_now = age_since(last_gh, NOW)
        assert at_cut != at_now
        assert f" {at_cut} " in row and f" {at_now} " not in row

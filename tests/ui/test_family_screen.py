"""The family screen: live timeline on the rules' grid, why-this-pattern panel, merged commit list."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message
from textual.widgets import Static

from tests.ui.support import of_type, screen_text, settle, test_app
from tui.app import PtlmApp
from tui.screens.commit import CommitScreen
from tui.screens.family import FamilyScreen
from tui.widgets.frame_table import FrameTable
from tui.widgets.timeline import TimelineView


async def open_acme(app: PtlmApp, pilot: object) -> FamilyScreen:
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, FamilyScreen)
    return app.screen


async def test_family_opens_with_timeline_explanation_and_commits(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        screen = await open_acme(app, pilot)
        loaded = of_type(seen, FamilyScreen.Loaded)[-1]
        assert loaded.family == "acme_bert" and loaded.commits.height == 8
        (first,) = of_type(seen, FamilyScreen.TimelineLoaded)
        assert first.timeline.n_bins == 15 and first.seconds <= loaded.seconds
        timeline = screen.query_one(TimelineView)
        assert timeline.timeline is not None and timeline.timeline.n_bins == 15
        assert [r.repo for r in timeline.timeline.rows] == ["acme/bert", "acme/bert-base", "acme/bert-large"]
        why = str(screen.query_one("#why-text", Static).render())
        assert "3 of 4 HF bins share GitHub activity → partial (PS)" in why
        assert "first bin: GitHub only → GitHub First" in why
        text = screen_text(app)
        # Variants are named without what they share with the family (acme/bert-…): base, large.
        assert "GH bert " in text and "HF base " in text and "HF large " in text and "HF bert-…" in text
        assert "█" in text and "▒" in text  # shared and one-sided bins
        assert "external documentation" in text and "—" in text  # a label, and an unlabelled commit


async def test_bin_cursor_moves_in_time_and_the_list_follows(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_acme(app, pilot)
        timeline = screen.query_one(TimelineView)
        commits = screen.query_one("#commits", FrameTable)
        assert timeline.bins_of(timeline.cursor) == range(14, 15)  # the latest bin
        assert "bin 14" in str(screen.query_one("#bin-info", Static).render())
        await pilot.press(*["h"] * 7)
        assert timeline.bins_of(timeline.cursor) == range(7, 8)
        info = str(screen.query_one("#bin-info", Static).render())
        assert "bin 7:" in info and "shared" in info
        row = commits.current_row()
        assert row is not None and row["title"] == "Add v2"  # newest commit of bin 7
        await pilot.press("L")
        assert timeline.bins_of(timeline.cursor) == range(14, 15)  # clamped at the end
        await pilot.press("H", "H")
        assert timeline.bins_of(timeline.cursor) == range(0, 1)
        await pilot.press("right")
        assert timeline.bins_of(timeline.cursor) == range(1, 2)


async def test_zoom_changes_bins_per_column_and_keeps_the_bin(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_acme(app, pilot)
        timeline = screen.query_one(TimelineView)
        before, before_text = timeline.scale, timeline.scale_text()
        await pilot.press("minus")
        assert timeline.scale == before + 1
        assert 14 in timeline.bins_of(timeline.cursor)
        assert timeline.scale_text() != before_text
        assert timeline.scale_text() in str(screen.query_one("#bin-info", Static).render())
        await pilot.press("minus")
        assert "1 column = 2 bins (28 days)" in str(screen.query_one("#bin-info", Static).render())
        await pilot.press("plus", "plus", "plus")
        assert timeline.scale == before - 1
        assert "columns = 1 bin" in timeline.scale_text()
        assert 14 in timeline.bins_of(timeline.cursor)


async def test_platform_filter_and_why_panel_toggle(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_acme(app, pilot)
        commits = screen.query_one("#commits", FrameTable)
        await pilot.press("p")
        assert set(commits.frame["platform"]) == {"github"} and commits.row_count == 4
        await pilot.press("p")
        assert set(commits.frame["platform"]) == {"huggingface"}
        await pilot.press("p")
        assert commits.row_count == 8
        await pilot.press("w")
        assert not screen.query_one("#why").display
        await pilot.press("w")
        assert screen.query_one("#why").display


async def test_enter_opens_the_highlighted_commit(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_acme(app, pilot)
        commits = screen.query_one("#commits", FrameTable)
        await pilot.press("j")
        row = commits.current_row()
        assert row is not None
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CommitScreen)
        assert (app.screen.repo, app.screen.sha) == (row["repo"], row["key"])
        await pilot.press("escape")
        assert app.screen_stack[-1] is screen


async def test_family_without_hf_commits_explains_why_there_is_no_pattern(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen) and app.screen.family == "solo_code"
        why = str(app.screen.query_one("#why-text", Static).render())
        assert "No pattern: no Hugging Face commits" in why


async def test_many_variants_scroll_with_shift_j_k_and_the_bin_summary_stays_one_line(tmp_path: Path) -> None:
    from cache.store import CacheStore
    from core.commits import store_commits
    from tests.helpers import T0, commit, commits_frame, days
    from tests.ui.support import app_on

    rows = [commit("wide", "github", "wide/code", T0 + days(14 * b)) for b in range(10)]
    rows += [commit("wide", "huggingface", f"wide/model-{v:02d}", T0 + days(14 * (v % 10) + 1)) for v in range(30)]
    store = CacheStore(tmp_path / "c")
    store_commits(store, commits_frame(rows), source="test")
    app = app_on(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        timeline = app.screen.query_one(TimelineView)
        assert timeline.timeline is not None and len(timeline.timeline.rows) == 31
        await pilot.press("J", "J", "J")
        assert timeline.scroll_y == 3
        await pilot.press("K")
        assert timeline.scroll_y == 2
        info = str(app.screen.query_one("#bin-info", Static).render()).split("\n")
        assert "GH 1" in info[0] and "3 variants:" in info[0] and info[1].startswith("█ shared")

"""Untrusted text (commit messages, file and family names, error details, summaries) is shown literally.

No markup, link or action is interpreted, and no escape or control character reaches the terminal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest
from rich.segment import Segment
from rich.style import Style
from textual.content import Content

from cache.store import CacheStore
from core.commits import store_commits
from core.errors import NetworkError
from tests.app_data import HOSTILE_TITLES, build_cache
from tests.helpers import T0, commit, commits_frame, days
from tests.ui.support import app_on, screen_text, settle
from tui.app import PtlmApp
from tui.failures import report_failure
from tui.messages import TaskFinished
from tui.safe import plain, plain_content
from tui.screens.commit import CommitScreen
from tui.screens.family import FamilyScreen
from tui.widgets.frame_table import FrameTable

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
HOSTILE_FAMILY = "[@click=app.quit]fam[/]\x1b[31m"
MARKERS = ("click me", "fam[/]", "[red]x[/]", "y[/link]", "x[/].py")


def segments(app: PtlmApp) -> Iterator[Segment]:
    for strip in app.screen._compositor.render_strips():
        yield from strip


def assert_inert(app: PtlmApp) -> None:
    """No control character anywhere on screen; no link or action on any hostile text."""
    for segment in segments(app):
        assert not CONTROL.search(segment.text), repr(segment.text)
        style = segment.style or Style()
        assert not style.link, segment
        if any(marker in segment.text for marker in MARKERS):
            assert "@click" not in (style.meta or {}), segment


@pytest.mark.parametrize("text", HOSTILE_TITLES)
def test_safe_helpers_neutralise_hostile_strings(text: str) -> None:
    for rendered in (plain(text), plain(text, single_line=False)):
        assert not CONTROL.search(rendered.plain)
        assert not rendered.spans  # nothing was parsed into styles, links or actions
    content = plain_content(text)
    assert isinstance(content, Content) and not CONTROL.search(content.plain)
    assert not list(content.spans)


def test_markup_stays_literal() -> None:
    assert plain("[@click=app.quit]click me[/]").plain == "[@click=app.quit]click me[/]"
    assert plain("[link=http://x]y[/link]").plain == "[link=http://x]y[/link]"
    assert plain_content("fix [/] bug").plain == "fix [/] bug"  # would be a MarkupError as markup


def hostile_store(root: Path) -> CacheStore:
    store = build_cache(root, hostile=True, long_lines=10_000)
    store_commits(
        store,
        commits_frame(
            [
                commit(HOSTILE_FAMILY, "github", "evil/fam", T0, title="\x1b]52;c;ZXZpbA==\x07steal"),
                commit(HOSTILE_FAMILY, "huggingface", "evil/fam-model", T0 + days(1), title="[b]bold?[/b]"),
            ]
        ),
        source="test",
    )
    return store


async def test_every_screen_shows_hostile_text_literally(tmp_path: Path) -> None:
    app = app_on(hostile_store(tmp_path / "c"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "[@click=app.quit]fam[/]" in text
        assert_inert(app)
        # Clicking the hostile family name selects it; it does not quit the app.
        table = app.screen.query_one(FrameTable)
        row = table.frame["family"].to_list().index(HOSTILE_FAMILY)
        await pilot.click(FrameTable, offset=(3, row + 1))
        await pilot.pause()
        assert app.is_running and table.cursor_row == row

        await pilot.press("slash", *"evil_model", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        text = screen_text(app)
        for title in ("[@click=app.quit]click me[/]", "[red]x[/]", "[link=http://x]y[/link]", "red link"):
            assert title in text
        assert "evil עברית العربية" in text  # right-to-left text kept, the override dropped
        assert_inert(app)

        commits = app.screen.query_one("#commits", FrameTable)
        commits.cursor_row = commits.frame["title"].to_list().index(HOSTILE_TITLES[0])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CommitScreen)
        text = screen_text(app)
        assert "body [@click=app.quit]click me[/]" in text
        assert "[@click=app.quit]x[/].py" in text and "clear.txt" in text
        assert_inert(app)
        await pilot.click("#commit-meta", offset=(3, 0))  # on the hostile title
        assert app.is_running


async def test_hostile_error_details_and_summaries_are_literal(tmp_path: Path) -> None:
    app = app_on(hostile_store(tmp_path / "c"))
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        app.post_message(TaskFinished("sync", "Sync", "done [@click=app.quit]ok[/] \x1b[2J"))
        await settle(pilot)
        assert "done [@click=app.quit]ok[/]" in screen_text(app)
        assert_inert(app)
        report_failure(
            app, NetworkError("[red]Hub[/red] \x07", "[link=http://evil]x[/link]", "[@click=app.quit]do it[/]")
        )
        await pilot.pause()
        text = screen_text(app)
        assert "[link=http://evil]x[/link]" in text and "What to do: [@click=app.quit]do it[/]" in text
        assert_inert(app)


async def test_hostile_family_opens_and_its_title_bar_is_plain(tmp_path: Path) -> None:
    app = app_on(hostile_store(tmp_path / "c"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FrameTable)
        table.cursor_row = table.frame["family"].to_list().index(HOSTILE_FAMILY)
        await pilot.press("enter")
        await settle(pilot)
        text = screen_text(app)
        assert "ptlm-tui › Families › [@click=app.quit]fam[/]" in text
        assert "steal" in text and "ZXZpbA" not in text  # the OSC 52 sequence is gone, not shown
        assert_inert(app)
        assert (
            app.store.collect(app.store.commits()).filter(pl.col("family") == HOSTILE_FAMILY).height == 2
        )  # raw kept in the cache

"""The commit screen: message, files, label provenance, linked commit, copy (OSC 52), browser, relabel."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from textual.message import Message
from textual.widgets import OptionList, Static

from core.labels import effective_labels
from tests.ui.support import of_type, screen_text, settle, test_app
from tui.app import PtlmApp
from tui.browser import browser_here
from tui.clipboard import OSC52
from tui.messages import Copied, LabelChanged
from tui.screens.commit import CommitScreen
from tui.screens.family import FamilyScreen
from tui.screens.relabel import RelabelModal
from tui.widgets.frame_table import FrameTable
from tui.widgets.text_view import TextView


async def open_commit(app: PtlmApp, pilot: object, title: str) -> CommitScreen:
    """Open acme_bert, put the list on the commit titled ``title`` and press Enter."""
    await settle(pilot)  # type: ignore[arg-type]
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    commits = app.screen.query_one("#commits", FrameTable)
    commits.cursor_row = commits.frame["title"].to_list().index(title)
    await pilot.press("enter")  # type: ignore[attr-defined]
    await settle(pilot)  # type: ignore[arg-type]
    assert isinstance(app.screen, CommitScreen)
    return app.screen


async def test_commit_shows_message_files_label_and_link(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_commit(app, pilot, "Fix tokenizer")
        meta = str(screen.query_one("#commit-meta", Static).render())
        assert "Fix tokenizer" in meta and "GitHub · acme/bert · 2022-01-31 12:00 UTC" in meta
        assert "Change type: preprocessing  (rule, confidence 0.90)" in meta
        assert "Linked: HF acme/bert-base" in meta and "found in the message" in meta
        assert screen.query_one("#files", FrameTable).frame["path"].to_list() == ["tokenizer.py"]
        assert screen.detail is not None and screen.detail.sha == "c" * 40


async def test_enter_follows_the_link_to_the_other_platform(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_commit(app, pilot, "Fix tokenizer")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CommitScreen) and app.screen.platform == "huggingface"
        assert app.screen.detail is not None and app.screen.detail.title.startswith("Auto Sync")


async def test_copy_sha_and_url_use_osc52_without_a_clipboard_tool(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), message_hook=seen.append, notifications=True) as pilot:
        await open_commit(app, pilot, "Fix tokenizer")
        await pilot.press("y")
        assert app.clipboard == "c" * 40
        await pilot.press("Y")
        assert app.clipboard == "https://github.com/acme/bert/commit/" + "c" * 40
        copied = of_type(seen, Copied)
        assert [(c.what, c.method) for c in copied] == [("commit id", OSC52), ("URL", OSC52)]
        assert any("Copied the URL" in n.message for n in app._notifications)


async def test_open_in_browser_over_ssh_copies_the_url_instead(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await open_commit(app, pilot, "Upload model")
        await pilot.press("o")
        assert app.clipboard.startswith("https://huggingface.co/acme/bert-base/commit/")
        assert any("No browser on this machine" in n.message for n in app._notifications)


def test_browser_decision() -> None:
    assert not browser_here({"SSH_TTY": "/dev/pts/1", "DISPLAY": ":0"}, "linux")
    assert not browser_here({}, "linux")
    assert browser_here({"DISPLAY": ":0"}, "linux")
    assert browser_here({}, "darwin")


async def test_relabel_by_hand_wins_and_the_family_list_follows(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        screen = await open_commit(app, pilot, "Fix tokenizer")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RelabelModal)
        options = app.screen.query_one(OptionList)
        assert (
            options.highlighted is not None and options.get_option_at_index(options.highlighted).id == "preprocessing"
        )
        await pilot.press("k")
        assert options.get_option_at_index(options.highlighted or 0).id == "validation infrastructure"
        options.highlighted = [o.id for o in options.options].index("model structure")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen_stack[-1] is screen
        assert [(m.sha, m.label) for m in of_type(seen, LabelChanged)] == [("c" * 40, "model structure")]
        assert "Change type: model structure  (manual, confidence 1.00)" in str(
            screen.query_one("#commit-meta", Static).render()
        )
        labels = effective_labels(app.store.labels()).collect().filter(pl.col("sha") == "c" * 40)
        assert labels["source"].to_list() == ["manual"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        assert "model structure*" in screen_text(app)  # the list was read again


async def test_relabel_can_be_cancelled(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_commit(app, pilot, "Initial commit")
        await pilot.press("e", "escape")
        await settle(pilot)
        assert app.screen is screen
        assert app.store.collect(app.store.labels()).filter(pl.col("source") == "manual").is_empty()


async def test_long_message_scrolls_lazily(tmp_path: Path) -> None:
    app = test_app(tmp_path, hostile=True, long_lines=10_000)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"evil", "enter", "enter")
        await settle(pilot)
        commits = app.screen.query_one("#commits", FrameTable)
        commits.cursor_row = commits.frame["title"].to_list().index("A very long message")
        await pilot.press("enter")
        await settle(pilot)
        view = app.screen.query_one(TextView)
        assert view.line_count >= 10_000
        await pilot.press("G")
        await pilot.pause()
        assert "line 9999 [b]not bold[/b]" in screen_text(app)
        await pilot.press("g", "j", "j")
        await pilot.pause()
        assert "line 2 [b]not bold[/b]" in screen_text(app)

"""One binding registry behind the keys, the help screen, the palette and the README; keys remap from config."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.config import Settings
from tests.conftest import REPO_ROOT
from tests.ui.support import screen_text, settle, test_app
from tui.app import PtlmApp
from tui.bindings import BY_ID, COMMANDS, SCOPES, commands_for, key_display
from tui.keytable import END, START, markdown_key_table, readme_block, readme_is_current, update_readme
from tui.screens.commit import CommitScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.diff import DiffScreen
from tui.screens.families import FamiliesScreen
from tui.screens.family import FamilyScreen
from tui.screens.help import HelpScreen, help_sections
from tui.screens.propose import ProposeScreen
from tui.widgets.drift_view import DriftView
from tui.widgets.frame_table import FrameTable
from tui.widgets.text_view import TextView


def test_registry_ids_are_stable_kebab_case_and_unique() -> None:
    ids = [c.id for c in COMMANDS]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", i) for i in ids)
    assert all(c.description and c.tooltip for c in COMMANDS)
    assert all(set(c.scopes) <= set(SCOPES) for c in COMMANDS)


@pytest.mark.parametrize(
    ("owner", "scope"),
    [
        (PtlmApp, "app"),
        (FamiliesScreen, "families"),
        (FamilyScreen, "family"),
        (CommitScreen, "commit"),
        (DashboardScreen, "dashboard"),
        (ProposeScreen, "propose"),
        (FrameTable, "table"),
        (TextView, "text"),
    ],
)
def test_every_binding_comes_from_the_registry(owner: type, scope: str) -> None:
    bound = {b.id: (b.key, b.action) for b in owner.BINDINGS}  # type: ignore[attr-defined]
    assert bound == {c.id: (c.keys, c.action) for c in commands_for(scope)}


def test_every_registry_action_exists_where_it_is_bound() -> None:
    owners = {
        "app": PtlmApp,
        "families": FamiliesScreen,
        "family": FamilyScreen,
        "drift": DriftView,
        "diff": DiffScreen,
        "commit": CommitScreen,
        "dashboard": DashboardScreen,
        "table": FrameTable,
        "text": TextView,
        "help": HelpScreen,
        "propose": ProposeScreen,
    }
    for command in COMMANDS:
        name = command.action.partition("(")[0]
        for scope in command.scopes:
            assert hasattr(owners[scope], f"action_{name}"), f"{command.id}: {owners[scope].__name__}.action_{name}"


def test_readme_key_table_matches_the_registry() -> None:
    readme = REPO_ROOT / "README.md"
    assert readme_is_current(readme), "README key table is stale: run `ptlm-tui keys --readme README.md`"
    for command in COMMANDS:
        assert f"`{command.id}`" in readme.read_text(encoding="utf-8")


def test_readme_block_is_regenerated_in_place(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\nbefore\n\n{START}\nold table\n{END}\n\nafter\n", encoding="utf-8")
    assert not readme_is_current(readme)
    assert update_readme(readme)
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("# x\n\nbefore\n\n") and text.endswith("\n\nafter\n")
    assert readme_block() in text and readme_is_current(readme)
    assert not update_readme(readme)


def test_markdown_table_escapes_pipes_and_lists_every_command() -> None:
    table = markdown_key_table({"sort": "|"})
    assert "`\\|`" in table
    assert table.count("\n") == len([c for s in SCOPES for c in commands_for(s)]) + 2


async def test_help_screen_lists_every_key_of_the_registry(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        from io import StringIO

        from rich.console import Console

        console = Console(file=StringIO(), width=200, color_system=None)
        for part in help_sections():
            console.print(part)
        text = console.file.getvalue()  # type: ignore[attr-defined]
        for command in COMMANDS:
            assert command.id in text and key_display(command.keys) in text
        assert "pattern:" in text and "stale:" in text  # the filter language
        await pilot.press("escape")
        assert isinstance(app.screen, FamiliesScreen)


async def test_keymap_from_the_config_remaps_and_help_follows(tmp_path: Path) -> None:
    settings = Settings.model_validate({"ui": {"keymap": {"show-dashboard": "D", "open-family": "space"}}})
    app = test_app(tmp_path, settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        assert isinstance(app.screen, FamiliesScreen)  # d no longer opens the dashboard
        await pilot.press("space")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        await pilot.press("escape", "D")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert "D " in screen_text(app)


async def test_unknown_keymap_ids_are_reported_not_fatal(tmp_path: Path) -> None:
    settings = Settings.model_validate({"ui": {"keymap": {"no-such-thing": "z", "sort": "s"}}})
    app = test_app(tmp_path, settings)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        assert any("no-such-thing" in n.message for n in app._notifications)


async def test_palette_offers_registry_commands_and_runs_them(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"dashboard")
        await pilot.pause(0.5)
        text = screen_text(app)
        assert "Everywhere: Dashboard (d)" in text
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)


async def test_palette_lists_the_screen_commands_with_their_category(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"zoom out")
        await pilot.pause(0.5)
        assert "Family: Zoom out (-)" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, FamilyScreen)


def test_registry_lookup() -> None:
    assert BY_ID["sync-all"].keys == "S"

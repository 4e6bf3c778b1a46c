"""The app's background keys against the real sync, classify and discover, on the loopback fake Hub.

No stand-in: ``s``, ``S``, ``c``, ``C`` and ``N`` run ``core.mining.sync.sync``,
``core.classify.service.classify`` and ``core.mining.discover.discover`` through the app's task runner,
against a real HTTP server speaking the Hub's protocol (tests/fakes/fake_hub.py) and real git
repositories reached through file:// (tests/fakes/git_repos.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Button, Static

from cache.store import CacheStore
from core.config import Settings
from tests.app_data import demo_cache
from tests.fakes.fake_hub import FakeHub
from tests.fakes.mining import fast_retries, gh_root, hub, make_gh_repo, make_settings, seed_family
from tests.ui.support import app_on, of_type, settle
from tui.app import PtlmApp
from tui.messages import TaskFinished, TaskPlanned, TaskProgressed
from tui.screens.families import FamiliesScreen, FamiliesTable
from tui.screens.family import FamilyScreen
from tui.widgets.confirm import ConfirmModal
from tui.widgets.frame_table import FrameTable
from tui.widgets.status_bar import StatusBar

__all__ = ["fast_retries", "gh_root", "hub"]  # fixtures used by name


def card(link: str) -> str:
    return f"# Model\n\nCode: {link}\n"


@pytest.fixture
def world(hub: FakeHub, gh_root: Path, tmp_path: Path) -> tuple[CacheStore, Settings, FakeHub, Path]:
    """Two families in the cache, never synced; their repositories on the fake Hub and in local git."""
    hub.add_model("acme/bert-small", commits=4, card=card("https://github.com/acme/bert"))
    hub.add_model("acme/bert-large", commits=2, card=card("https://github.com/acme/bert"))
    hub.add_model("lab/tiny", commits=3, card=card("https://github.com/lab/tiny-code"))
    make_gh_repo(gh_root, "acme/bert", commits=5)
    make_gh_repo(gh_root, "lab/tiny-code", commits=6)
    store = CacheStore(tmp_path / "cache")
    seed_family(store, "acme_bert", "acme/bert", ["acme/bert-small", "acme/bert-large"])
    seed_family(store, "lab_tiny", "lab/tiny-code", ["lab/tiny"])
    return store, make_settings(hub, gh_root, store.root), hub, gh_root


async def finish(pilot: Pilot[Any]) -> None:
    """Wait for the task, its reload and the screens' reads."""
    app = pilot.app
    assert isinstance(app, PtlmApp)
    for _ in range(50):
        await settle(pilot)
        if app.tasks.current is None:
            break
        await pilot.pause(0.1)
    await settle(pilot)


async def ask(pilot: Pilot[Any], key: str) -> None:
    """Press a heavy task's key and wait for its question."""
    await pilot.press(key)
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConfirmModal)


async def run_confirmed(pilot: Pilot[Any], key: str) -> None:
    """Press a heavy task's key, say yes, and wait for the task and its reload."""
    await ask(pilot, key)
    await pilot.press("y")
    await finish(pilot)


def question(app: PtlmApp) -> str:
    """The confirmation's question, as shown."""
    assert isinstance(app.screen, ConfirmModal)
    return str(app.screen.query_one(".confirm--question", Static).render())


def summaries(seen: list[Message]) -> list[tuple[str, str]]:
    return [(m.task_id, m.summary) for m in of_type(seen, TaskFinished)]


def family_row(app: PtlmApp, family: str) -> dict[str, Any]:
    return app.view.filter(pl.col("family") == family).row(0, named=True)


async def test_s_syncs_the_highlighted_family_for_real_and_the_list_shows_its_commits(world: Any) -> None:
    store, settings, hub, _ = world
    seen: list[Message] = []
    app = app_on(store, settings)
    async with app.run_test(size=(120, 30), message_hook=seen.append, notifications=True) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FamiliesTable)
        assert table.current_key() == "acme_bert" and family_row(app, "acme_bert")["gh_commits"] is None
        await pilot.press("s")  # one family: no question asked
        assert not isinstance(app.screen, ConfirmModal)
        await finish(pilot)
        assert any(p.progress.total == 3 for p in of_type(seen, TaskProgressed))  # GitHub + two variants
        ((task, summary),) = summaries(seen)
        assert task == "sync" and summary.startswith("synced 3 repositories") and "3 ok (11 new commits)" in summary
        row = family_row(app, "acme_bert")
        assert (row["gh_commits"], row["hf_commits"], row["code"] is not None) == (5, 6, True)
        assert family_row(app, "lab_tiny")["gh_commits"] is None  # untouched
        assert hub.count(r"/api/models/lab/tiny") == 0
        assert "Sync: synced 3 repositories" in str(app.screen.query_one(StatusBar).render())


async def test_capital_s_asks_with_the_count_and_no_keeps_everything_as_it_was(world: Any) -> None:
    store, settings, hub, _ = world
    seen: list[Message] = []
    app = app_on(store, settings)
    async with app.run_test(size=(120, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await ask(pilot, "S")
        (planned,) = of_type(seen, TaskPlanned)
        assert planned.plan.count == 5
        assert "Sync 5 repositories of all 2 families from the Hub and GitHub?" in question(app)
        # Enter on the focused button: Cancel comes first, so a stray Enter declines.
        assert app.screen.focused is not None and isinstance(app.screen.focused, Button)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmModal) and app.tasks.current is None
        assert hub.count() == 0 and not summaries(seen)
        await ask(pilot, "S")
        await pilot.press("n")
        await settle(pilot)
        assert hub.count() == 0 and not summaries(seen)
        await run_confirmed(pilot, "S")
        ((task, summary),) = summaries(seen)
        assert task == "sync" and summary.startswith("synced 5 repositories") and "5 ok" in summary


async def test_capital_s_on_a_filtered_list_syncs_only_the_shown_families(world: Any) -> None:
    store, settings, hub, _ = world
    seen: list[Message] = []
    app = app_on(store, settings)
    async with app.run_test(size=(120, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"repo:lab", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FamiliesScreen) and app.screen.filtered_families() == ["lab_tiny"]
        await pilot.press("S")  # one family shown: it starts at once
        await finish(pilot)
        ((_, summary),) = summaries(seen)
        assert summary.startswith("synced 2 repositories")
        assert hub.count(r"/api/models/acme") == 0


async def test_c_labels_the_family_and_its_open_screen_shows_the_labels_without_reopening(world: Any) -> None:
    store, settings, _, _ = world
    seen: list[Message] = []
    app = app_on(store, settings)
    async with app.run_test(size=(120, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await finish(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FamilyScreen)
        commits = screen.query_one("#commits", FrameTable)
        assert commits.frame["label"].null_count() == 11  # nothing labelled yet: "—"
        await pilot.press("c")
        await finish(pilot)
        assert app.screen is screen  # still on the family
        ((_, summary),) = summaries(seen)[1:]
        assert summary.startswith("labelled 11 unlabelled commits of 1 family with rules")
        assert commits.frame["label"].null_count() == 0  # the screen read its commits again
        assert "—" not in [str(v) for v in commits.frame["label"].to_list()]


async def test_capital_c_twice_labels_only_what_is_unlabelled_and_then_says_there_is_nothing(world: Any) -> None:
    store, settings, _, _ = world
    seen: list[Message] = []
    app = app_on(store, settings)
    async with app.run_test(size=(120, 30), message_hook=seen.append, notifications=True) as pilot:
        await settle(pilot)
        await run_confirmed(pilot, "S")
        await ask(pilot, "C")
        assert "Label 20 unlabelled commits of all 2 families with the rules?" in question(app)
        await pilot.press("y")
        await finish(pilot)
        assert summaries(seen)[-1][1].startswith("labelled 20 unlabelled commits of 2 families")
        await pilot.press("C")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmModal)  # nothing to ask about
        messages = [n.message for n in app._notifications]
        assert any("Nothing to label: all 20 commits of all 2 families already have a label." in m for m in messages)
        assert len(summaries(seen)) == 2  # no second "labelled 20"


async def test_n_discovers_new_families_on_the_hub_after_asking(world: Any) -> None:
    store, settings, hub, gh = world
    hub.add_model("newlab/fresh-base", downloads=70_000, card=card("https://github.com/newlab/fresh"))
    seen: list[Message] = []
    app = app_on(store, settings)
    async with app.run_test(size=(120, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await ask(pilot, "N")
        assert "Discover families on the Hub" in question(app) and "knows 2 families now" in question(app)
        await pilot.press("y")
        await finish(pilot)
        ((task, summary),) = summaries(seen)
        assert task == "discover" and "3 families (1 new" in summary
        assert "newlab_fresh" in app.view["family"].to_list()
        # The new family has no commits yet: it sorts after the ones that have (none here) and says so.
        assert family_row(app, "newlab_fresh")["status"] in (None, "no commits yet")


async def test_ctrl_r_reads_a_change_made_by_another_process(world: Any) -> None:
    from core.mining.sync import sync

    store, settings, _, _ = world
    app = app_on(store, settings)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FamilyScreen)
        assert screen.query_one("#commits", FrameTable).row_count == 0
        sync(store, settings, ["acme_bert"])  # as `ptlm-tui sync` in another terminal would
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.screen is screen and screen.query_one("#commits", FrameTable).row_count == 11
        await pilot.press("f")  # straight back to the list, which has the new counts too
        await settle(pilot)
        assert isinstance(app.screen, FamiliesScreen)
        assert family_row(app, "acme_bert")["gh_commits"] == 5


async def test_a_sync_with_the_network_down_stops_early_and_says_so(world: Any, fast_retries: None) -> None:
    import socket

    store, _, _, gh = world
    for n in range(4):
        seed_family(store, f"more_{n}", f"more/code-{n}", [f"more/model-{n}"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = make_settings(None, gh, store.root, github={"base_url": down})
    seen: list[Message] = []
    app = app_on(store, settings)
    async with app.run_test(size=(120, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await run_confirmed(pilot, "S")
        ((_, summary),) = summaries(seen)
        assert summary.startswith("stopped after 5 network failures in a row")
        assert "of 13 repositories were not tried" in summary
        failing = app.view.filter(pl.col("sync_problem").is_not_null())
        assert 1 <= failing.height < app.view.height  # only the families actually tried are marked !
        row = failing.row(0, named=True)
        assert row["sync_problem"] == "network" and row["sync_hint"]


def test_fixtures_make_real_repositories(world: Any) -> None:
    _, _, hub, gh = world
    assert (gh / "acme/bert" / ".git").is_dir() and "acme/bert-small" in hub.models


async def test_on_the_demo_sync_and_discover_run_against_the_demo_source(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    demo_cache(root)
    seen: list[Message] = []
    app = app_on(CacheStore(root), demo=True)
    async with app.run_test(size=(120, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        assert app.screen.query_one(FamiliesTable).current_key() == "aurora-nlp_aurora-bert"
        before = family_row(app, "aurora-nlp_aurora-bert")["gh_commits"]
        await pilot.press("s")
        await finish(pilot)
        details = [p.progress.detail for p in of_type(seen, TaskProgressed)]
        assert any(d.startswith("writing ") for d in details)  # the demo source's repositories, built once
        ((_, summary),) = summaries(seen)
        assert summary.startswith("synced 16 repositories") and "(2 new commits)" in summary  # GitHub + 15 variants
        assert family_row(app, "aurora-nlp_aurora-bert")["gh_commits"] == before + 2
        await ask(pilot, "N")
        assert "Demo: from the built-in demo source" in question(app)
        await pilot.press("y")
        await finish(pilot)
        assert "32 families (2 new" in summaries(seen)[-1][1]
        assert {"sable-ai_sable-lm", "fennel-nlp_fennel-ner"} <= set(app.view["family"].to_list())
        assert app.demo_source is not None and app.demo_source.hub is not None
    assert app.demo_source.hub is None  # stopped with the app

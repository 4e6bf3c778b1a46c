"""Background work: progress and ETA in the status bar, cancel, results landing, errors as modals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.message import Message

from core.config import Settings
from tests.ui import task_fixtures
from tests.ui.support import of_type, screen_text, settle, test_app
from tui.messages import ErrorReported, FamiliesLoaded, TaskCancelled, TaskFinished, TaskProgressed
from tui.screens.families import FamiliesTable
from tui.tasks import CLASSIFY, DISCOVER, SYNC, TaskSpec, classify_task, discover_task, sync_task
from tui.widgets.error_modal import ErrorModal
from tui.widgets.status_bar import StatusBar

LABEL = TaskSpec("label", "Label", task_fixtures.label_titles)


@pytest.fixture(autouse=True)
def _gate() -> Iterator[None]:
    task_fixtures.GATE.set()
    yield
    task_fixtures.GATE.set()  # never leave a worker thread waiting


def read_text(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def status(app: object) -> str:
    return str(app.screen.query_one(StatusBar).render())  # type: ignore[attr-defined]


async def test_task_reports_progress_finishes_and_the_data_reloads(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path, labels=False)
    async with app.run_test(size=(100, 30), message_hook=seen.append, notifications=True) as pilot:
        await settle(pilot)
        assert app.tasks.start(LABEL, ["acme_bert", "zeta_gpt"])
        await settle(pilot)
        progress = [m.progress for m in of_type(seen, TaskProgressed)]
        assert progress and progress[-1].done == 2 and progress[-1].total == 2
        finished = of_type(seen, TaskFinished)
        assert [(f.task_id, f.summary) for f in finished] == [("label", "labelled 15 commits in 2 families")]
        assert app.generation == 1  # results land: the view was read again
        assert any(m.generation == 1 for m in of_type(seen, FamiliesLoaded))
        assert app.store.collect(app.store.labels()).height == 15
        assert "Label: labelled 15 commits in 2 families" in status(app)
        assert app.tasks.current is None


async def test_cancel_stops_at_the_next_checkpoint_and_keeps_the_work(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path, labels=False)
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        task_fixtures.GATE.clear()
        app.tasks.start(LABEL, None)
        await pilot.pause(0.2)
        assert "Label 0/3" in status(app) and "(x cancels)" in status(app)
        # Input never freezes while work runs.
        table = app.screen.query_one(FamiliesTable)
        await pilot.press("j", "j")
        assert table.cursor_row == 2
        await pilot.press("x")
        task_fixtures.GATE.set()
        await settle(pilot)
        cancelled = of_type(seen, TaskCancelled)
        assert [c.task_id for c in cancelled] == ["label"]
        assert not of_type(seen, TaskFinished)
        assert "cancelled; work finished so far is kept" in status(app)
        assert app.tasks.current is None


async def test_rate_limit_wait_is_counted_down_in_the_status_bar(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        task_fixtures.GATE.clear()
        app.tasks.start(LABEL, [task_fixtures.RATE_LIMITED_FAMILY])
        await pilot.pause(0.3)
        line = status(app)
        assert "rate limited: retry in 4" in line and "acme/bert-base" in line
        await pilot.press("x")
        task_fixtures.GATE.set()
        await settle(pilot)


async def test_second_task_is_refused_while_one_runs(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        task_fixtures.GATE.clear()
        assert app.tasks.start(LABEL, None)
        assert not app.tasks.start(LABEL, None)
        await pilot.pause()
        assert any("still running" in n.message for n in app._notifications)
        task_fixtures.GATE.set()
        await settle(pilot)


async def test_known_error_becomes_a_modal_with_the_hint(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        app.tasks.start(LABEL, [task_fixtures.FAIL_FAMILY])
        await settle(pilot)
        reported = of_type(seen, ErrorReported)
        assert [(r.title, r.known) for r in reported] == [("The Hub did not answer", True)]
        assert isinstance(app.screen, ErrorModal)
        text = screen_text(app)
        assert "huggingface.co: read timeout after 30 s" in text and "What to do: retry later" in text
        await pilot.press("escape")
        assert not isinstance(app.screen, ErrorModal)
        assert app.tasks.current is None


async def test_bug_is_logged_and_shown_without_a_traceback(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        app.tasks.start(LABEL, [task_fixtures.BUG_FAMILY])
        await settle(pilot)
        (report,) = of_type(seen, ErrorReported)
        assert not report.known and report.title == "Something went wrong during Label"
        assert "RuntimeError: a bug in the task" in report.detail
        log = report.hint.split("the traceback is in ")[1].split(";")[0]
        assert "Traceback" in read_text(log)
        assert "Traceback" not in screen_text(app)
        await pilot.press("enter")
        assert not isinstance(app.screen, ErrorModal)


async def test_network_tasks_are_refused_offline(tmp_path: Path) -> None:
    # On the demo they run against the demo source (tests/ui/test_tasks_real.py).
    app = test_app(tmp_path, Settings(offline=True))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("S", "N", "s")
        messages = [n.message for n in app._notifications]
        assert sum("needs the network and ptlm-tui runs with --offline" in m for m in messages) == 3
        assert app.tasks.current is None and "offline" in status(app)


def test_background_tasks_are_typed_references_to_the_core_calls() -> None:
    # The functions themselves, not names: mypy checks each against core's signature, and
    # tests/ui/test_tasks_real.py presses the keys against the real sync, classify and discover.
    assert (SYNC.run, SYNC.network) == (sync_task, True)
    assert (DISCOVER.run, DISCOVER.network) == (discover_task, True)
    assert (CLASSIFY.run, CLASSIFY.network) == (classify_task, False)
    assert all(spec.plan is not None for spec in (SYNC, DISCOVER, CLASSIFY))  # heavy: they ask first


async def test_cancel_with_nothing_running_says_so(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("x")
        await pilot.pause()
        assert any("Nothing is running" in n.message for n in app._notifications)


async def test_a_corrupt_cache_table_is_a_modal_with_the_fix_not_a_crash(tmp_path: Path) -> None:
    from tests.app_data import build_cache
    from tests.ui.support import app_on

    store = build_cache(tmp_path / "c")
    (data,) = (tmp_path / "c" / "commits").glob("*.parquet")
    data.write_bytes(b"PAR1 this is not parquet")
    seen: list[Message] = []
    app = app_on(store)
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        (report,) = of_type(seen, ErrorReported)
        assert report.known and report.title.startswith("Cache table 'commits' is damaged")
        assert isinstance(app.screen, ErrorModal)
        assert "ptlm-tui cache check" in screen_text(app)
        await pilot.press("escape")
        assert app.is_running and app.loading == ""

"""The proposal dialog against the real core, the real huggingface_hub client and the loopback fake Hub.

Nothing is sent before ``o`` and then ``y``; the pull request's URL reaches the status line and the
record; a token that cannot write is reported with nothing half-sent; a second attempt says "PR
open"; the patch for GitHub is written where the person says; hostile file contents and commit
titles are shown literally.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from core.config import load_settings
from core.propose.model import TO_GITHUB, TO_HUB
from tests.fakes.fake_hub import FakeHub
from tests.fakes.propose_world import (
    FAMILY,
    READ,
    SCOPED,
    VARIANT,
    WRITE,
    ProposeWorld,
    build_world,
    copy_cache,
    world_hub,
)
from tests.ui.support import app_on, screen_text, settle
from tests.ui.test_untrusted_text import CONTROL, assert_inert
from tui.app import PtlmApp
from tui.screens.family import FamilyScreen
from tui.screens.propose import ASKING, READY, ProposeOutcome, ProposeScreen
from tui.widgets.diff_view import DiffView
from tui.widgets.drift_view import DriftView
from tui.widgets.status_bar import StatusBar


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> ProposeWorld:
    return build_world(tmp_path_factory.mktemp("propose-app-world"), hostile=True)


@pytest.fixture(scope="module")
def hub(world: ProposeWorld) -> Iterator[FakeHub]:
    with world_hub(world) as fake:
        yield fake


def make_app(
    world: ProposeWorld, hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, token: str | None
) -> PtlmApp:
    """The app on a fresh copy of the world's cache, with settings as the CLI reads them (fake Hub, token)."""
    hub.commits.reset()
    hub.reset_log()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("PTLM_GITHUB__BASE_URL", world.gh_root.as_uri())
    monkeypatch.setenv("PTLM_PROPOSE__MAX_FILE_MB", "1")
    if token:
        monkeypatch.setenv("HF_TOKEN", token)
    return app_on(CacheStore(copy_cache(world, tmp_path / "cache")), load_settings())


def api_requests(hub: FakeHub) -> list[str]:
    return [r.path for r in hub.requests if r.path.startswith("/api/") or ".git/info/lfs" in r.path]


def bar(app: PtlmApp) -> str:
    return str(app.screen.query_one("#propose-bar").render())


def status_line(app: PtlmApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


async def test_nothing_is_sent_before_yes_then_the_url_reaches_the_status_line(
    world: ProposeWorld, hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(world, hub, tmp_path, monkeypatch, WRITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # the family (the only one)
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        await pilot.press("P")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProposeScreen) and screen.stage == READY
        text = screen_text(app)
        assert f"Proposal to {VARIANT} (family {FAMILY}) from GitHub acme/code" in text
        assert "== config.json <- GitHub config.json  [hf_behind, 2 commits]" in text
        assert '+  "hidden": 768,' in text
        assert f"o: open a pull request on {VARIANT} (3 files; asks first)" in bar(app)
        plan = screen.query_one(DiffView)
        lines = plan._lines
        for wanted in ("Left out:", "  big.txt: skipped: 1.2 MB", "Commit message:", "    Update 3 files from GitHub"):
            assert any(line.startswith(wanted) for line in lines), wanted

        # Hostile content and commit titles: literal, inert, no escape reaches the terminal.
        row = next(i for i, line in enumerate(lines) if line.startswith("+[bold]loud"))
        plan.scroll_to(y=row - 2, animate=False, immediate=True)
        await pilot.pause()
        text = screen_text(app)
        assert "+[bold]loud[/bold] red [@click=app.quit]quit[/]" in text
        assert not any(CONTROL.search(line) for line in lines)
        assert any("[@click=app.quit]Notes[/] steal (" in line for line in lines)
        assert_inert(app)

        # y before o, then o and n: nothing is sent.
        await pilot.press("y")
        assert screen.stage == READY
        await pilot.press("o")
        assert screen.stage == ASKING
        assert bar(app) == f"Open a pull request on {VARIANT} with 3 files? y: yes, open it · n/Esc: no"
        await pilot.press("n")
        assert screen.stage == READY
        await pilot.press("o", "escape")
        assert screen.stage == READY and app.screen is screen
        await settle(pilot)
        assert hub.commits.received == [] and api_requests(hub) == []

        # o then y sends, and the dialog closes with the URL in the status line.
        await pilot.press("o", "y")
        await settle(pilot)
        (sent,) = hub.commits.received
        assert sent.create_pr and set(sent.files) == {"config.json", "logo.png", "notes.md"}
        assert sent.files["notes.md"] == world_bytes(world, "notes.md")
        assert isinstance(app.screen, FamilyScreen)
        assert f"PR opened on {VARIANT}: {sent.pr_url}" in status_line(app)
        assert f"PR open on {VARIANT} (3 files): {sent.pr_url}" in str(app.screen.query_one("#pr-note").render())
        from core.propose.record import latest_by_variant

        latest = latest_by_variant(app.store).filter(pl.col("variant") == VARIANT)["proposal"].to_list()
        assert latest == [f"PR open: {sent.pr_url}"]  # what `ptlm-tui status` shows

        # A second attempt says "PR open" and offers nothing to send.
        await pilot.press("P")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProposeScreen)
        assert bar(app).startswith(f"PR open: {sent.pr_url} already brings 3 files")
        assert f"config.json: PR open: {sent.pr_url}" in screen_text(app)
        await pilot.press("o", "y")
        await settle(pilot)
        assert len(hub.commits.received) == 1 and app.screen is screen

        # The Drift view says which files that pull request already brings.
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("D")
        await settle(pilot)
        drift = app.screen.query_one(DriftView)
        drift.files.focus()
        await settle(pilot)
        marked = drift.files.frame.filter(pl.col("pr_url").is_not_null())["hf_path"].sort().to_list()
        assert marked == ["config.json", "logo.png", "notes.md"]
        assert "behind · PR open" in screen_text(app)


async def test_p_in_the_drift_view_proposes_the_variant_or_the_highlighted_file(
    world: ProposeWorld, hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(world, hub, tmp_path, monkeypatch, WRITE)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter", "D")
        await settle(pilot)
        drift = app.screen.query_one(DriftView)
        assert drift.selection().variant == VARIANT

        async def propose_here() -> ProposeScreen:
            await pilot.press("p")
            await settle(pilot)
            assert isinstance(app.screen, ProposeScreen)
            return app.screen

        screen = await propose_here()  # on the variant: every file it lacks
        assert (screen.variant, screen.paths, screen.direction) == (VARIANT, (), TO_HUB)
        assert "(3 files; asks first)" in bar(app)
        await pilot.press("escape")
        await settle(pilot)

        drift.files.focus()
        frame = drift.files.frame
        for path, direction, paths in (
            ("config.json", TO_HUB, ("config.json",)),
            ("tokenizer.json", TO_GITHUB, ("tokenizer.json",)),  # HF is ahead: the patch for GitHub
        ):
            drift.files.cursor_row = frame["hf_path"].to_list().index(path)
            await settle(pilot)
            screen = await propose_here()
            assert (screen.paths, screen.direction) == (paths, direction), path
            assert f"== {path} <- " in "\n".join(screen.query_one(DiffView)._lines)
            await pilot.press("escape")
            await settle(pilot)
        assert hub.commits.received == [] and app.store.proposals().height == 0


def world_bytes(world: ProposeWorld, path: str) -> bytes:
    import subprocess

    return subprocess.run(["git", "show", f"HEAD:{path}"], cwd=world.gh, capture_output=True, check=True).stdout


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("hf_unknown", "the Hub does not accept this token (401 Unauthorized)"),
        (READ, "the token of alice is read-only (role read)"),  # whoami says so
        (SCOPED, "the Hub refused the upload (403)"),  # fine-grained without write: the Hub refuses
    ],
)
async def test_a_token_that_cannot_write_is_reported_and_nothing_is_half_sent(
    world: ProposeWorld,
    hub: FakeHub,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    token: str,
    message: str,
) -> None:
    app = make_app(world, hub, tmp_path, monkeypatch, token)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await settle(pilot)
        screen = ProposeScreen(FAMILY, VARIANT, ["config.json", "logo.png"])
        await app.push_screen(screen)
        await settle(pilot)
        await pilot.press("o", "y")
        await settle(pilot)
        assert app.screen is screen and screen.stage == READY  # still there: try again or close
        assert bar(app).startswith(f"Not sent: {message}") and token not in bar(app)
        assert f"PR not opened on {VARIANT}: {message}" in app.note
        assert hub.commits.received == [] and hub.commits.lfs_objects == {}
        assert not any("/commit/" in path for path in api_requests(hub))
        recorded = app.store.proposals()
        assert recorded["state"].to_list() == ["failed"] and message in recorded["error"][0]
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ProposeScreen)
        assert f"PR not opened on {VARIANT}" in status_line(app)


async def test_without_a_token_it_says_so_and_the_patch_for_github_is_written(
    world: ProposeWorld, hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(world, hub, tmp_path, monkeypatch, None)
    outcomes: list[ProposeOutcome | None] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = ProposeScreen(FAMILY, VARIANT)
        await app.push_screen(screen, outcomes.append)
        await settle(pilot)
        assert bar(app).startswith("Cannot open a pull request: no Hub token: set HF_TOKEN")
        await pilot.press("o", "y")
        await settle(pilot)
        assert screen.stage == READY and hub.requests == [] and app.store.proposals().height == 0

        # t: the other direction, a patch for `git am` (tokenizer.json, which HF changed).
        await pilot.press("t")
        await settle(pilot)
        assert "== tokenizer.json <- HF tokenizer.json" in "\n".join(screen.query_one(DiffView)._lines)
        assert bar(app).startswith("o: write a patch (1 file) for `git am`")
        await pilot.press("o")
        box = screen.query_one("#patch-path")
        assert screen.stage == ASKING and box.display
        target = tmp_path / "fix.patch"
        box.value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, ProposeScreen)
        assert target.read_text().startswith("From ") and "tokenizer.json" in target.read_text()
        assert f"Patch written for {VARIANT}: {target}" in app.note
        assert outcomes == [ProposeOutcome(VARIANT, "to_github", str(target))]
        recorded = app.store.proposals()
        assert recorded["state"].to_list() == ["written"] and recorded["patch_file"].to_list() == [str(target)]
        assert hub.requests == []

"""Drift in the app, on the demo: Behind and Files in the families list, the family screen's Drift view and diff.

The demo's flagship family tells the drift story (core.demo.drift_story): the expected figures
come from the cache's drift tables (core.drift), read here without the app.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from cache.store import CacheStore
from core.demo.drift_story import BEHIND, DIVERGED, IN_SYNC, NEVER_UPDATED, STORY_FAMILY
from core.drift.digest import family_figures
from core.drift.stored import cached_drift
from core.views.drift import FILE_COLUMNS
from tests.app_data import HOSTILE_TITLES, build_cache, demo_cache
from tests.ui.support import app_on, screen_text, settle
from tests.ui.test_untrusted_text import assert_inert
from tui.app import PtlmApp
from tui.screens.diff import DiffScreen
from tui.screens.families import FamiliesScreen
from tui.screens.family import FamilyScreen
from tui.widgets.diff_view import DiffView
from tui.widgets.drift_view import DriftView
from tui.widgets.frame_table import FrameTable

SIZE = (120, 40)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> CacheStore:
    return demo_cache(tmp_path_factory.mktemp("drift-app") / "demo")


def _families(app: PtlmApp) -> FrameTable:
    assert isinstance(app.screen, FamiliesScreen)
    return app.screen.table


async def _set_filter(app: PtlmApp, pilot: Pilot[Any], text: str) -> None:
    """Put ``text`` in the filter box at once (typing it is tests/ui/test_families_screen.py's business)."""
    app.screen.query_one("#filter", Input).value = text
    await pilot.pause()


def _check_last_update_marks(app: PtlmApp, screen: FamilyScreen) -> None:
    """The commit list marks each variant's newest HF commit, "HF last updated here", and nothing else."""
    frame = screen.query_one("#commits", FrameTable).frame
    hf = frame.filter(pl.col("platform") == "huggingface")
    newest = hf.group_by("repo").agg(pl.col("authored_at").max())
    marked = hf.filter(pl.col("last_update")).select("repo", "authored_at")
    assert marked.sort("repo").equals(newest.sort("repo")) and marked.height == 14  # xlarge never moved
    assert not frame.filter(pl.col("platform") == "github")["last_update"].any()
    first = marked.sort("authored_at", descending=True).row(0, named=True)
    line = next(li for li in screen_text(app).splitlines() if "◆ HF last updated here" in li)
    assert first["authored_at"].strftime("%Y-%m-%d") in line


async def _open_flagship_drift(
    app: PtlmApp, pilot: Pilot[Any], *, check_marks: bool = False
) -> tuple[FamilyScreen, DriftView]:
    await settle(pilot)
    await _set_filter(app, pilot, STORY_FAMILY)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(app.screen, FamilyScreen)
    screen = app.screen
    if check_marks:
        _check_last_update_marks(app, screen)
    await pilot.press("D")
    await settle(pilot)
    return screen, screen.query_one(DriftView)


def _shown(app: PtlmApp) -> object:
    """The screen on top (a call, so a type checker does not keep an earlier isinstance narrowing)."""
    return app.screen


def _at(table: FrameTable, column: str, value: str) -> None:
    table.cursor_row = table.frame[column].to_list().index(value)


async def test_behind_and_files_columns_sort_and_filter(demo: CacheStore) -> None:
    figures = family_figures(demo)
    expected = dict(figures.select("family", "behind").iter_rows())
    app = app_on(demo, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = _families(app)
        header = screen_text(app).splitlines()[2]
        assert "bBehind" in header and "FFiles" in header  # each with its sort key
        assert dict(table.frame.select("family", "behind").iter_rows()) == expected
        flagship = next(line for line in screen_text(app).splitlines() if line.startswith(STORY_FAMILY[:15]))
        row = figures.filter(pl.col("family") == STORY_FAMILY).row(0, named=True)
        assert f" {row['behind']} " in flagship and f" {row['files']} " in flagship and row["files"] > 0

        await pilot.press("b")  # counts: largest first, again: smallest first (unknown last both ways)
        assert table.frame["behind"].drop_nulls().to_list() == sorted(figures["behind"].drop_nulls(), reverse=True)
        await pilot.press("b")
        assert table.frame["behind"].drop_nulls().to_list() == sorted(figures["behind"].drop_nulls())
        await pilot.press("F")
        most = figures.sort("files", descending=True, nulls_last=True).row(0, named=True)
        assert table.frame["family"][0] == most["family"] and table.frame["files"][0] == most["files"]
        assert "▼Files" in screen_text(app)

        lacking = sorted(figures.filter(pl.col("files") > 0)["family"])
        await _set_filter(app, pilot, "files:>0")
        assert sorted(table.frame["family"]) == lacking and STORY_FAMILY in lacking
        await _set_filter(app, pilot, "drift:behind")
        assert sorted(table.frame["family"]) == sorted(figures.filter(pl.col("files_behind") > 0)["family"])
        await _set_filter(app, pilot, "behind:>100 -drift:behind")
        wanted = figures.filter((pl.col("behind") > 100) & ~(pl.col("files_behind") > 0).fill_null(False))
        assert sorted(table.frame["family"]) == sorted(wanted["family"]) != []
        await _set_filter(app, pilot, "drift:nope")
        text = screen_text(app)
        assert "Bad filter 'drift:nope'" in text and "use one of behind, diverged" in text


async def test_commit_marks_and_drift_view_files_missing_commits_and_diff(demo: CacheStore) -> None:
    table, _ = cached_drift(demo, [STORY_FAMILY])
    config = table.filter(
        (pl.col("hf_repo") == BEHIND) & (pl.col("hf_path") == "config.json") & (pl.col("state") == "hf_behind")
    ).row(0, named=True)
    app = app_on(demo, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen, drift = await _open_flagship_drift(app, pilot, check_marks=True)
        commits = screen.query_one("#commits", FrameTable)
        assert not commits.display and drift.display and app.focused is drift.variants

        variants = drift.variants.frame
        by_variant = {r["hf_repo"]: r for r in variants.iter_rows(named=True)}
        summary = {r["hf_repo"]: r for r in demo.drift_summary(families=[STORY_FAMILY]).iter_rows(named=True)}
        assert set(by_variant) == set(summary)
        for name, row in by_variant.items():
            assert (row["behind"], row["files"]) == (summary[name]["behind"], summary[name]["files"]), name
        assert by_variant[NEVER_UPDATED]["behind"] is None and by_variant[IN_SYNC]["files"] == 0
        assert variants["files"][0] == variants["files"].max()  # most to do first
        _at(drift.variants, "hf_repo", NEVER_UPDATED)
        await pilot.pause()
        text = screen_text(app)
        assert " never " in text and "xlarge: never updated, so not behind by any commit" in text
        assert "Never updated: the variant has no HF commit." in text

        _at(drift.variants, "hf_repo", BEHIND)
        await pilot.pause()
        files = {r["hf_path"]: r for r in drift.files.frame.iter_rows(named=True)}
        assert {p: (r["state"], r["missing_gh_commits"]) for p, r in files.items()} == {
            "config.json": ("hf_behind", 2),
            "tokenizer_config.json": ("hf_behind", 1),
            "configuration_aurora_bert.py": ("in_sync", 0),  # GitHub moved it; HF has it under the new name
        }
        assert drift.files.frame.columns == list(FILE_COLUMNS)
        # The variants list: the GitHub commits since the variant's last HF commit (§8.1).
        assert drift.lacking.row_count == by_variant[BEHIND]["behind"]
        assert "GitHub commits since base-uncased's last HF commit" in screen_text(app)

        await pilot.press("enter")  # into the variant's files
        assert app.focused is drift.files
        _at(drift.files, "hf_path", "config.json")
        await pilot.pause()
        lacking = drift.lacking.frame
        assert lacking["sha"].to_list() == config["missing_gh_shas"].split("|")  # oldest first
        assert lacking["label"].null_count() == 0  # each with its change type
        text = screen_text(app)
        assert "GitHub commits config.json lacks: 2" in text
        assert "Use gelu_new and a larger layer-norm epsilon in the base config" in text
        assert "behind" in text and "configs/base/config.json" in text
        selection = drift.selection()
        assert (selection.family, selection.variant) == (STORY_FAMILY, BEHIND)
        assert selection.file is not None and selection.file["hf_path"] == "config.json"

        await pilot.press("enter")  # the file's diff, HF → GitHub, read offline from the demo's repositories
        await settle(pilot)
        assert isinstance(app.screen, DiffScreen)
        text = screen_text(app)
        assert "aurora-nlp_aurora-bert › base-uncased › config.json" in text
        assert "JSON keys: 1 added, 0 removed, 3 changed" in text
        assert "~ max_position_embeddings: 512 -> 1024" in text
        assert '~ hidden_act: "gelu" -> "gelu_new"' in text and '+ position_embedding_type: "rotary"' in text
        assert '-  "hidden_act": "gelu",' in text and '+  "hidden_act": "gelu_new",' in text
        await pilot.press("escape")
        await pilot.pause()
        assert _shown(app) is screen and drift.display and app.focused is drift.files
        await pilot.press("escape")  # Esc: from the files back to the variants, then (again) to the families
        assert _shown(app) is screen and app.focused is drift.variants

        await pilot.press("D")  # back to the commits
        assert commits.display and not drift.display


async def test_drift_view_and_diff_show_hostile_text_literally(demo: CacheStore) -> None:
    app = app_on(demo, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        screen, drift = await _open_flagship_drift(app, pilot)
        detail = drift.detail
        assert detail is not None
        evil_path = HOSTILE_TITLES[0] + HOSTILE_TITLES[3]  # markup, then terminal escapes
        hostile = {
            "hf_path": pl.lit(evil_path),
            "gh_path": pl.lit("[link=http://x]y[/link]"),
        }
        evil = type(detail)(
            detail.family,
            detail.cached,
            detail.pairs.with_columns(**hostile),
            detail.files.with_columns(**hostile),
            detail.variants,
        )
        titles = pl.Series([HOSTILE_TITLES[i % len(HOSTILE_TITLES)] for i in range(screen.commits.height)])
        commits = screen.commits.with_columns(title=titles, label=pl.lit("[red]x[/]"))
        drift.show(evil, commits, screen.names)
        _at(drift.variants, "hf_repo", DIVERGED)
        await pilot.press("enter")
        await pilot.pause()
        text = screen_text(app)
        assert "[@click=app.quit]click me[/]" in text and "[red]x[/]" in text
        assert_inert(app)
        # A diff's lines are file contents from strangers: drawn as they are.
        screen.app.push_screen(DiffScreen(_target(evil, DIVERGED)))
        await pilot.pause()
        assert isinstance(app.screen, DiffScreen)
        app.screen.query_one(DiffView).set_text("\n".join(f"+{t}" for t in HOSTILE_TITLES))
        await pilot.pause()
        assert "+[link=http://x]y[/link]" in screen_text(app)
        assert_inert(app)
        app.screen.workers.cancel_all()


def _target(detail: Any, variant: str) -> Any:
    from tui.screens.diff import DiffTarget

    file = detail.variant_files(variant).row(0, named=True)
    return DiffTarget(detail.family, variant, file["hf_path"], "base-cased", detail.pairs.clear())


async def test_missing_drift_figures_are_computed_in_the_background(tmp_path: Path) -> None:
    """A cache without the summary (an earlier release's, or a run stopped before it) fills it, then shows it."""
    store = build_cache(tmp_path / "c", labels=False)
    expected = dict(family_figures(store).select("family", "behind").iter_rows())
    families = list(expected)
    store.replace_drift_summary(store.drift_summary().clear(), families)
    assert family_figures(store).is_empty()
    app = app_on(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not app.drift_pending
        shown = _families(app).frame.filter(pl.col("family").is_in(families))
        assert dict(shown.select("family", "behind").iter_rows()) == expected
    assert dict(family_figures(store).select("family", "behind").iter_rows()) == expected  # stored, once

"""The triage loop, item by item (issue 13): find the family, see what is wrong, act, see the result.

State and messages, not pixels: which screen is shown, what the widgets hold, which messages flowed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static
from textual.widgets._toast import Toast

from cache.schema import TABLES
from cache.store import CacheStore
from core.classify.prompts import LABEL_MEANING
from core.models import CHANGE_TYPES
from tests.app_data import build_cache, demo_cache
from tests.app_published import write_published
from tests.ui.support import app_on, of_type, screen_text, settle, test_app
from tui.messages import Copied, LabelChanged
from tui.screens.commit import CommitScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.families import FamiliesScreen, FamiliesTable
from tui.screens.family import FamilyScreen
from tui.screens.help import HelpScreen
from tui.screens.relabel import CLEAR, RelabelModal
from tui.widgets.frame_table import FrameTable
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline import TimelineView


async def open_family(pilot: Pilot[Any], name: str) -> FamilyScreen:
    """Filter the list to ``name`` and open it."""
    await settle(pilot)
    await pilot.press("slash", *name, "enter", "enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, FamilyScreen) and screen.family == name
    return screen


def add_family_without_commits(store: CacheStore, family: str, models: list[str]) -> None:
    """Register a family and its variants (as discover would) without any commit."""
    when = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    row = {"family": family, "gh_repo": family.replace("_", "/"), "monorepo": False, "source": "test"}
    store.upsert_families(pl.DataFrame([row | {"added_at": when, "note": None}], schema=TABLES["families"]))
    add_variants(store, family, models)


def add_variants(store: CacheStore, family: str, models: list[str]) -> None:
    """Register more variants of ``family`` (no commits)."""
    rows = [{name: None for name in TABLES["variants"]} | {"family": family, "model": m} for m in models]
    store.upsert_variants(pl.DataFrame(rows, schema=TABLES["variants"]))


def help_text(screen: HelpScreen) -> str:
    """The whole help, as text (the screen shows only its first page)."""
    from io import StringIO

    from rich.console import Console

    console = Console(file=StringIO(), width=200, color_system=None)
    console.print(screen.query_one("#help-text", Static).content)
    return console.file.getvalue()  # type: ignore[attr-defined, no-any-return]


def header(table: FrameTable) -> list[str]:
    return [table.header_text(c).plain for c in table.columns]


# -- navigation ------------------------------------------------------------------------------


async def test_f_goes_to_the_families_list_from_every_screen(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_family(pilot, "acme_bert")
        await pilot.press("f")
        assert isinstance(app.screen, FamiliesScreen) and len(app.screen_stack) == 1
        await open_family(pilot, "zeta_gpt")
        await pilot.press("enter")  # a commit
        await settle(pilot)
        assert isinstance(app.screen, CommitScreen)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("f")  # from help over a commit over a family
        assert isinstance(app.screen, FamiliesScreen) and len(app.screen_stack) == 1
        await open_family(pilot, "acme_bert")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("f")  # not back to the family left before: the list
        assert isinstance(app.screen, FamiliesScreen) and len(app.screen_stack) == 1


async def test_footer_and_demo_badge_fit_at_80_columns_on_every_screen(tmp_path: Path) -> None:
    app = app_on(build_cache(tmp_path / "c"), demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.clear_notifications()
        seen = []
        for keys in ((), ("enter",), ("enter",), ("question_mark",), ("f", "d")):
            for key in keys:
                await pilot.press(key)
                await settle(pilot)
            lines = screen_text(app).splitlines()
            seen.append(type(app.screen).__name__)
            assert lines[0].rstrip().endswith(("DEMO DATA", "not real ones")), lines[0]  # never cut
            assert "? Help" in lines[-1] and "Ctrl+P Commands" in lines[-1], lines[-1]
        assert seen == ["FamiliesScreen", "FamilyScreen", "CommitScreen", "HelpScreen", "DashboardScreen"]


async def test_help_opens_on_the_current_screens_keys(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_family(pilot, "acme_bert")
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen) and app.screen.current == "family"
        lines = [line.strip() for line in screen_text(app).splitlines() if line.strip()]
        assert lines[1] == "Family (this screen)"
        text = help_text(app.screen)
        assert text.index("Family (this screen)") < text.index("search-commits") < text.index("Everywhere")
        await pilot.press("escape", "f", "question_mark")
        assert isinstance(app.screen, HelpScreen) and app.screen.current == "families"
        lines = [line.strip() for line in screen_text(app).splitlines() if line.strip()]
        assert lines[1] == "Families (this screen)" and "sort-handoff-days" in help_text(app.screen)


async def test_toasts_sit_above_the_status_line(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await settle(pilot)
        app.notify("A long message " * 6, title="Sync", markup=False)
        await pilot.pause(0.3)
        status = app.screen.query_one(StatusBar).region
        toasts = [t.region for t in app.screen.query(Toast) if t.region.height]
        assert toasts and all(t.bottom <= status.y for t in toasts)


# -- the families list -----------------------------------------------------------------------


async def test_one_key_per_sortable_column_shown_in_the_header(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FamiliesScreen)
        table = screen.query_one(FamiliesTable)
        titles = header(table)
        assert titles[:11] == [
            *("▲Family", "2Var", "3GH", "4HF", "5GH ago", "6HF ago"),
            *("bBehind", "FFiles", "8Pattern", "In step", "7GH→HF"),  # the digits were taken: b and F
        ]
        await pilot.press("7")  # GH→HF: one key, largest first
        assert (screen.sort_key, screen.sort_descending) == ("handoff_days", True)
        assert header(table)[10] == "▼GH→HF" and header(table)[0] == "1Family"
        days = table.frame["handoff_days"].to_list()
        assert days == sorted(days, key=lambda d: (d is None, -(d or 0)))  # largest first, none last
        await pilot.press("7")
        assert screen.sort_descending is False and header(table)[10] == "▲GH→HF"
        await pilot.press("1")
        assert (screen.sort_key, screen.sort_descending) == ("family", False)
        # Every title has room for its key or arrow: none is cut.
        assert all(len(t) <= w for t, w in zip(header(table), table._widths, strict=True))


async def test_families_without_commits_sort_last_and_a_shows_only_those_with_a_pattern(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    add_family_without_commits(store, "aaa_new", ["aaa/new-base"])
    app = app_on(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FamiliesTable)
        assert table.frame["family"].to_list() == ["acme_bert", "solo_code", "zeta_gpt", "aaa_new"]
        await pilot.press("3")  # by GitHub commits: still last
        assert table.frame["family"].to_list()[-1] == "aaa_new"
        await pilot.press("a")
        assert app.screen.query_one("#filter", Input).value == "status:ok"
        assert table.frame["family"].to_list() == ["acme_bert", "zeta_gpt"]
        await pilot.press("a")
        assert app.screen.query_one("#filter", Input).value == "" and table.row_count == 4


async def test_in_step_in_plain_words_with_a_filter(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        lines = {line.split()[0].lstrip("!"): line for line in screen_text(app).splitlines()[3:] if line.strip()}
        assert " partly " in lines["acme_bert"] and " PSR " in lines["acme_bert"]
        assert " no " in lines["zeta_gpt"]
        await pilot.press("slash", *"step:no", "enter")
        assert app.screen.query_one(FamiliesTable).frame["family"].to_list() == ["zeta_gpt"]
        await pilot.press("escape", "enter")  # the cursor stays on zeta_gpt when the filter goes
        await settle(pilot)
        why = str(app.screen.query_one("#why-text", Static).render())
        assert why.startswith("ASS Sporadic Disjoint, Hugging Face First: out of step (Hugging Face and GitHub never")


async def test_a_failing_family_shows_its_last_outcome_and_what_to_do(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    state = store.sync_states().with_columns(
        pl.when(pl.col("repo") == "zeta/gpt-small")
        .then(pl.lit("HTTP 429 from the Hub after 4 attempts"))
        .otherwise(pl.col("detail"))
        .alias("detail"),
        pl.when(pl.col("repo") == "zeta/gpt-small")
        .then(pl.lit("sync again later; an HF token raises the quota"))
        .otherwise(pl.col("hint"))
        .alias("hint"),
        pl.lit(dt.datetime(2022, 7, 29, tzinfo=dt.UTC)).alias("last_attempt"),
    )
    store.record_sync_outcomes(state)
    app = app_on(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        note = app.screen.query_one("#row-note", Static)
        assert not note.display  # acme_bert is fine
        await pilot.press("j", "j")  # zeta_gpt
        text = str(note.render())
        assert note.display and text.startswith("! Last sync failed 3d ago (rate limited)")
        assert "zeta/gpt-small: HTTP 429 from the Hub after 4 attempts" in text
        assert "What to do: sync again later; an HF token raises the quota" in text
        await pilot.press("enter")
        await settle(pilot)
        sync_note = app.screen.query_one("#sync-note", Static)
        assert sync_note.display and "rate limited" in str(sync_note.render())


async def test_a_study_only_family_says_from_the_study_and_its_variants_are_on_the_timeline(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    write_published(store)
    add_variants(store, "acme_bert", ["acme/bert-tiny"])  # known, no commits: still counted and drawn
    app = app_on(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        orbit = app.view.filter(pl.col("family") == "orbit_lm").row(0, named=True)
        assert orbit["status"] == "from the study"
        screen = await open_family(pilot, "orbit_lm")
        why = str(screen.query_one("#why-text", Static).render())
        assert why.startswith("From the study: 1 variant, no commits in the cache yet")
        await pilot.press("f")
        screen = await open_family(pilot, "acme_bert")
        acme = app.view.filter(pl.col("family") == "acme_bert").row(0, named=True)
        timeline = screen.query_one(TimelineView).timeline
        assert timeline is not None
        hf_rows = [r.repo for r in timeline.rows if r.platform == "huggingface"]
        assert len(hf_rows) == acme["variants"] == 3 and hf_rows[-1] == "acme/bert-tiny"


async def test_the_study_column_says_whether_the_pattern_or_the_lag_differs(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    write_published(store)
    published = store.published().with_columns(
        pl.when(pl.col("family") == "acme_bert").then(pl.lit("Simultaneous")).otherwise(pl.col("lag")).alias("lag")
    )
    store.replace_published(published, store.published_transitions(), store.published_variants())
    app = app_on(store)
    async with app.run_test(size=(140, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        lines = {line.split()[0].lstrip("!"): line for line in text.splitlines()[3:] if line.strip()}
        assert "PSR ≠lag" in lines["acme_bert"]  # same pattern, the study says both moved first
        assert "PSS ≠both" in lines["zeta_gpt"]  # ours is ASS with HF first; the study's PSS, GitHub first
        assert "0Study" in text


async def test_the_family_column_fits_the_names_on_a_wide_terminal(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(200, 55)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(FamiliesTable)
        assert table._widths[0] == 12  # the longest name (10) and a "!", at least the minimum
        assert sum(table._widths) + len(table._widths) - 1 < 200  # room left blank, not given to names
        line = next(line for line in screen_text(app).splitlines() if line.startswith("acme_bert"))
        assert line.index("2") < 20  # the variants count right after the name


async def test_counts_say_family_and_families(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zeta")
        assert "1 of 3 families" in screen_text(app)
    store = CacheStore(tmp_path / "one")
    add_family_without_commits(store, "solo_one", ["solo/one"])
    app = app_on(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "1 of 1 family" in screen_text(app) and "1 families" not in screen_text(app)


# -- one family ------------------------------------------------------------------------------


async def test_variant_labels_drop_the_shared_prefix_and_grow_with_the_terminal(tmp_path: Path) -> None:
    app = app_on(demo_cache(tmp_path / "demo"), demo=True)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_family(pilot, "aurora-nlp_aurora-bert")
        view = screen.query_one(TimelineView)
        labels = view.labels()
        assert len(labels) == 16 and labels[0] == "GH aurora-bert"  # xlarge, never updated, has its row too
        assert "HF base-uncased" in labels and "HF bitsmith/base-uncased-onnx" in labels and view.prefix
        narrow = view.label_width()
        assert narrow == 16
        commits = screen.query_one("#commits", FrameTable)
        shown = {commits._cells(i)[2].plain for i in range(commits.row_count)}
        assert "base-uncased" in shown and not any(s.startswith("aurora-bert-") for s in shown)
        await pilot.resize_terminal(200, 55)
        await settle(pilot)
        assert view.label_width() == max(len(label) for label in labels) > narrow  # every label whole
        assert "HF bitsmith/base-uncased-onnx " in screen_text(app)


async def test_the_commit_list_has_a_search(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 30), message_hook=seen.append) as pilot:
        screen = await open_family(pilot, "acme_bert")
        commits = screen.query_one("#commits", FrameTable)
        assert commits.row_count == 8
        await pilot.press("slash", *"tokenizer")
        assert commits.frame["title"].to_list() == ["Fix tokenizer"]
        assert "1 of 8 commits" in screen_text(app)
        searched = of_type(seen, FamilyScreen.Searched)[-1]
        assert (searched.text, searched.rows, searched.total) == ("tokenizer", 1, 8)
        await pilot.press("enter")  # back to the list, search kept
        assert screen.focused is commits and commits.row_count == 1
        await pilot.press("escape")
        assert commits.row_count == 8 and not screen.query_one("#search-bar").display
        await pilot.press("slash", *"large")  # a variant, by its short name
        assert commits.frame["title"].to_list() == ["Add v2"]
        await pilot.press("escape", "slash", *"external doc")  # a change type, two words
        assert commits.frame["title"].to_list() == ["Update README.md"]


async def test_c_then_the_list_shows_labels_after_ctrl_r_too(tmp_path: Path) -> None:
    from core.classify.service import classify

    app = test_app(tmp_path, labels=False)
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_family(pilot, "zeta_gpt")
        commits = screen.query_one("#commits", FrameTable)
        assert commits.frame["label"].null_count() == commits.row_count
        classify(app.store, app.settings, ["zeta_gpt"])  # as a headless `ptlm-tui classify` would
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert app.screen is screen and commits.frame["label"].null_count() == 0


# -- one commit ------------------------------------------------------------------------------


async def test_the_relabel_dialog_describes_the_types_and_clears_a_hand_label(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path)
    async with app.run_test(size=(120, 40), message_hook=seen.append) as pilot:
        await open_family(pilot, "acme_bert")
        await pilot.press("slash", *"Fix tokenizer", "enter", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CommitScreen)
        await pilot.press("e")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, RelabelModal) and not modal.manual
        options = modal.query_one(OptionList)
        prompts = {o.id: str(o.prompt) for o in options.options}
        assert CLEAR not in prompts  # nothing set by hand yet
        for label in CHANGE_TYPES:  # the 15 types, each with what it covers
            assert LABEL_MEANING[label] in prompts[label]
        options.highlighted = [o.id for o in options.options].index("model structure")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause()
        modal = app.screen
        assert isinstance(modal, RelabelModal) and modal.manual
        options = modal.query_one(OptionList)
        assert options.get_option_at_index(0).id == CLEAR
        assert "Now: model structure (set by hand)" in screen_text(app) or modal.current == "model structure"
        options.highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        assert [m.label for m in of_type(seen, LabelChanged)] == ["model structure", ""]
        meta = str(screen.query_one("#commit-meta", Static).render())
        assert "Change type: preprocessing  (rule, confidence 0.90)" in meta  # the classifier's again
        assert app.store.manual_labels().is_empty()


async def test_the_demos_invented_repositories_have_no_web_address(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = app_on(build_cache(tmp_path / "c"), demo=True)
    async with app.run_test(size=(120, 30), message_hook=seen.append, notifications=True) as pilot:
        await open_family(pilot, "acme_bert")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CommitScreen)
        await pilot.press("o", "Y")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("invented demo repository: it has no web page" in m for m in messages)
        assert not of_type(seen, Copied) and "github.com" not in (app.clipboard or "")

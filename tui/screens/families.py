"""Provides FamiliesScreen: every family with activity per side, hand-off age and its pattern badge.

The view is loaded once by the App; filtering (``/``, the language of ``core.filters``) and
sorting (``o`` on the highlighted column) are polars operations on it, and the table draws
only the visible rows, so a keystroke repaints in milliseconds at 10,000 families.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import polars as pl
from rich.style import Style
from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Footer, Input, Static

from core.errors import InputError
from core.filters import ParsedFilter, parse_filter, search_column
from core.models import in_step
from core.views.families import reference_time
from core.words import noun
from tui.bindings import BY_ID, SORT_COLUMNS, as_bindings, commands_for, effective_keys, key_display
from tui.formatting import BADGE_CLASSES, NONE, age, age_since, badge, count, lag_short, sync_problem_text
from tui.safe import plain
from tui.screens.base import BaseScreen
from tui.tasks import CLASSIFY, SYNC
from tui.widgets.columns import Column
from tui.widgets.frame_table import FrameTable
from tui.widgets.status_bar import StatusBar
from tui.widgets.title_bar import TitleBar

PLACEHOLDER = "name behind:>0 step:no lag:gh stale:>90d …  (? help)"
# The filter word the "with pattern" key adds and removes.
WITH_PATTERN = "status:ok"


class FamiliesTable(FrameTable):
    """The families list, with pattern badge styles from the theme."""

    COMPONENT_CLASSES: ClassVar[set[str]] = FrameTable.COMPONENT_CLASSES | {
        "badge--complete",
        "badge--partial",
        "badge--disjoint",
        "badge--none",
        "families--stale",
        "families--lacking",
    }
    DEFAULT_CSS = """
    FamiliesTable > .badge--complete { background: $badge-complete; color: $badge-complete-text; text-style: bold; }
    FamiliesTable > .badge--partial { background: $badge-partial; color: $badge-partial-text; text-style: bold; }
    FamiliesTable > .badge--disjoint { background: $badge-disjoint; color: $badge-disjoint-text; text-style: bold; }
    FamiliesTable > .badge--none { color: $text-muted; text-style: italic; }
    FamiliesTable > .families--stale { color: $mark-warning; text-style: bold; }
    FamiliesTable > .families--lacking { color: $mark-warning; text-style: bold; }
    """

    def badge_styles(self) -> dict[str, Style]:
        """The badge styles of the current theme."""
        names = [*set(BADGE_CLASSES.values()), "badge--none"]
        return {name: self.get_component_rich_style(name) for name in names}


class FilterInput(Input):
    """The filter box: applies the filter as its value changes, inside the keystroke's own handling.

    Reacting to ``Input.Changed`` would repaint the list one frame after the box echoes the
    key; applying it from the value watcher puts both in the same frame.
    """

    def watch_value(self, value: str) -> None:
        screen = self.screen
        if isinstance(screen, FamiliesScreen):
            screen.filter_text_changed(value)

    async def action_submit(self) -> None:
        # Back to the list at once (not via Input.Submitted a turn later), so an Enter typed
        # right after this one opens the family.
        screen = self.screen
        if isinstance(screen, FamiliesScreen):
            screen.set_focus(screen.table)


STEP_ANSWER = {"in step": "yes", "partly in step": "partly", "out of step": "no"}


def study_difference(row: dict[str, Any]) -> str:
    """Return how our verdict compares with the study's: `` =``, `` ≠code``, `` ≠lag``, `` ≠both`` or nothing."""
    if row.get("study_agrees") is None:
        return ""
    if row["study_agrees"]:
        return " ="
    code_differs = row.get("pattern") != row.get("study_pattern")
    lag_differs = row.get("lag") != row.get("study_lag")
    return " ≠both" if code_differs and lag_differs else " ≠code" if code_differs else " ≠lag"


def _sort_expr(key: str) -> pl.Expr:
    # Sort the pattern column by its code (in step first: CS, then PS, then AS and VS), the
    # study's column by its code too, and the ages by their dates.
    if key == "pattern":
        return pl.col("code").str.slice(0, 2).replace({"CS": "1", "PS": "2", "AS": "3", "VS": "3"}) + pl.col("code")
    return pl.col(key)


# Families without commits (registered by discover or import-study, not synced yet) sort last
# whatever the column, so the analysable ones stay together at the top.
HAS_COMMITS = (pl.col("gh_commits").fill_null(0) + pl.col("hf_commits").fill_null(0)) > 0


class FamiliesScreen(BaseScreen):
    """The families list: the app's home."""

    SCOPE = "families"
    BINDING_GROUP_TITLE = "Families"
    BINDINGS: ClassVar[list[BindingType]] = list(as_bindings(commands_for("families")))
    AUTO_FOCUS = "FamiliesTable"

    @dataclass
    class FilterApplied(Message):
        """The list now shows ``rows`` of ``total`` families for ``text`` (``error`` if it did not parse)."""

        text: str
        rows: int
        total: int
        error: str

    def __init__(self) -> None:
        super().__init__()
        self.filter: ParsedFilter = parse_filter("")
        self.filter_error = ""
        self.sort_key = "family"
        self.sort_descending = False
        self.shown: pl.DataFrame = pl.DataFrame()
        # The view with its search column, sorted: computed when the data or the sort changes,
        # so a keystroke only filters (filtering keeps the order).
        self._sorted: pl.DataFrame | None = None
        self._sorted_for: tuple[int, str, bool] | None = None
        self._searchable: tuple[pl.DataFrame, pl.DataFrame] | None = None  # a view, and it with its search column

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar("Families")
        with Horizontal(id="filter-bar"):
            yield Static("/", id="filter-prompt", markup=False)
            yield FilterInput(placeholder=PLACEHOLDER, id="filter", compact=True)
            yield Static("", id="filter-count", markup=False)
        yield Static("", id="filter-error", markup=False)
        yield FamiliesTable(self._columns(), key="family", column_cursor=True, empty_text="Loading families…")
        yield Static("", id="row-note", markup=False)
        yield StatusBar()
        yield Footer(compact=True)

    def _columns(self) -> list[Column]:
        now = self.ptlm.clock()
        keymap = self.ptlm.settings.ui.keymap
        keys = {
            column: key_display(effective_keys(BY_ID[f"sort-{column.replace('_', '-')}"], keymap).split(",")[0])
            for column, _, _ in SORT_COLUMNS
        }
        # Commit ages count to the analysis cut-off when one is set (`until`), as idle_days and
        # the stale: filter do; sync ages always count to the real clock.
        commits_to = reference_time(self.ptlm.settings.analysis, now)
        stale_after = dt.timedelta(days=self.ptlm.settings.cache.stale_after_days)
        mark_stale = not self.ptlm.demo  # generated data is not "synced": it says DEMO instead

        def family(value: Any, row: dict[str, Any]) -> Text:
            synced = row.get("synced_at")
            if row.get("sync_problem") or (mark_stale and synced is not None and now - synced > stale_after):
                text = Text("!", style=self.table.get_component_rich_style("families--stale"), end="")
                return text + plain(value)
            return plain(value)

        def number(value: Any, row: dict[str, Any]) -> Text:
            return Text(count(value), end="")

        def ago(value: Any, row: dict[str, Any]) -> Text:
            return Text(age_since(value, commits_to), end="")

        def days(value: Any, row: dict[str, Any]) -> Text:
            return Text(age(value), end="")

        def lag(value: Any, row: dict[str, Any]) -> Text:
            return Text(lag_short(value), end="")

        def pattern(value: Any, row: dict[str, Any]) -> Text:
            return badge(row.get("code"), value, self.table.badge_styles(), row.get("status"))

        def step(value: Any, row: dict[str, Any]) -> Text:
            return Text(STEP_ANSWER.get(in_step(row.get("code")) or "", NONE), end="")

        def behind(value: Any, row: dict[str, Any]) -> Text:
            if value is None and row.get("family") in self.ptlm.drift_pending:
                return Text("…", end="")  # being computed
            if value is None and row.get("never_updated"):
                return Text("never", end="")
            return Text(count(value), end="")

        def files(value: Any, row: dict[str, Any]) -> Text:
            if value is None:
                return Text("…" if row.get("family") in self.ptlm.drift_pending else NONE, end="")
            style = self.table.get_component_rich_style("families--lacking") if value else ""
            return Text(count(value), style=style, end="")

        def synced(value: Any, row: dict[str, Any]) -> Text:
            return Text(age_since(value, now) if value else "never", end="")

        def study(value: Any, row: dict[str, Any]) -> Text:
            # The study's code on its badge colour, then what differs from ours in words
            # (readable without colour): = agrees, ≠code the pattern, ≠lag who moves first.
            if not value:
                return Text("", end="")
            style = self.table.badge_styles().get(BADGE_CLASSES.get(str(value)[:2], ""), "")
            return Text.assemble((str(value), style), study_difference(row), end="")

        study_columns = []
        if self.ptlm.store.has_published():
            study_columns = [
                Column(
                    "study_code",
                    "Study",
                    9,
                    format=study,
                    tooltip="The study's published pattern (import-study); = agrees with ours, else what differs: "
                    "≠code (the pattern), ≠lag (who moves first) or ≠both",
                    hotkey=keys["study_code"],
                    overflow=True,
                )
            ]

        return [
            Column(
                "family",
                "Family",
                28,
                12,
                format=family,
                tooltip="! marks a stale or failing sync",
                max_width=28,
                hotkey=keys["family"],
            ),
            Column(
                "variants",
                "Var",
                3,
                align="right",
                format=number,
                tooltip="Hugging Face variants",
                hotkey=keys["variants"],
            ),
            Column(
                "gh_commits", "GH", 4, align="right", format=number, tooltip="GitHub commits", hotkey=keys["gh_commits"]
            ),
            Column(
                "hf_commits",
                "HF",
                4,
                align="right",
                format=number,
                tooltip="Hugging Face commits",
                hotkey=keys["hf_commits"],
            ),
            Column(
                "last_gh",
                "GH ago",
                6,
                align="right",
                format=ago,
                tooltip="Time since the last GitHub commit",
                hotkey=keys["last_gh"],
            ),
            Column(
                "last_hf",
                "HF ago",
                6,
                align="right",
                format=ago,
                tooltip="Time since the last HF commit",
                hotkey=keys["last_hf"],
            ),
            Column(
                "behind",
                "Behind",
                6,
                align="right",
                format=behind,
                tooltip="GitHub commits the most-behind variant has not taken since its last HF commit "
                "(docs/method.md §8.1); never: no variant was ever updated",
                hotkey=keys["behind"],
            ),
            Column(
                "files",
                "Files",
                5,
                align="right",
                format=files,
                tooltip="HF files behind or diverged from their GitHub version, summed over variants (§8.2); "
                "— no file history cached yet (sync the family)",
                hotkey=keys["files"],
            ),
            Column("pattern", "Pattern", 21, 14, format=pattern, max_width=24, hotkey=keys["pattern"]),
            # The pattern's code says it too (CS yes, PS partly, AS/VS no): on narrow terminals past the edge.
            Column(
                "in_step",
                "In step",
                7,
                format=step,
                tooltip="Does HF move when GitHub does? yes (CS), partly (PS), no (AS, VS); sorts with the pattern",
                sortable=False,
                overflow=True,
            ),
            # Behind says what HF lacks; the hand-off age says when HF last followed: past the edge when narrow.
            Column(
                "handoff_days",
                "GH→HF",
                6,
                align="right",
                format=days,
                tooltip="Time since HF last followed GitHub",
                hotkey=keys["handoff_days"],
                overflow=True,
            ),
            # Less used than the rest: past the right edge on narrow terminals (l/→ scrolls to them).
            Column(
                "lag",
                "Lag",
                3,
                format=lag,
                tooltip="Who moved first: GH, HF or sim(ultaneous)",
                hotkey=keys["lag"],
                overflow=True,
            ),
            *study_columns,
            # On narrow terminals these sit past the right edge: l/→ scrolls to them. The repository
            # joins only with room for most of a name (at 120 columns the family names keep theirs).
            Column("gh_repo", "GitHub repo", 28, 20, overflow=True, max_width=40),
            Column("synced_at", "Synced", 6, align="right", format=synced, overflow=True),
        ]

    @property
    def table(self) -> FamiliesTable:
        """The families table."""
        return self.query_one(FamiliesTable)

    def on_mount(self) -> None:
        super().on_mount()
        self.ptlm.view_changed.subscribe(self, self.view_updated)
        if self.ptlm.view_parts:
            self.view_updated(self.ptlm.view)
        # After the first frame, load the next screens' code so the first Enter does not pay for it.
        self.call_after_refresh(self._warm_up)

    def _warm_up(self) -> None:
        import tui.screens.commit
        import tui.screens.family  # noqa: F401

    # -- data ---------------------------------------------------------------------------------

    def view_updated(self, view: pl.DataFrame) -> None:
        """The App's view changed: filter, sort and show it again."""
        self.table.empty_text = "No families match the filter." if view.height else self._empty_cache_text()
        self._fit_family_column(view)
        self.table.invalidate()
        self.apply()

    def _fit_family_column(self, view: pl.DataFrame) -> None:
        # The family column grows to its longest name (and a "!"), no further: on a wide
        # terminal the numbers stay next to the names instead of at the far edge.
        longest = int(view.select(pl.col("family").str.len_chars().max()).item() or 0) if view.height else 0
        widest = max(min(longest + 1, 48), 12)
        columns = self.table.columns
        if columns and columns[0].key == "family" and columns[0].max_width != widest:
            self.table.replace_column(0, replace(columns[0], width=min(widest, 28), max_width=widest))

    def refresh_data(self) -> None:
        """Nothing to read here: the list follows the App's view as it reloads."""
        self.data_generation = self.ptlm.generation

    def _empty_cache_text(self) -> str:
        if not self.ptlm.view_parts:
            return "Loading families…"
        return (
            "No families yet: run `ptlm-tui import FILE` or `ptlm-tui sync`, or press N. "
            f"Cache: {self.ptlm.store.where}"
        )

    def _sorted_view(self) -> pl.DataFrame:
        view = self.ptlm.view
        key = (id(view), self.sort_key, self.sort_descending)
        if self._sorted is None or self._sorted_for != key:
            by = _sort_expr(self.sort_key)
            if self._searchable is None or self._searchable[0] is not view:
                self._searchable = (view, search_column(view))  # a sort key press reuses it
            self._sorted = self._searchable[1].sort(
                [HAS_COMMITS, by, pl.col("family")], descending=[True, self.sort_descending, False], nulls_last=True
            )
            self._sorted_for = key
        return self._sorted

    def apply(self) -> None:
        """Filter and sort the App's view into the table."""
        view = self.ptlm.view
        shown = self.filter.apply(self._sorted_view(), self.ptlm.clock())
        self.shown = shown
        self.table.sort_key, self.table.sort_descending = self.sort_key, self.sort_descending
        self.table.set_frame(shown)
        self.query_one("#filter-count", Static).update(
            f"{shown.height:,} of {view.height:,} {noun(view.height, 'family')}"
        )
        self.post_message(self.FilterApplied(self.filter.text, shown.height, view.height, self.filter_error))
        self._show_row_note(self.table.current_row())

    def filtered_families(self) -> list[str] | None:
        """The families a filter shows (heavy actions then cover only them), or None when none is set."""
        if self.filter.expr is None:
            return None
        return [str(f) for f in self.shown["family"].to_list()] if self.shown.height else []

    @on(FrameTable.RowHighlighted)
    def row_highlighted(self, event: FrameTable.RowHighlighted) -> None:
        self._show_row_note(event.row)

    def _show_row_note(self, row: dict[str, Any] | None) -> None:
        """Under the list, say why a "!" family is marked: its last failed sync and what to do."""
        note = self.query_one("#row-note", Static)
        # Demo data is generated, not synced: only its (staged) failures are marked, never its age.
        stale_after = None if self.ptlm.demo else self.ptlm.settings.cache.stale_after_days
        text = sync_problem_text(row, self.ptlm.clock(), stale_after) if row else ""
        note.display = bool(text)
        note.update(plain(text, limit=400))

    def filter_text_changed(self, text: str) -> None:
        """Parse and apply the filter ``text`` (called by the filter box as it changes)."""
        if not self.is_mounted:
            return
        error = self.query_one("#filter-error", Static)
        try:
            self.filter = parse_filter(text)
        except InputError as exc:
            # Keep the last good result on screen; say what is wrong below the box.
            self.filter_error = exc.one_line()
            error.update(plain(self.filter_error, limit=200))
            error.display = True
            self.post_message(self.FilterApplied(text, self.shown.height, self.ptlm.view.height, self.filter_error))
            return
        self.filter_error = ""
        error.display = False
        self.apply()

    # -- actions ------------------------------------------------------------------------------

    def action_focus_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if self.focused is box:
            # "/" is a priority key (see tui.bindings.PRIORITY); in the box it is just a character
            # (repo:org/name): decline, so the key reaches the box in order with the others.
            raise SkipAction()
        # set_focus now, not focus() (which waits a turn): keys typed right after "/" land in the box.
        self.set_focus(box)

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""  # the box's watcher re-applies the filter
        self.set_focus(self.table)

    def action_sort(self) -> None:
        column = self.table.columns[self.table.cursor_column]
        self.action_sort_by(column.key if column.sortable else "pattern")

    def action_sort_by(self, key: str) -> None:
        """Sort by the column ``key`` (again: reverse); counts and ages largest first, names A to Z."""
        column = next((c for c in self.table.columns if c.key == key), None)
        if column is None:
            self.notify(f"No {key.replace('_', ' ')} column here (the Study column needs import-study).", markup=False)
            return
        if key == self.sort_key:
            self.sort_descending = not self.sort_descending
        else:
            self.sort_key, self.sort_descending = key, column.align == "right"
        self.apply()

    def action_toggle_with_pattern(self) -> None:
        """Add ``status:ok`` to the filter (only families with a pattern), or take it out again."""
        box = self.query_one("#filter", Input)
        words = box.value.split()
        if WITH_PATTERN in words:
            words = [w for w in words if w != WITH_PATTERN]
        else:
            words.append(WITH_PATTERN)
        box.value = " ".join(words)  # the box's watcher applies it

    def action_column_left(self) -> None:
        self.table.move_column(-1)

    def action_column_right(self) -> None:
        self.table.move_column(1)

    @on(FrameTable.HeaderClicked)
    def header_clicked(self, event: FrameTable.HeaderClicked) -> None:
        self.action_sort()

    def selected_family(self) -> str | None:
        """The family under the cursor."""
        key = self.table.current_key()
        return str(key) if key is not None else None

    def action_open_family(self) -> None:
        self.table.action_select()

    @on(FrameTable.RowSelected)
    def row_selected(self, event: FrameTable.RowSelected) -> None:
        from tui.screens.family import FamilyScreen, read_family

        family = str(event.row["family"])
        # Start reading now: the reads overlap building the screen.
        self.app.push_screen(FamilyScreen(family, read_family(self.ptlm, family)))

    def action_sync_family(self) -> None:
        family = self.selected_family()
        if family:
            self.ptlm.tasks.request(SYNC, [family])

    def action_classify_family(self) -> None:
        family = self.selected_family()
        if family:
            self.ptlm.tasks.request(CLASSIFY, [family])

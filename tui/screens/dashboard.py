"""Provides DashboardScreen: the study's figures for the families in the cache, each a chart or its numbers.

The analysis (patterns, transitions, ages, change types) runs in a thread worker when the
screen is shown and the cache changed since; charts are drawn by the one Chart widget.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import ContentSwitcher, Footer, Static

from tui.bindings import as_bindings, commands_for
from tui.screens.base import BaseScreen
from tui.screens.dashboard_charts import Figure, figures, header
from tui.widgets.chart import Chart
from tui.widgets.columns import Column
from tui.widgets.frame_table import FrameTable
from tui.widgets.status_bar import StatusBar
from tui.widgets.title_bar import TitleBar


def _number(value: Any, row: dict[str, Any]) -> Text:
    if isinstance(value, float):
        # One decimal for every share and mean, so a column's figures line up.
        return Text(f"{value:,.1f}" if value == value else "—", end="")
    return Text("" if value is None else f"{value:,}" if isinstance(value, int) else str(value), end="")


def table_columns(frame: pl.DataFrame) -> list[Column]:
    """Columns for a report table: the first is the category, the rest numbers; titles for people."""
    out = []
    for i, name in enumerate(frame.columns):
        title = header(name)
        numeric = frame.schema[name].is_numeric()
        if i == 0:
            out.append(Column(name, title, 24, 12, format=_number, sortable=False))
            continue
        width = max(len(title), 8)
        out.append(Column(name, title, width, 0, "right" if numeric else "left", _number, sortable=False))
    return out


class DashboardScreen(BaseScreen):
    """Five figures of the study, for your families."""

    SCOPE = "dashboard"
    BINDING_GROUP_TITLE = "Dashboard"
    BINDINGS: ClassVar[list[BindingType]] = list(as_bindings(commands_for("dashboard")))

    @dataclass
    class Loaded(Message):
        """The analysis for the dashboard is ready."""

        key: tuple[int, int]  # (cache generation, labels version) it was computed for
        report: dict[str, Any]

    def __init__(self) -> None:
        super().__init__()
        self.figures: list[Figure] = []
        self.index = 0
        self.loaded_key: tuple[int, int] = (-1, -1)
        self.requested_key: tuple[int, int] = (-1, -1)

    def compose(self) -> ComposeResult:
        yield TitleBar("Dashboard")
        yield Static("", id="chart-tabs", markup=False)
        with ContentSwitcher(initial="chart", id="chart-switcher"):
            yield Chart(id="chart")
            yield FrameTable([Column("", "", 10)], empty_text="Computing…", id="numbers")
        yield Static("Computing the analysis…", id="chart-note", markup=False)
        yield StatusBar()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.ptlm.view_changed.subscribe(self, lambda _view: self._refresh_if_stale() if self.is_current else None)
        self._refresh_if_stale()

    def on_screen_resume(self) -> None:
        self.data_generation = self.ptlm.generation
        self._refresh_if_stale()

    def _refresh_if_stale(self) -> None:
        key = (self.ptlm.generation, self.ptlm.labels_version)
        if self.requested_key != key:  # mount and resume both ask on first show
            self.requested_key = key
            self.query_one("#chart-note", Static).update("Computing the analysis…")
            self.load(key)

    @work(thread=True, exclusive=True, group="dashboard", exit_on_error=False, description="computing the dashboard")
    def load(self, key: tuple[int, int]) -> None:
        """Run the analysis on the whole cache and build the report tables."""
        from core.analysis import service
        from core.analysis.report import build_report

        app = self.ptlm
        if not app.store.has_commits():
            report: dict[str, Any] = {"summary": {"families": 0, "families_analysed": 0}, "tables": {}}
        else:
            report = build_report(service.analyze(app.store, app.settings.analysis))
        if app.store.has_published():
            from core.study.published import published_report

            report["published"] = published_report(app.store)
        self.post_message(self.Loaded(key, report))

    def on_dashboard_screen_loaded(self, message: Loaded) -> None:
        self.loaded_key = message.key
        self.figures = figures(message.report)
        self.show()

    def show(self) -> None:
        """Draw the current figure (chart or table) and the tab line."""
        if not self.figures:
            return
        figure = self.figures[self.index]
        tabs = Text(end="")
        for i, f in enumerate(self.figures):
            label = f" {i + 1} {f.title} "
            tabs.append(label, style="reverse bold" if i == self.index else "")
        if tabs.cell_len + 14 <= self.size.width:
            tabs.append("  t: the numbers", style="dim")
        self.query_one("#chart-tabs", Static).update(tabs)
        self.query_one(Chart).set_spec(figure.spec)
        numbers = self.query_one("#numbers", FrameTable)
        numbers.set_columns(table_columns(figure.table))
        numbers.set_frame(figure.table, keep_cursor=False)
        numbers.empty_text = figure.spec.empty
        self.query_one("#chart-note", Static).update(figure.note)

    def action_show_chart(self, index: int) -> None:
        """Show the chart at ``index`` (keys 1 to 6)."""
        if self.figures and 0 <= index < len(self.figures):
            self.index = index
            self.show()

    def refresh_data(self) -> None:
        """Compute the analysis again if the cache was read again since (it follows the App's generation)."""
        self.data_generation = self.ptlm.generation
        self._refresh_if_stale()

    def action_next_chart(self) -> None:
        if self.figures:
            self.index = (self.index + 1) % len(self.figures)
            self.show()

    def action_previous_chart(self) -> None:
        if self.figures:
            self.index = (self.index - 1) % len(self.figures)
            self.show()

    def action_toggle_table(self) -> None:
        switcher = self.query_one(ContentSwitcher)
        switcher.current = "numbers" if switcher.current == "chart" else "chart"
        if switcher.current == "numbers":
            self.query_one("#numbers", FrameTable).focus()

    async def action_back(self) -> None:  # type: ignore[override]
        await self.app.switch_mode("families")

"""The dashboard: the study's figures for the cache, each a chart or its numbers."""

from __future__ import annotations

from pathlib import Path

from textual.message import Message
from textual.widgets import ContentSwitcher

from tests.ui.support import of_type, screen_text, settle, test_app
from tui.screens.dashboard import DashboardScreen
from tui.screens.families import FamiliesScreen
from tui.widgets.chart import Chart
from tui.widgets.frame_table import FrameTable


async def test_dashboard_draws_each_figure_and_its_table(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert len(of_type(seen, DashboardScreen.Loaded)) == 1
        assert [f.id for f in screen.figures] == ["patterns", "lags", "change_types", "delays", "ages"]
        chart = screen.query_one(Chart)
        assert chart.spec is not None and chart.spec.title == "Families per pattern"
        counts = dict(zip(chart.spec.labels, chart.spec.series[0].values, strict=True))
        assert counts["Sparse"] == 1 and counts["Sporadic Disjoint"] == 1 and counts["Disperse"] == 0
        text = screen_text(app)
        assert "Sparse┤" in text and "2 of 3 families have a pattern" in text
        await pilot.press("l", "l")
        assert screen.query_one(Chart).spec.title.startswith("Change types")  # type: ignore[union-attr]
        await pilot.press("t")
        assert screen.query_one(ContentSwitcher).current == "numbers"
        numbers = screen.query_one("#numbers", FrameTable)
        assert set(numbers.frame["label"]) == {"preprocessing", "external documentation"}
        await pilot.press("t", "h", "h", "h")
        assert screen.query_one(Chart).spec is screen.figures[4].spec  # h h h from the third: the fifth (wraps)
        await pilot.press("escape")
        assert isinstance(app.screen, FamiliesScreen)


async def test_dashboard_is_recomputed_only_when_the_cache_changed(tmp_path: Path) -> None:
    seen: list[Message] = []
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30), message_hook=seen.append) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert len(of_type(seen, DashboardScreen.Loaded)) == 1
        await pilot.press("ctrl+r")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert len(of_type(seen, DashboardScreen.Loaded)) == 2


async def test_change_types_without_labels_say_how_to_get_them(tmp_path: Path) -> None:
    app = test_app(tmp_path, labels=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d", "l", "l")
        await settle(pilot)
        assert "No labelled commits yet: press C to classify them." in screen_text(app)

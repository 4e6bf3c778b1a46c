"""The dashboard: the study's figures for the cache, each a chart or its numbers."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.message import Message
from textual.widgets import ContentSwitcher

from tests.ui.support import of_type, screen_text, settle, test_app
from tui.screens.dashboard import DashboardScreen
from tui.screens.families import FamiliesScreen
from tui.widgets.chart import MARKERS, Chart, ChartSpec, Series, nice_ticks
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
        assert [f.id for f in screen.figures] == ["patterns", "lags", "change_types", "delays", "ages", "study"]
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
        assert screen.query_one(Chart).spec is screen.figures[5].spec  # h h h from the third: the sixth (wraps)
        await pilot.press("escape")
        assert isinstance(app.screen, FamiliesScreen)


async def test_number_keys_switch_tabs_and_every_chart_says_its_unit(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        for key, figure in zip("123456", screen.figures, strict=True):
            await pilot.press(key)
            assert screen.figures[screen.index] is figure and screen.query_one(Chart).spec is figure.spec
            assert figure.spec.xlabel in ("families", "days", "% of the platform's labelled commits"), figure.id
        await pilot.press("1", "t")
        numbers = screen.query_one("#numbers", FrameTable)
        # Headers are words, not the report's column names.
        assert [c.title for c in numbers.columns] == ["Pattern", "Families", "Families (%)", "Variants", "Variants (%)"]
        assert "families_pct" not in screen_text(app)
        await pilot.press("6")
        assert "import-study" in screen_text(app)  # no published results in this cache: says how to get them


async def test_the_study_tab_shows_the_published_patterns_beside_ours(tmp_path: Path) -> None:
    from tests.app_data import build_cache
    from tests.app_published import write_published
    from tests.ui.support import app_on

    store = build_cache(tmp_path / "c")
    write_published(store)
    app = app_on(store)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("6")
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        spec = screen.query_one(Chart).spec
        assert spec is not None and [s.name for s in spec.series] == ["the study (published)", "ours (this cache)"]
        study = dict(zip(spec.labels, spec.series[0].values, strict=True))
        ours = dict(zip(spec.labels, spec.series[1].values, strict=True))
        assert sum(study.values()) == 3 and study["Frequent"] == 1  # orbit_lm, published only
        assert ours["Sparse"] == 1 and ours["Frequent"] == 0
        assert "The study published a pattern for 3 families" in screen_text(app)


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


def _plot_rows(text: str) -> list[str]:
    """The rows inside the plot frame (between its top and bottom borders)."""
    return [row for row in text.splitlines() if ("│" in row or "┤" in row) and "┌" not in row and "└" not in row]


@pytest.mark.parametrize("kind", ["bar", "stacked", "grouped"])
@pytest.mark.parametrize("categories", [1, 2, 5, 8, 15, 24])
async def test_every_bar_is_one_row_with_a_spacer_per_category(kind: str, categories: int) -> None:
    """plotext rounds float bar edges onto rows; the chart's row-unit axis must leave no smear."""
    series_count = 1 if kind == "bar" else 3
    labels = tuple(f"type {i}" for i in range(categories))
    series = tuple(
        Series(f"s{j}", tuple(float((i * 7 + j * 3) % 9 + 1) for i in range(categories))) for j in range(series_count)
    )
    spec = ChartSpec("A chart", labels, series, kind)  # type: ignore[arg-type]

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield Chart(spec)

    app = One()
    async with app.run_test(size=(90, 110)) as pilot:  # tall enough to show every category
        await pilot.pause()
        rows = _plot_rows(screen_text(app))  # type: ignore[arg-type]
    bars_per_category = series_count if kind == "grouped" else 1
    filled = [row for row in rows if any(marker in row for marker in MARKERS[:series_count])]
    labelled = [i for i, row in enumerate(rows) if "┤" in row]
    assert len(filled) == categories * bars_per_category
    assert [row.split("┤")[0].strip() for row in rows if "┤" in row] == list(labels)
    assert all(b - a == bars_per_category + 1 for a, b in zip(labelled, labelled[1:], strict=False))


def test_ticks_are_round_numbers_from_zero() -> None:
    assert nice_ticks([[7.0, 4.0, 2.0]], stacked=False) == [0, 2, 4, 6, 8]
    assert nice_ticks([[24.3, 5.1]], stacked=False) == [0, 5, 10, 15, 20, 25]
    assert nice_ticks([[128.0, 50.0]], stacked=False) == [0, 50, 100, 150]
    assert nice_ticks([[1.0, 1.0], [2.0, 0.0]], stacked=True) == [0, 1, 2, 3]
    assert nice_ticks([[0.3, 0.1]], stacked=False) == [0, 0.1, 0.2, 0.3]
    assert nice_ticks([[0.0]], stacked=False) == []


async def test_a_title_wider_than_the_chart_is_cut_not_dropped() -> None:
    title = "Change types: share of each platform's labelled commits (%), a long title"
    spec = ChartSpec(title, ("a", "b"), (Series("n", (1.0, 2.0)),))

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield Chart(spec)

    app = One()
    async with app.run_test(size=(50, 20)) as pilot:
        await pilot.pause()
        text = screen_text(app)  # type: ignore[arg-type]
    assert "Change types: share of each platform" in text and "…" in text

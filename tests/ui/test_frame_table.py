"""The virtual table: widths at any terminal size, overflow columns, scrolling, mouse, large frames."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from textual.app import App, ComposeResult
from textual.message import Message

from tests.ui.support import of_type
from tui.widgets.columns import Column
from tui.widgets.frame_table import FrameTable

COLUMNS = [
    Column("name", "Name", 20, 8),
    Column("n", "N", 5, align="right"),
    Column("what", "What", 30, 10),
    Column("repo", "Repo", 20, 10, overflow=True),
]


class TableApp(App[None]):
    def __init__(self, frame: pl.DataFrame) -> None:
        super().__init__()
        self.frame = frame

    def compose(self) -> ComposeResult:
        yield FrameTable(COLUMNS, key="name", column_cursor=True)

    def on_mount(self) -> None:
        self.query_one(FrameTable).set_frame(self.frame)


def frame(rows: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "name": [f"row{i:06d}" for i in range(rows)],
            "n": list(range(rows)),
            "what": ["x" * 40] * rows,
            "repo": [f"org/repo{i}" for i in range(rows)],
        }
    )


@pytest.mark.parametrize(("width", "repo_shown"), [(40, False), (52, False), (60, True), (100, True)])
async def test_widths_fit_and_overflow_columns_wait_past_the_edge(width: int, repo_shown: bool) -> None:
    app = TableApp(frame(3))
    async with app.run_test(size=(width, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(FrameTable)
        widths = dict(zip(table._visible, table._widths, strict=True))
        main = sum(widths[i] for i in (0, 1, 2)) + 2
        assert main <= table.scrollable_content_region.width
        assert all(widths[i] >= (c.min_width or c.width) for i, c in enumerate(COLUMNS))
        on_screen = sum(widths.values()) + 3 <= table.scrollable_content_region.width
        assert on_screen == repo_shown


async def test_a_million_rows_render_only_what_is_visible() -> None:
    app = TableApp(frame(1_000_000))
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(FrameTable)
        assert table.row_count == 1_000_000
        await pilot.press("G")
        assert table.cursor_row == 999_999
        assert len(table._row_cache) < 100  # only the rows that were painted
        await pilot.press("g", "ctrl+d", "j", "k", "pagedown")
        assert table.cursor_row > 10


async def test_mouse_selects_rows_and_header_clicks_report_the_column() -> None:
    seen: list[Message] = []
    app = TableApp(frame(5))
    async with app.run_test(size=(100, 10), message_hook=seen.append) as pilot:
        await pilot.pause()
        table = app.query_one(FrameTable)
        await pilot.click(FrameTable, offset=(2, 3))
        assert table.cursor_row == 2
        await pilot.click(FrameTable, offset=(2, 3), times=2)
        selected: list[Any] = of_type(seen, FrameTable.RowSelected)
        assert selected and selected[-1].row["name"] == "row000002"
        await pilot.click(FrameTable, offset=(24, 0))
        assert [m.column for m in of_type(seen, FrameTable.HeaderClicked)] == [1]


async def test_cursor_follows_its_key_when_the_frame_changes() -> None:
    app = TableApp(frame(50))
    async with app.run_test(size=(80, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(FrameTable)
        table.cursor_row = 30
        table.set_frame(table.frame.filter(pl.col("n") % 2 == 0))
        assert table.current_key() == "row000030" and table.cursor_row == 15
        table.set_frame(table.frame.filter(pl.col("n") < 10))
        assert table.cursor_row == 4  # the key is gone: stay near, within the rows


def test_column_widths_rule() -> None:
    from tui.widgets.columns import column_widths

    assert column_widths([], 80) == []
    # Roomy: columns keep their preferred width; spare room stays blank on the right...
    assert column_widths(COLUMNS, 100) == [20, 5, 30, 20]
    # ...unless a flexible column may grow (max_width), up to that width and no further.
    from dataclasses import replace

    growing = [COLUMNS[0], COLUMNS[1], replace(COLUMNS[2], max_width=40), COLUMNS[3]]
    assert column_widths(growing, 100) == [20, 5, 40, 20]
    assert column_widths(growing, 200) == [20, 5, 40, 20]
    # Tight: the overflow column waits past the edge at its width; the others fill the screen.
    tight = column_widths(COLUMNS, 45)
    assert tight[3] == 20 and sum(tight[:3]) + 2 == 45
    # Never below a minimum, even when nothing fits.
    assert column_widths(COLUMNS, 10) == [8, 5, 10, 20]

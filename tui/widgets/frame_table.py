"""Provides FrameTable: a virtual table over a polars DataFrame that renders only the visible rows.

A DataTable builds every row as cells up front; at 10,000 families that costs a second per
filter keystroke. FrameTable keeps the frame and formats the twenty-odd rows on screen when
they are painted (Line API), so replacing the frame after a filter or a sort is O(visible
rows). The first column stays put when the table scrolls sideways. Cells come from
formatters that return ``rich.text.Text``; untrusted values go through ``tui.safe.plain``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl
from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.bindings import as_bindings, commands_for
from tui.safe import plain
from tui.widgets.columns import Column, column_widths


def _default_format(value: Any, row: dict[str, Any]) -> Text:
    return plain("" if value is None else value)


class FrameTable(ScrollView, can_focus=True):
    """Rows of a DataFrame with a row cursor, an optional column cursor and a fixed header."""

    BINDINGS: ClassVar[list[BindingType]] = list(as_bindings(commands_for("table")))
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "frame-table--header",
        "frame-table--header-cursor",
        "frame-table--cursor",
        "frame-table--empty",
        "frame-table--muted",
        "frame-table--key",
    }
    DEFAULT_CSS = """
    FrameTable { background: $surface; scrollbar-size-vertical: 1; overflow-y: scroll; }
    FrameTable > .frame-table--header { background: $panel; color: $text; text-style: bold; }
    FrameTable > .frame-table--header-cursor { background: $accent 40%; text-style: bold underline; }
    FrameTable > .frame-table--cursor { background: $surface-lighten-2; }
    FrameTable:focus > .frame-table--cursor { background: $accent 50%; color: $text; }
    FrameTable > .frame-table--empty { color: $text-muted; text-style: italic; }
    FrameTable > .frame-table--muted { color: $text-muted; }
    FrameTable > .frame-table--key { text-style: reverse; }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)
    cursor_column: reactive[int] = reactive(0, init=False)

    @dataclass
    class RowMessage(Message):
        """Something happened to one row: the table, the row's index in the frame, its values."""

        table: FrameTable
        index: int
        row: dict[str, Any]

        @property
        def control(self) -> FrameTable:
            """The table (lets ``@on(..., "#id")`` match)."""
            return self.table

    class RowHighlighted(RowMessage):
        """The cursor moved to another row."""

    class RowSelected(RowMessage):
        """Enter (or a double click) on a row."""

    @dataclass
    class HeaderClicked(Message):
        """A column title was clicked."""

        table: FrameTable
        column: int

        @property
        def control(self) -> FrameTable:
            """The table (lets ``@on(..., "#id")`` match)."""
            return self.table

    def __init__(
        self,
        columns: list[Column],
        *,
        key: str | None = None,
        column_cursor: bool = False,
        empty_text: str = "Nothing to show",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns = list(columns)
        self.key = key
        self.show_column_cursor = column_cursor
        self.empty_text = empty_text
        self.frame: pl.DataFrame = pl.DataFrame()
        self.sort_key: str | None = None
        self.sort_descending = False
        self._widths: list[int] = [c.width for c in columns]
        self._visible: list[int] = list(range(len(columns)))
        self._row_cache: LRUCache[object, tuple[Strip, int]] = LRUCache(1024)  # rendered rows
        self._version = 0

    # -- data ---------------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """Number of rows in the frame."""
        return self.frame.height

    def set_frame(self, frame: pl.DataFrame, *, keep_cursor: bool = True) -> None:
        """Show ``frame``; keep the cursor on the same key (``key`` column) when it is still there.

        With a ``key``, rows keep their rendering across calls: call ``invalidate()`` when the
        rows' content changed, not only their selection or order.
        """
        current = self.current_key() if keep_cursor else None
        self.frame = frame
        if not self.key:
            self._row_cache.clear()  # rows are cached by position; with a key they are cached by key
        self._version += 1
        index = 0
        if current is not None and self.key and frame.height:
            found = frame.select(pl.col(self.key).eq(current).arg_true().first()).item()
            index = int(found) if found is not None else min(self.cursor_row, frame.height - 1)
        self._update_virtual_size()
        self.cursor_row = max(0, min(index, frame.height - 1))
        self.refresh()

    def set_columns(self, columns: list[Column]) -> None:
        """Replace the columns (the frame's rows are drawn again with them)."""
        self.columns = list(columns)
        self.cursor_column = 0
        self._row_cache.clear()
        self._update_virtual_size()
        self.refresh()

    def replace_column(self, index: int, column: Column) -> None:
        """Replace one column (a new width, say), keeping the cursor where it is."""
        self.columns[index] = column
        self._row_cache.clear()
        self._update_virtual_size()
        self.refresh()

    def invalidate(self) -> None:
        """Re-render every row (after a theme change, or when formatters depend on new data)."""
        self._row_cache.clear()
        self.refresh()

    def current_key(self) -> Any:
        """Return the key of the row under the cursor, or None."""
        if not self.key or not self.frame.height or self.key not in self.frame.columns:
            return None
        return self.frame[self.key][min(self.cursor_row, self.frame.height - 1)]

    def current_row(self) -> dict[str, Any] | None:
        """Return the row under the cursor as a dict, or None for an empty table."""
        if not self.frame.height:
            return None
        return self.frame.row(min(self.cursor_row, self.frame.height - 1), named=True)

    # -- layout -------------------------------------------------------------------------------

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        self._widths = column_widths(self.columns, width)
        self._visible = list(range(len(self.columns)))
        total = sum(self._widths) + len(self._widths) - 1
        size = Size(total, self.frame.height + 1)
        if size == self.virtual_size:
            return
        # virtual_size is a layout reactive: setting it reflows the whole screen. A filter
        # keystroke changes only the row count, so update the scrollbars and repaint instead;
        # reflow only when a scrollbar appears or goes (textual 8.2.8 internals, pinned).
        bars = (self.show_vertical_scrollbar, self.show_horizontal_scrollbar)
        self.set_reactive(ScrollView.virtual_size, size)
        self._scroll_update(size)
        self.refresh(layout=bars != (self.show_vertical_scrollbar, self.show_horizontal_scrollbar))

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.invalidate())

    def on_resize(self, event: events.Resize) -> None:
        self._update_virtual_size()
        self._row_cache.clear()

    # -- rendering ----------------------------------------------------------------------------

    def _cells(self, index: int) -> list[Text]:
        row = self.frame.row(index, named=True)
        # A column may be computed from others (no frame column of its own): its formatter gets None.
        return [
            (c.format or _default_format)(row.get(c.key), row) if c.key in row or c.format else Text("")
            for c in self.columns
        ]

    def _fit(self, text: Text, width: int, align: str) -> Text:
        fitted = text.copy()
        fitted.no_wrap = True
        fitted.end = ""
        if cell_len(fitted.plain) > width:
            fitted.truncate(width, overflow="ellipsis")
        if align == "right":
            fitted.align("right", width)
        else:
            fitted.pad_right(width - cell_len(fitted.plain))
        return fitted

    def _cell_segments(self, text: Text, width: int, align: str, extra: Style | None) -> list[Segment]:
        """Segments of one cell exactly ``width`` cells wide (a fast path for single-style cells)."""
        if text.spans:
            fitted = self._fit(text, width, align)
            if extra:
                fitted.stylize(extra)
            return list(fitted.render(self.app.console))
        plain = text.plain
        length = cell_len(plain)
        if length > width:
            plain = set_cell_size(plain, width - 1) + "…" if width > 1 else set_cell_size(plain, width)
        elif length < width:
            plain = " " * (width - length) + plain if align == "right" else plain + " " * (width - length)
        style = self.app.console.get_style(text.style) if text.style else Style()
        return [Segment(plain, style + extra if extra else style)]

    def _strip(self, cells: list[Text], styles: list[Style] | None = None) -> tuple[Strip, int]:
        """Return the full-width strip of a row (visible columns only) and its first column's width."""
        segments: list[Segment] = []
        space = Segment(" ")
        for n, i in enumerate(self._visible):
            if n:
                segments.append(space)
            extra = styles[i] if styles is not None and styles[i] else None
            segments.extend(self._cell_segments(cells[i], self._widths[n], self.columns[i].align, extra))
        first = self._widths[0] + 1 if self._widths else 0
        return Strip(segments, sum(self._widths) + len(self._widths) - 1), first

    def _row_strip(self, index: int) -> tuple[Strip, int]:
        # With a key column a row renders the same wherever a filter or sort puts it, so its
        # strip is reused across keystrokes; invalidate() drops them when the data changes.
        cache_key = self.frame[self.key][index] if self.key else index
        cached = self._row_cache.get(cache_key)
        if cached is None:
            cached = self._strip(self._cells(index))
            self._row_cache[cache_key] = cached
        return cached

    def _frozen(self, strip: Strip, first: int, width: int) -> Strip:
        scroll_x = int(self.scroll_x)
        if scroll_x == 0 or first >= width:
            return strip.crop_extend(0, width, None)
        left = strip.crop(0, first)
        right = strip.crop(first + scroll_x, first + scroll_x + width - first)
        return Strip.join([left, right]).crop_extend(0, width, None)

    def header_text(self, column: Column) -> Text:
        """Return a column's title as the header shows it: the sort direction or the sort key first.

        The sorted column shows ▲ or ▼ where the others show the key that sorts by them, so
        the title never moves and the arrow is never cut off (widths leave room for one cell).
        """
        if self.sort_key == column.key:
            mark = Text("▼" if self.sort_descending else "▲", style=self.get_component_rich_style("frame-table--key"))
        elif column.hotkey:
            mark = Text(column.hotkey, style=self.get_component_rich_style("frame-table--key"))
        else:
            return Text(column.title, end="")
        return Text.assemble(mark, column.title, end="")

    def _header(self, width: int) -> Strip:
        titles = [self.header_text(column) for column in self.columns]
        header_style = self.get_component_rich_style("frame-table--header")
        styles = [Style() for _ in self.columns]
        if self.show_column_cursor and self.columns:
            styles[min(self.cursor_column, len(styles) - 1)] = self.get_component_rich_style(
                "frame-table--header-cursor"
            )
        strip, first = self._strip(titles, styles)
        return self._frozen(strip, first, width).apply_style(header_style)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header(width).apply_style(base)
        index = int(self.scroll_y) + y - 1
        if not self.frame.height:
            if y == 1:
                empty = self._fit(plain(self.empty_text), width, "left")
                empty.stylize(self.get_component_rich_style("frame-table--empty"))
                return Strip(empty.render(self.app.console), width).apply_style(base)
            return Strip.blank(width, base)
        if index >= self.frame.height:
            return Strip.blank(width, base)
        strip, first = self._row_strip(index)
        strip = self._frozen(strip, first, width)
        if index == self.cursor_row:
            strip = strip.apply_style(self.get_component_rich_style("frame-table--cursor"))
        return strip.apply_style(base)

    # -- cursor -------------------------------------------------------------------------------

    def watch_cursor_row(self, old: int, new: int) -> None:
        if not self.frame.height:
            return
        visible = max(self.scrollable_content_region.height - 1, 1)
        top = int(self.scroll_y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + visible:
            self.scroll_to(y=new - visible + 1, animate=False, immediate=True)
        self.refresh()
        row = self.current_row()
        if row is not None:
            self.post_message(self.RowHighlighted(self, self.cursor_row, row))

    def watch_cursor_column(self) -> None:
        self.refresh()

    def _move(self, delta: int) -> None:
        if self.frame.height:
            self.cursor_row = max(0, min(self.cursor_row + delta, self.frame.height - 1))

    def action_cursor_down(self) -> None:
        self._move(1)

    def action_cursor_up(self) -> None:
        self._move(-1)

    def action_page_down(self) -> None:
        self._move(max(self.scrollable_content_region.height - 2, 1))

    def action_page_up(self) -> None:
        self._move(-max(self.scrollable_content_region.height - 2, 1))

    def action_first(self) -> None:
        self._move(-self.frame.height)

    def action_last(self) -> None:
        self._move(self.frame.height)

    def action_select(self) -> None:
        row = self.current_row()
        if row is not None:
            self.post_message(self.RowSelected(self, self.cursor_row, row))

    def move_column(self, delta: int) -> None:
        """Move the column cursor (the column ``sort`` acts on) among the visible columns."""
        if not self._visible:
            return
        position = self._visible.index(self.cursor_column) if self.cursor_column in self._visible else 0
        position = (position + delta) % len(self._visible)
        self.cursor_column = self._visible[position]
        # Keep it on screen when the table scrolls sideways (the first column never moves).
        left = sum(self._widths[1:position]) + max(position - 1, 0)
        view = self.scrollable_content_region.width - (self._widths[0] + 1)
        if position == 0 or left < self.scroll_x:
            self.scroll_to(x=0 if position == 0 else left, animate=False)
        elif left + self._widths[position] > self.scroll_x + view:
            self.scroll_to(x=left + self._widths[position] - view, animate=False)

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = event.x + (int(self.scroll_x) if self._widths and event.x > self._widths[0] else 0)
            edge = 0
            for n, w in enumerate(self._widths):
                edge += w + 1
                if x < edge:
                    self.cursor_column = self._visible[n]
                    self.post_message(self.HeaderClicked(self, self._visible[n]))
                    return
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < self.frame.height:
            self.cursor_row = index
            if event.chain >= 2:
                self.action_select()

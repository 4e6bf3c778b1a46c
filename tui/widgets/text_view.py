"""Provides TextView: long untrusted text (a 10,000-line commit message), wrapped and drawn lazily.

Lines are sanitised once and wrapped to the widget's width when it changes; only the visible
lines are turned into strips, so a huge message scrolls as fast as a short one.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.bindings import as_bindings, commands_for
from tui.safe import clean

MAX_LINE = 10_000  # characters kept per line: longer lines are cut (and say so)


class TextView(ScrollView, can_focus=True):
    """Scrollable, wrapped, plain text."""

    BINDINGS: ClassVar[list[BindingType]] = list(as_bindings(commands_for("text")))
    DEFAULT_CSS = "TextView { background: $surface; padding: 0 1; }"

    def __init__(self, text: str = "", id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._source: list[str] = []
        self._lines: list[str] = []
        self._wrapped_for = -1
        self.set_text(text)

    def set_text(self, text: str) -> None:
        """Show ``text`` (sanitised here; tabs become spaces)."""
        lines = clean(text).expandtabs(4).split("\n")
        self._source = [line if len(line) <= MAX_LINE else line[:MAX_LINE] + " … (line cut)" for line in lines]
        self._wrapped_for = -1
        self._rewrap()
        self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    @property
    def line_count(self) -> int:
        """Number of wrapped lines."""
        return len(self._lines)

    def _rewrap(self) -> None:
        width = max(self.scrollable_content_region.width, 10) if self.is_mounted else 80
        if width == self._wrapped_for:
            return
        wrapped: list[str] = []
        for line in self._source:
            if cell_len(line) <= width:
                wrapped.append(line)
            else:
                wrapped.extend(chop_cells(line, width))
        self._lines = wrapped
        self._wrapped_for = width
        self.virtual_size = Size(width, len(wrapped))

    def on_resize(self, event: events.Resize) -> None:
        self._rewrap()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if max(width, 10) != self._wrapped_for:
            self._rewrap()  # a scrollbar came or went: the width changed without a resize
        index = int(self.scroll_y) + y
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        return Strip([Segment(self._lines[index], self.line_style(index))]).extend_cell_length(width, self.rich_style)

    def line_style(self, index: int) -> Style:
        """The style of wrapped line ``index`` (one for all here; a subclass may mark lines)."""
        return self.rich_style

    def action_scroll_down(self) -> None:
        self.scroll_relative(y=1, animate=False)

    def action_scroll_up(self) -> None:
        self.scroll_relative(y=-1, animate=False)

    def action_page_down(self) -> None:
        self.scroll_relative(y=max(self.scrollable_content_region.height - 1, 1), animate=False)

    def action_page_up(self) -> None:
        self.scroll_relative(y=-max(self.scrollable_content_region.height - 1, 1), animate=False)

    def action_first(self) -> None:
        self.scroll_to(y=0, animate=False)

    def action_last(self) -> None:
        self.scroll_to(y=max(len(self._lines) - 1, 0), animate=False)

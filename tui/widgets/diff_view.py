"""Provides DiffView: a TextView that colours a unified diff's lines (added, removed, hunks, file headers).

The text stays plain and untrusted (``TextView`` sanitises it); only the first character of
each source line picks a style, so a file's content can never style itself.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len, chop_cells
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.strip import Strip

from tui.widgets.text_view import TextView

_KINDS = ("diff--added", "diff--removed", "diff--hunk", "diff--file")


def line_kind(line: str) -> str:
    """The component class of one diff line, or "" for context and prose."""
    if line.startswith(("+++ ", "--- ", "== ")):
        return "diff--file"
    if line.startswith("@@"):
        return "diff--hunk"
    if line.startswith("+"):
        return "diff--added"
    if line.startswith("-"):
        return "diff--removed"
    return ""


class DiffView(TextView):
    """Scrollable, wrapped diff text; wrapped parts of a line keep its colour."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(_KINDS)
    DEFAULT_CSS = """
    DiffView > .diff--added { color: $mark-shared; }
    DiffView > .diff--removed { color: $mark-error; }
    DiffView > .diff--hunk { color: $mark-accent; }
    DiffView > .diff--file { text-style: bold; }
    """

    _kinds: list[str]

    def _rewrap(self) -> None:
        width = max(self.scrollable_content_region.width, 10) if self.is_mounted else 80
        if width == self._wrapped_for:
            return
        wrapped: list[str] = []
        kinds: list[str] = []
        for line in self._source:
            parts = [line] if cell_len(line) <= width else chop_cells(line, width)
            wrapped.extend(parts)
            kinds.extend([line_kind(line)] * len(parts))
        self._lines, self._kinds = wrapped, kinds
        self._wrapped_for = width
        self.virtual_size = Size(width, len(wrapped))

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        index = int(self.scroll_y) + y
        if index >= len(self._lines):
            return Strip.blank(width, self.rich_style)
        kind = self._kinds[index]
        style: Style = self.rich_style + self.get_component_rich_style(kind, partial=True) if kind else self.rich_style
        return Strip([Segment(self._lines[index], style)]).extend_cell_length(width, self.rich_style)

"""Provides DiffView: a unified diff (and JSON key changes) drawn lazily, added and removed lines marked.

File contents come from strangers: lines are sanitised by TextView and drawn as plain
segments, never parsed as markup. Lines keep their ``+``/``-``/``~`` sign, so the diff reads
without colour (NO_COLOR, 16 colours) too.
"""

from __future__ import annotations

from typing import ClassVar

from rich.cells import cell_len, chop_cells
from rich.style import Style
from textual.geometry import Size

from tui.widgets.text_view import TextView


def line_kind(line: str) -> str:
    """Return the component class of a diff line: header, hunk, added, removed, changed or ''."""
    if line.startswith(("+++ ", "--- ", "== ", "JSON", "Binary files")):
        return "diff--header"
    if line.startswith("@@"):
        return "diff--hunk"
    if line.startswith("+"):
        return "diff--added"
    if line.startswith("-"):
        return "diff--removed"
    if line.startswith("~ "):
        return "diff--changed"
    return ""


class DiffView(TextView):
    """Scrollable diff text; each wrapped line keeps the mark of the line it came from."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "diff--added",
        "diff--removed",
        "diff--changed",
        "diff--hunk",
        "diff--header",
    }
    DEFAULT_CSS = """
    DiffView { background: $surface; padding: 0 1; }
    DiffView > .diff--added { color: $mark-shared; }
    DiffView > .diff--removed { color: $mark-error; }
    DiffView > .diff--changed { color: $mark-warning; }
    DiffView > .diff--hunk { color: $mark-accent; }
    DiffView > .diff--header { text-style: bold; }
    """

    def __init__(self, text: str = "", id: str | None = None, classes: str | None = None) -> None:
        self._kinds: list[str] = []
        super().__init__(text, id=id, classes=classes)

    def _rewrap(self) -> None:
        width = max(self.scrollable_content_region.width, 10) if self.is_mounted else 80
        if width == self._wrapped_for:
            return
        lines: list[str] = []
        kinds: list[str] = []
        for line in self._source:
            kind = line_kind(line)
            parts = [line] if cell_len(line) <= width else chop_cells(line, width)
            lines.extend(parts)
            kinds.extend([kind] * len(parts))
        self._lines, self._kinds = lines, kinds
        self._wrapped_for = width
        self.virtual_size = Size(width, len(lines))

    def line_style(self, index: int) -> Style:
        kind = self._kinds[index]
        return self.rich_style + self.get_component_rich_style(kind) if kind else self.rich_style

"""Provides TitleBar: where you are (a breadcrumb of sanitised names) and a demo marker."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.widgets import Static

from tui.safe import clean


class TitleBar(Static):
    """The top line: ``ptlm-tui › Families › acme_bert``."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"title-bar--app", "title-bar--crumb", "title-bar--demo"}
    DEFAULT_CSS = """
    TitleBar { height: 1; background: $primary; color: $text; padding: 0 1; }
    TitleBar > .title-bar--app { text-style: bold; }
    TitleBar > .title-bar--crumb { }
    TitleBar > .title-bar--demo { background: $demo-badge; color: $demo-badge-text; text-style: bold; }
    """

    def __init__(self, *crumbs: str) -> None:
        super().__init__("", markup=False)
        self.crumbs = list(crumbs)

    def on_mount(self) -> None:
        self.set_crumbs(*self.crumbs)

    def set_crumbs(self, *crumbs: str) -> None:
        """Show ``crumbs`` (untrusted names are fine: they are cleaned and never markup).

        On the demo the DEMO DATA marker always fits: the crumbs are cut to leave room for it.
        """
        self.crumbs = [c for c in crumbs if c]
        style = self.get_component_rich_style
        text = Text("ptlm-tui", style=style("title-bar--app"), end="")
        for crumb in self.crumbs:
            text.append(" › ")
            text.append(clean(crumb, single_line=True, limit=60), style=style("title-bar--crumb"))
        width = (self.size.width or 80) - 2  # padding
        if getattr(self.app, "demo", False):
            marker = " DEMO DATA: generated families, not real ones "
            if width < text.cell_len + len(marker) + 1:
                marker = " DEMO DATA "
            room = width - len(marker) - 1
            if text.cell_len > room:
                text.truncate(max(room, 1), overflow="ellipsis")
            text.append(" " * max(width - text.cell_len - len(marker), 1))
            text.append(marker, style=style("title-bar--demo"))
        elif text.cell_len > width:
            text.truncate(max(width, 1), overflow="ellipsis")
        self.update(text)

    def on_resize(self) -> None:
        self.set_crumbs(*self.crumbs)

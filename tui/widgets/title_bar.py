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
    TitleBar > .title-bar--demo { background: $warning; color: $text; text-style: bold; }
    """

    def __init__(self, *crumbs: str) -> None:
        super().__init__("", markup=False)
        self.crumbs = list(crumbs)

    def on_mount(self) -> None:
        self.set_crumbs(*self.crumbs)

    def set_crumbs(self, *crumbs: str) -> None:
        """Show ``crumbs`` (untrusted names are fine: they are cleaned and never markup)."""
        self.crumbs = list(crumbs)
        style = self.get_component_rich_style
        text = Text("ptlm-tui", style=style("title-bar--app"), end="")
        for crumb in crumbs:
            text.append(" › ")
            text.append(clean(crumb, single_line=True, limit=60), style=style("title-bar--crumb"))
        if getattr(self.app, "demo", False):
            width = self.size.width or 80
            marker = " DEMO DATA: generated families, not real ones "
            if width < 100:
                marker = " DEMO DATA "
            pad = max(width - 2 - text.cell_len - len(marker), 1)
            text.append(" " * pad)
            text.append(marker, style=style("title-bar--demo"))
        self.update(text)

    def on_resize(self) -> None:
        self.set_crumbs(*self.crumbs)

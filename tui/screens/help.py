"""Provides HelpScreen and help_text(): every key from the binding registry, the filter language and legends.

Generated, never written by hand: what the help says is what the bindings do (the user's
keymap included), and a test keeps the README's key table in step with the same registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.widgets import Footer, Static

from core.filters import filter_help
from core.models import PATTERN_BY_CODE
from tui.bindings import SCOPES, as_bindings, commands_for, effective_keys, key_display
from tui.safe import clean
from tui.screens.base import BaseScreen
from tui.widgets.timeline import ACTIVE, EMPTY, SHARED
from tui.widgets.title_bar import TitleBar

FILTER_EXAMPLES = (
    ("bert", "families, repositories or models with 'bert' in the name"),
    ("pattern:disperse lag:gh", "Disperse families where GitHub moved first"),
    ("stale:>90d -pattern:rare", "no commit for 90 days, and not Rare"),
    ("handoff:>1y variants:>5", "HF has not followed GitHub for a year, more than 5 variants"),
)


def _table(*widths: int | None) -> Table:
    table = Table(box=None, show_header=False, padding=(0, 1), expand=True, pad_edge=False)
    for i, width in enumerate(widths):
        table.add_column(
            width=width, no_wrap=width is not None, ratio=None if width else 1, style="bold" if i == 0 else ""
        )
    return table


def help_sections(keymap: Mapping[str, str] | None = None) -> list[RenderableType]:
    """Return the help as renderables: a key table per scope, the filter language and legends.

    Every cell is a ``Text``: keys from the user's keymap are cleaned and never read as markup.
    """
    out: list[RenderableType] = []
    for scope, title in SCOPES.items():
        commands = commands_for(scope)
        if not commands:
            continue
        out.append(Text(f"\n{title}", style="bold underline"))
        table = _table(14, 13, None, 16)
        for command in commands:
            keys = clean(key_display(effective_keys(command, keymap)), single_line=True, limit=24)
            table.add_row(
                Text(keys), Text(command.description), Text(command.tooltip), Text(command.id, style="dim italic")
            )
        out.append(table)
    out.append(Text("\nFilter (/)", style="bold underline"))
    out.append(Text("Words are ANDed; a bare word matches family, GitHub repo and model names; -word negates."))
    fields = _table(16, None)
    for field, what in filter_help():
        fields.add_row(Text(field), Text(what))
    out.append(fields)
    examples = _table(28, None)
    for example, what in FILTER_EXAMPLES:
        examples.add_row(Text(example), Text(what, style="dim"))
    out.append(Text("Examples:"))
    out.append(examples)
    out.append(Text("\nPattern badges", style="bold underline"))
    out.append(
        Text(
            "The code reads without colour: CS.. complete (HF inside GitHub's bins), PS.. partial, AS../VS.. "
            "disjoint; the last letter is R rare, S sporadic, F frequent. "
            + ", ".join(f"{code} {name}" for code, name in PATTERN_BY_CODE.items())
            + ". A ! before a family: its last sync is older than the stale limit, or failed."
        )
    )
    out.append(Text("\nTimeline", style="bold underline"))
    out.append(Text(f"{SHARED} bin shared by GitHub and HF   {ACTIVE} one side only   {EMPTY} no commit"))
    out.append(Text("\nRemapping keys", style="bold underline"))
    out.append(
        Text(
            'In the config file (ptlm-tui locate config): [ui.keymap] sync-all = "ctrl+s". Ids are in the last column.'
        )
    )
    out.append(Text("\nOver SSH", style="bold underline"))
    out.append(
        Text(
            "Copy (y, Y) uses OSC 52: allow it in your terminal (tmux: set -g set-clipboard on). With 16 colours "
            "(TERM=xterm, no COLORTERM) the ANSI theme is used unless ui.theme is set. Below 80 × 24 the app asks "
            "for a larger window."
        )
    )
    return out


class HelpScreen(BaseScreen):
    """The keys of every screen, generated from the registry."""

    SCOPE = "help"
    BINDING_GROUP_TITLE = "Help"
    BINDINGS: ClassVar[list[BindingType]] = list(as_bindings(commands_for("help") + commands_for("text")))
    AUTO_FOCUS = "#help-scroll"

    def compose(self) -> ComposeResult:
        yield TitleBar("Help")
        with VerticalScroll(id="help-scroll"):
            yield Static(Group(*help_sections(self.ptlm.settings.ui.keymap)), id="help-text")
        yield Footer(compact=True)

    @property
    def scroller(self) -> VerticalScroll:
        """The scrolling container."""
        return self.query_one("#help-scroll", VerticalScroll)

    def action_scroll_down(self) -> None:
        self.scroller.scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.scroller.scroll_up(animate=False)

    def action_page_down(self) -> None:
        self.scroller.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroller.scroll_page_up(animate=False)

    def action_first(self) -> None:
        self.scroller.scroll_home(animate=False)

    def action_last(self) -> None:
        self.scroller.scroll_end(animate=False)

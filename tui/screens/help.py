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
from core.models import IN_STEP_MEANING, PATTERN_BY_CODE
from tui.bindings import SCOPES, as_bindings, commands_for, effective_keys, key_display
from tui.safe import clean
from tui.screens.base import BaseScreen
from tui.widgets.timeline import ACTIVE, EMPTY, SHARED
from tui.widgets.title_bar import TitleBar

FILTER_EXAMPLES = (
    ("bert", "families, repositories or models with 'bert' in the name"),
    ("step:no", "families whose Hugging Face side never moves with GitHub"),
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


# The widgets each screen holds, whose keys belong with the screen's own.
SCREEN_WIDGETS: dict[str, tuple[str, ...]] = {
    "families": ("table",),
    "family": ("table",),
    "commit": ("text", "table"),
    "dashboard": ("table",),
    "help": ("text",),
}


def scope_order(current: str = "") -> list[str]:
    """Return the scopes in help's order: the current screen's (and its widgets'), everywhere, the rest."""
    first = [current, *SCREEN_WIDGETS.get(current, ())] if current in SCOPES else []
    return list(dict.fromkeys([*first, "app", *SCOPES]))


def help_sections(keymap: Mapping[str, str] | None = None, current: str = "") -> list[RenderableType]:
    """Return the help as renderables: a key table per scope, the filter language and legends.

    ``current`` is the scope of the screen help was opened on: its keys come first.
    Every cell is a ``Text``: keys from the user's keymap are cleaned and never read as markup.
    """
    out: list[RenderableType] = []
    for scope in scope_order(current):
        title = SCOPES[scope]
        commands = commands_for(scope)
        if not commands:
            continue
        if scope == current and current != "help":
            title = f"{title} (this screen)"
        out.append(Text(f"\n{title}", style="bold underline"))
        table = _table(14, 14, None, 20)
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
    out.append(Text("\nIn step, and the pattern badges", style="bold underline"))
    out.append(
        Text(
            "In step says in plain words whether Hugging Face moves when GitHub does: "
            + "; ".join(f"{words}: {meaning}" for words, meaning in IN_STEP_MEANING.items())
            + ". The pattern's code reads without colour: CS.. complete (in step), PS.. partial, AS../VS.. "
            "disjoint (out of step); the last letter is how often HF moves: R rare, S sporadic, F frequent. "
            + ", ".join(f"{code} {name}" for code, name in PATTERN_BY_CODE.items())
            + ". A ! before a family: its last sync failed, or is older than the stale limit; the line under "
            "the list says which, and what to do. Study: = agrees with the study, else ≠code, ≠lag or ≠both."
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

    def __init__(self, current: str = "") -> None:
        super().__init__()
        self.current = current  # the scope of the screen help was opened on

    def compose(self) -> ComposeResult:
        where = SCOPES.get(self.current, "")
        yield TitleBar("Help", f"{where} keys first" if where and self.current != "help" else "")
        with VerticalScroll(id="help-scroll"):
            yield Static(Group(*help_sections(self.ptlm.settings.ui.keymap, self.current)), id="help-text")
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

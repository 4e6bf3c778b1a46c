"""Provides RelabelModal: pick a change type for a commit by hand (it then wins over the classifier), or clear it.

Each of the study's 15 change types (and the three labels the analyses leave out) is listed
with what it covers (``core.classify.prompts.LABEL_MEANING``, the same text the local model
is given), so a label can be chosen without the method at hand. A hand label can be taken
back: the classifier's label shows again.
"""

from __future__ import annotations

from typing import ClassVar, Final

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from core.classify.prompts import LABEL_MEANING
from core.models import ALL_LABELS, CHANGE_TYPES

CLEAR: Final = "\x00clear"  # the result that asks to remove the hand label


def _prompt(label: str) -> Text:
    # Our own vocabulary, never markup: built as Text.
    text = Text(label, style="bold", end="")
    extra = "" if label in CHANGE_TYPES else " (left out of the analyses)"
    text.append(f"\n  {LABEL_MEANING.get(label, '')}{extra}", style="dim")
    return text


class RelabelModal(ModalScreen[str | None]):
    """A list of the change types with what each covers; Enter picks, Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel-relabel"),
        # Vim keys as everywhere else (the list itself knows the arrows).
        Binding("j", "move(1)", "Down", show=False, id="relabel-down"),
        Binding("k", "move(-1)", "Up", show=False, id="relabel-up"),
    ]
    DEFAULT_CSS = """
    RelabelModal { align: center middle; }
    RelabelModal > Vertical {
        width: 76; max-width: 95%; height: auto; max-height: 90%; border: thick $accent; background: $panel;
    }
    RelabelModal OptionList { height: auto; max-height: 30; }
    RelabelModal .relabel--title { text-style: bold; padding: 0 1; }
    RelabelModal .relabel--current { color: $text-muted; padding: 0 1; }
    """

    def __init__(self, current: str | None, *, manual: bool = False) -> None:
        super().__init__()
        self.current = current
        self.manual = manual  # the current label was set by hand (it can be cleared)

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Change type (Enter sets, Esc cancels)", classes="relabel--title", markup=False)
            if self.current:
                how = "set by hand" if self.manual else "from the classifier"
                yield Static(f"Now: {self.current} ({how})", classes="relabel--current", markup=False)
            options = [Option(_prompt(label), id=label) for label in ALL_LABELS]
            if self.manual:
                clear = Text("Clear the hand label", style="bold", end="")
                clear.append("\n  the classifier's label (rules or local model) shows again", style="dim")
                options.insert(0, Option(clear, id=CLEAR))
            yield OptionList(*options, markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self.current in ALL_LABELS:
            options.highlighted = ALL_LABELS.index(self.current) + (1 if self.manual else 0)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if step > 0:
            options.action_cursor_down()
        else:
            options.action_cursor_up()

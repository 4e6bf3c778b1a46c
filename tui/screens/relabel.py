"""Provides RelabelModal: pick a change type for a commit by hand (the label then wins over the classifier)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from core.models import ALL_LABELS


class RelabelModal(ModalScreen[str | None]):
    """A list of the change types; Enter picks, Esc cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel-relabel"),
        # Vim keys as everywhere else (the list itself knows the arrows).
        Binding("j", "move(1)", "Down", show=False, id="relabel-down"),
        Binding("k", "move(-1)", "Up", show=False, id="relabel-up"),
    ]
    DEFAULT_CSS = """
    RelabelModal { align: center middle; }
    RelabelModal > Vertical { width: 44; height: auto; max-height: 90%; border: thick $accent; background: $panel; }
    RelabelModal OptionList { height: auto; max-height: 20; }
    RelabelModal .relabel--title { text-style: bold; padding: 0 1; }
    """

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Change type (Enter sets, Esc cancels)", classes="relabel--title", markup=False)
            # Labels are our own vocabulary, but build Options without markup anyway.
            yield OptionList(*[Option(label, id=label) for label in ALL_LABELS], markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self.current in ALL_LABELS:
            options.highlighted = ALL_LABELS.index(self.current)
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

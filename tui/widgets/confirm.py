"""Provides ConfirmModal: a yes/no question before heavy work, with what it would touch counted in words."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.safe import plain_content


class ConfirmModal(ModalScreen[bool]):
    """Asks ``question``: ``y`` confirms, ``n`` or Esc declines, Enter presses the focused button (Cancel at first)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", id="confirm-yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm-no"),
    ]
    DEFAULT_CSS = """
    ConfirmModal { align: center middle; }
    ConfirmModal > Vertical {
        width: 64; max-width: 90%; height: auto; border: thick $warning; background: $panel; padding: 1 2;
    }
    ConfirmModal .confirm--title { text-style: bold; }
    ConfirmModal .confirm--question { margin: 1 0; }
    ConfirmModal Horizontal { height: auto; align-horizontal: right; }
    ConfirmModal Button { margin-left: 2; min-width: 12; }
    """

    def __init__(self, title: str, question: str, action: str = "Start") -> None:
        super().__init__()
        self.title_text, self.question, self.action = title, question, action

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain_content(self.title_text, single_line=True), classes="confirm--title")
            yield Static(plain_content(self.question[:2000]), classes="confirm--question")
            with Horizontal():
                yield Button("Cancel (n)", id="no")
                yield Button(f"{self.action} (y)", id="yes", variant="warning")

    def on_mount(self) -> None:
        # Enter on the focused button: focus starts on Cancel, so a stray Enter declines.
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

"""Provides ErrorModal: one error, what to do about it, closed with Esc or Enter."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.safe import plain_content


class ErrorModal(ModalScreen[None]):
    """Shows a PtlmError (title, detail, hint) or a bug's generic message; text is never markup."""

    BINDINGS = [Binding("escape,enter,q", "dismiss", "Close", id="close-error")]
    DEFAULT_CSS = """
    ErrorModal { align: center middle; }
    ErrorModal > Vertical {
        width: 70; max-width: 90%; height: auto; max-height: 80%;
        border: thick $error; background: $panel; padding: 1 2;
    }
    ErrorModal .error-modal--title { text-style: bold; color: $mark-error; }
    ErrorModal .error-modal--hint { color: $text-muted; margin-top: 1; }
    ErrorModal .error-modal--keys { color: $text-muted; margin-top: 1; text-align: right; }
    """

    def __init__(self, title: str, detail: str = "", hint: str = "") -> None:
        super().__init__()
        self.error_title, self.detail, self.hint = title, detail, hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(plain_content(self.error_title, single_line=True), classes="error-modal--title")
            if self.detail:
                yield Static(plain_content(self.detail, limit=2000), classes="error-modal--detail")
            if self.hint:
                yield Static(plain_content("What to do: " + self.hint, limit=1000), classes="error-modal--hint")
            yield Static("Esc or Enter to close", classes="error-modal--keys", markup=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)

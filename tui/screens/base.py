"""Provides BaseScreen: what every screen shares: worker errors to the App's handler and the small-terminal notice."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from tui.failures import report_failure

if TYPE_CHECKING:
    from tui.app import PtlmApp


class TooSmall(Widget):
    """Covers the screen while the terminal is smaller than 80 × 24 (CSS shows it: App.-too-small)."""

    def __init__(self) -> None:
        super().__init__(classes="too-small")

    def render(self) -> Content:
        width, height = self.app.size
        return Content(
            f"Terminal {width} × {height}: too small.\n"
            "ptlm-tui needs at least 80 × 24.\n"
            "Enlarge the window;\nthis goes away by itself."
        )


class BaseScreen(Screen[None]):
    """A screen whose workers' failures reach the App's one error handler, and that re-reads on reload."""

    SCOPE: ClassVar[str] = ""

    def __init__(self) -> None:
        super().__init__()
        self.data_generation = 0  # the App's ``generation`` this screen's data was read at

    @property
    def ptlm(self) -> PtlmApp:
        """The app, typed."""
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.mount(TooSmall())
        self.data_generation = self.ptlm.generation

    def refresh_data(self) -> None:
        """Read again what this screen shows (``PtlmApp.reload`` calls it; screens that read data override it)."""
        self.data_generation = self.ptlm.generation

    def on_screen_resume(self) -> None:
        # The cache was read again while another screen was on top: catch up now.
        if self.is_mounted and self.data_generation != self.ptlm.generation:
            self.refresh_data()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # Worker.StateChanged does not bubble: a screen's own workers end up here.
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            report_failure(self.app, event.worker.error, event.worker.description)

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()

"""Provides StatusBar: cache age, offline and demo state, and the progress of background work.

The App owns a ``StatusState`` and publishes it on ``status_changed``; every screen's bar
subscribes. While a task waits on a rate limit the bar counts the seconds down itself.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.text import Text
from textual.widgets import Static

from core.progress import Progress, format_duration
from tui.formatting import age_since
from tui.safe import clean


@dataclass
class StatusState:
    """What the status bar shows."""

    now: dt.datetime
    demo: bool = False
    offline: bool = False
    cache_written: dt.datetime | None = None
    stale_families: int = 0
    stale_after_days: int = 7
    loading: str = ""  # e.g. "reading commits…"
    task_title: str = ""
    progress: Progress | None = None
    progress_at: float = field(default=0.0)  # time.monotonic() when progress arrived
    note: str = ""  # the latest outcome: "Sync: 3 repositories updated"


class StatusBar(Static):
    """One line above the footer."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "status-bar--demo",
        "status-bar--offline",
        "status-bar--stale",
        "status-bar--task",
        "status-bar--muted",
    }
    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $text; padding: 0 1; }
    StatusBar > .status-bar--demo { background: $demo-badge; color: $demo-badge-text; text-style: bold; }
    StatusBar > .status-bar--offline { color: $mark-warning; text-style: bold; }
    StatusBar > .status-bar--stale { color: $mark-warning; }
    StatusBar > .status-bar--task { color: $mark-accent; text-style: bold; }
    StatusBar > .status-bar--muted { color: $text-muted; }
    """

    def __init__(self) -> None:
        super().__init__("", markup=False)
        self.state: StatusState | None = None

    def on_mount(self) -> None:
        signal = getattr(self.app, "status_changed", None)
        if signal is not None:
            signal.subscribe(self, self.show_state)
            self.show_state(self.app.status_state())  # type: ignore[attr-defined]
        self.set_interval(1.0, self._tick)

    def _tick(self) -> None:
        if self.state and self.state.progress and self.state.progress.waiting_seconds:
            self.show_state(self.state)

    def show_state(self, state: StatusState) -> None:
        """Render ``state``."""
        self.state = state
        self.update(self.line(state))

    def line(self, state: StatusState) -> Text:
        """Return the status line for ``state`` (plain text parts are sanitised)."""
        style: Any = self.get_component_rich_style
        parts: list[Text] = []
        if state.demo:
            parts.append(Text(" DEMO DATA ", style=style("status-bar--demo")))
        if state.offline:
            parts.append(Text("offline", style=style("status-bar--offline")))
        if state.cache_written is not None:
            old = (state.now - state.cache_written).days >= state.stale_after_days
            written = age_since(state.cache_written, state.now)
            text = "cache updated today" if written == "today" else f"cache {written} old"
            parts.append(Text(text + (" (stale)" if old else ""), style=style("status-bar--stale") if old else ""))
        if state.stale_families:
            parts.append(
                Text(
                    f"{state.stale_families:,} stale (synced >{state.stale_after_days}d ago)",
                    style=style("status-bar--stale"),
                )
            )
        if state.loading:
            parts.append(Text(state.loading, style=style("status-bar--muted")))
        if state.task_title:
            parts.append(Text(self._task_text(state), style=style("status-bar--task")))
        elif state.note:
            parts.append(Text(clean(state.note, single_line=True, limit=120), style=style("status-bar--muted")))
        return Text(" · ").join(parts) if parts else Text("")

    @staticmethod
    def _task_text(state: StatusState) -> str:
        progress = state.progress
        if progress is None:
            return f"{state.task_title}: starting… (x cancels)"
        count = f"{progress.done}/{progress.total}" if progress.total is not None else str(progress.done)
        text = f"{state.task_title} {count}"
        if progress.waiting_seconds:
            left = progress.waiting_seconds - (time.monotonic() - state.progress_at)
            text += f", rate limited: retry in {format_duration(max(left, 0))}"
        elif progress.eta_seconds is not None:
            text += f", ETA {format_duration(progress.eta_seconds)}"
        if progress.detail:
            text += f": {clean(progress.detail, single_line=True, limit=40)}"
        return text + " (x cancels)"

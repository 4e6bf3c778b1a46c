"""Provides the messages that cross screens: data loaded, background work progressing or done, labels changed.

Workers post these (posting is thread-safe); handlers on the App and the screens update the UI.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

from core.progress import Progress

if TYPE_CHECKING:
    import polars as pl

    from tui.tasks import TaskPlan, TaskSpec


@dataclass
class FamiliesLoaded(Message):
    """A part of the families table was read from the cache (index, activity or handoffs)."""

    part: str
    frame: pl.DataFrame
    generation: int
    seconds: float
    written_at: dt.datetime | None = None  # when the commits table was last written (with the index)


@dataclass
class TaskProgressed(Message):
    """Background work made progress."""

    task_id: str
    progress: Progress

    def can_replace(self, message: Message) -> bool:
        # A burst of progress updates collapses into the latest one.
        return isinstance(message, TaskProgressed) and message.task_id == self.task_id


@dataclass
class TaskPlanned(Message):
    """What a heavy task would do was counted; the App asks before starting it."""

    spec: TaskSpec
    families: list[str] | None
    plan: TaskPlan


@dataclass
class TaskFinished(Message):
    """Background work completed; ``summary`` says what it did."""

    task_id: str
    title: str
    summary: str


@dataclass
class TaskCancelled(Message):
    """Background work stopped at the user's request; what it finished is kept."""

    task_id: str
    title: str
    summary: str = ""


@dataclass
class ErrorReported(Message):
    """An error was shown to the user (known: a PtlmError with a hint; otherwise a bug, logged)."""

    title: str
    detail: str
    hint: str
    known: bool


@dataclass
class LabelChanged(Message):
    """A commit's change type was set by hand (``label`` empty: the hand label was cleared)."""

    platform: str
    repo: str
    sha: str
    label: str


@dataclass
class Copied(Message):
    """Text was put on the clipboard (``method`` says how: system tool or OSC 52)."""

    what: str
    text: str
    method: str

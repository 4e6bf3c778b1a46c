"""Provides the progress and cancellation protocol shared by long work (sync, classify, import).

Core functions take an optional ``on_progress`` callback and a ``CancelToken``; the CLI turns
progress into a status line on stderr and the app into messages from a worker, so both show
the same counts and ETA.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from core.errors import Cancelled


@dataclass(frozen=True, slots=True)
class Progress:
    """A snapshot of a long task: what, how far, and roughly how long is left."""

    task: str
    done: int
    total: int | None = None
    detail: str = ""
    eta_seconds: float | None = None
    waiting_seconds: float | None = None  # set while waiting on a rate limit

    def line(self) -> str:
        """Return a one-line human summary such as ``sync 3/50 (ETA 12 s): bert``."""
        count = f"{self.done}/{self.total}" if self.total is not None else str(self.done)
        parts = [f"{self.task} {count}"]
        if self.waiting_seconds:
            parts.append(f"(rate limited, retry in {self.waiting_seconds:.0f} s)")
        elif self.eta_seconds is not None:
            parts.append(f"(ETA {format_duration(self.eta_seconds)})")
        text = " ".join(parts)
        return f"{text}: {self.detail}" if self.detail else text


ProgressCallback = Callable[[Progress], None]


def format_duration(seconds: float) -> str:
    """Return a short duration: ``45 s``, ``3 min 05 s``, ``1 h 02 min``."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {sec:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


@dataclass
class CancelToken:
    """A flag a UI or signal handler sets to ask long work to stop at its next checkpoint."""

    _event: threading.Event = field(default_factory=threading.Event)
    parent: CancelToken | None = None  # a child token is cancelled with its parent, or alone

    def cancel(self) -> None:
        """Ask the work to stop."""
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """True once cancel() was called (on this token or its parent)."""
        return self._event.is_set() or (self.parent is not None and self.parent.cancelled)

    def check(self) -> None:
        """Raise ``Cancelled`` if cancel() was called; call between units of work."""
        if self.cancelled:
            raise Cancelled()

    def child(self) -> CancelToken:
        """Return a token that stops when this one does and can also be stopped on its own.

        Work that decides to stop itself (a sync that meets repeated network failures) cancels
        its child token, so the caller can tell that from a stop the user asked for.
        """
        return CancelToken(parent=self)


@dataclass
class EtaTracker:
    """Turns counts into Progress with an ETA from the average rate so far."""

    task: str
    total: int | None
    started: float = field(default_factory=time.monotonic)

    def at(self, done: int, detail: str = "") -> Progress:
        """Return the Progress for ``done`` finished units."""
        eta = None
        if self.total and done:
            elapsed = time.monotonic() - self.started
            eta = elapsed / done * max(self.total - done, 0)
        return Progress(self.task, done, self.total, detail, eta)

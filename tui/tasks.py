"""Provides the task runner: long core work (sync, discover, classify) in a thread worker, reported as messages.

A task is a core callable ``fn(store, settings[, families], *, on_progress, cancel, **extra)``
that returns a report with ``summary()``. The runner imports it by name when it starts (so
the app opens without loading the network stack), runs it in a thread worker of the App
(``exit_on_error=False``, group ``tasks``), turns each ``core.progress.Progress`` into a
``TaskProgressed`` message, stops it through a ``CancelToken`` on request, and posts
``TaskFinished`` or ``TaskCancelled``. Failures reach the App's one error handler through
the worker's ERROR state.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.errors import Cancelled, PtlmError
from core.progress import CancelToken, Progress
from tui.messages import TaskCancelled, TaskFinished, TaskProgressed

if TYPE_CHECKING:
    from tui.app import PtlmApp


@dataclass(frozen=True)
class TaskSpec:
    """What a background task runs and when it may run."""

    id: str
    title: str
    module: str
    function: str
    network: bool = False  # refused with --offline
    per_family: bool = True  # the callable takes the families to work on
    extra: Callable[[Any], dict[str, Any]] = field(default=lambda settings: {})  # more keyword arguments


SYNC = TaskSpec("sync", "Sync", "core.sync", "sync", network=True)
DISCOVER = TaskSpec("discover", "Discover", "core.discover", "discover", network=True, per_family=False)
CLASSIFY = TaskSpec(
    "classify",
    "Classify",
    "core.classify.service",
    "classify",
    extra=lambda settings: {"backend": settings.classify.backend},
)


class TaskUnavailable(PtlmError):
    """The callable behind a task is not part of this build."""


def resolve(spec: TaskSpec) -> Callable[..., Any]:
    """Import the task's callable by name.

    Raises:
        TaskUnavailable: The module or the function is missing from this build.
    """
    try:
        module = importlib.import_module(spec.module)
        fn = getattr(module, spec.function)
    except (ImportError, AttributeError) as exc:
        raise TaskUnavailable(
            f"{spec.title} is not available in this build",
            f"{spec.module}.{spec.function} is missing",
            "update ptlm-tui, or run the headless command if your version has it",
        ) from exc
    if not callable(fn):
        raise TaskUnavailable(f"{spec.title} is not available in this build", f"{spec.module}.{spec.function}")
    return fn  # type: ignore[no-any-return]


@dataclass
class RunningTask:
    """The task in progress, its stop switch and its latest progress."""

    spec: TaskSpec
    families: list[str] | None
    cancel: CancelToken
    started: float = field(default_factory=time.monotonic)
    progress: Progress | None = None
    progress_at: float = 0.0


class TaskRunner:
    """Runs one background task at a time for the App."""

    def __init__(self, app: PtlmApp) -> None:
        self.app = app
        self.current: RunningTask | None = None

    def refusal(self, spec: TaskSpec) -> str | None:
        """Return why ``spec`` cannot start now, or None."""
        if self.current is not None:
            return f"{self.current.spec.title} is still running (x cancels it)"
        if spec.network and self.app.settings.offline:
            return f"{spec.title} needs the network and ptlm-tui runs with --offline"
        if spec.network and self.app.demo:
            return f"{spec.title} is off on the demo data; open your own cache to fetch real data"
        return None

    def start(self, spec: TaskSpec, families: list[str] | None = None) -> bool:
        """Start ``spec`` on ``families`` (None: all); return False and notify when it cannot start."""
        reason = self.refusal(spec)
        if reason:
            self.app.notify(reason, severity="warning", markup=False)
            return False
        try:
            fn = resolve(spec)
        except TaskUnavailable as exc:
            self.app.notify(exc.one_line(), title=exc.title, severity="warning", markup=False)
            return False
        running = RunningTask(spec, families, CancelToken())
        self.current = running
        self.app.run_worker(
            lambda: self._body(fn, running),
            name=spec.id,
            group="tasks",
            description=spec.title,
            thread=True,
            exit_on_error=False,
        )
        self.app.refresh_status()
        return True

    def _body(self, fn: Callable[..., Any], running: RunningTask) -> str:
        """Run in the worker thread: call the core function, report through messages."""
        spec, app = running.spec, self.app

        def on_progress(progress: Progress) -> None:
            app.post_message(TaskProgressed(spec.id, progress))

        args: tuple[Any, ...] = (app.store, app.settings)
        if spec.per_family:
            args += (running.families,)
        try:
            report = fn(*args, on_progress=on_progress, cancel=running.cancel, **spec.extra(app.settings))
        except Cancelled:
            app.post_message(TaskCancelled(spec.id, spec.title))
            return ""
        summary = str(report.summary()) if hasattr(report, "summary") else f"{spec.title} done"
        if running.cancel.cancelled:  # stopped early but returned what it did
            app.post_message(TaskCancelled(spec.id, spec.title, summary))
        else:
            app.post_message(TaskFinished(spec.id, spec.title, summary))
        return summary

    def cancel(self) -> bool:
        """Ask the running task to stop at its next checkpoint; False when nothing runs."""
        if self.current is None:
            return False
        self.current.cancel.cancel()
        return True

    def progressed(self, progress: Progress) -> None:
        """Remember the latest progress (called by the App's message handler)."""
        if self.current is not None:
            self.current.progress = progress
            self.current.progress_at = time.monotonic()

    def ended(self) -> None:
        """Forget the task (finished, cancelled or failed)."""
        self.current = None

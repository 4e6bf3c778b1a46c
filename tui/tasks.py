"""Provides the task runner: long core work (sync, discover, classify) in a thread worker, reported as messages.

A task is a typed reference to a function with the ``TaskFunction`` signature; the three the
app offers (``sync_task``, ``classify_task``, ``discover_task``) call ``core`` and import it
when they run, so the app opens without loading the network stack, while mypy still checks
each call against the core function's signature. The runner runs one task at a time in a
thread worker of the App (``exit_on_error=False``, group ``tasks``), turns each
``core.progress.Progress`` into a ``TaskProgressed`` message, stops it through a
``CancelToken`` on request, and posts ``TaskFinished`` or ``TaskCancelled``. Failures reach the
App's one error handler through the worker's ERROR state.

Heavy work asks first: ``TaskRunner.request`` counts what a task would touch (``TaskSpec.plan``,
in a worker) and shows that count in a confirmation before starting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

from core.errors import Cancelled
from core.progress import CancelToken, Progress, ProgressCallback
from core.words import plural
from tui.messages import TaskCancelled, TaskFinished, TaskPlanned, TaskProgressed

if TYPE_CHECKING:
    from cache.store import CacheStore
    from core.classify.service import ClassifyReport
    from core.config import Settings
    from core.mining.discover import DiscoverReport
    from core.mining.sync import SyncReport
    from tui.app import PtlmApp


class TaskReport(Protocol):
    """What a task returns: something that can say in one line what it did."""

    def summary(self) -> str:
        """One line for the status bar and the notification."""
        ...


class TaskFunction(Protocol):
    """The signature every background task has."""

    def __call__(
        self,
        store: CacheStore,
        settings: Settings,
        families: list[str] | None,
        *,
        on_progress: ProgressCallback,
        cancel: CancelToken,
    ) -> TaskReport: ...


def sync_task(
    store: CacheStore,
    settings: Settings,
    families: list[str] | None,
    *,
    on_progress: ProgressCallback,
    cancel: CancelToken,
) -> SyncReport:
    """Fetch the new commits of ``families`` (None: all), as ``ptlm-tui sync`` does."""
    from core.mining.sync import sync

    return sync(store, settings, families, on_progress=on_progress, cancel=cancel)


def classify_task(
    store: CacheStore,
    settings: Settings,
    families: list[str] | None,
    *,
    on_progress: ProgressCallback,
    cancel: CancelToken,
) -> ClassifyReport:
    """Label the commits of ``families`` that still need a label, with the configured backend."""
    from core.classify.service import classify

    return classify(
        store,
        settings,
        families,
        backend=settings.classify.backend,
        pending_only=True,
        on_progress=on_progress,
        cancel=cancel,
    )


def discover_task(
    store: CacheStore,
    settings: Settings,
    families: list[str] | None,
    *,
    on_progress: ProgressCallback,
    cancel: CancelToken,
) -> DiscoverReport:
    """Find model families on the Hub (``families`` is unused: discovery looks for new ones)."""
    from core.mining.discover import discover

    return discover(store, settings, on_progress=on_progress, cancel=cancel)


@dataclass(frozen=True)
class TaskPlan:
    """What a task would do, counted before asking: ``count`` 0 means there is nothing to do."""

    count: int
    question: str  # "Sync 182 repositories of 30 families from the Hub and GitHub?"
    nothing: str = ""  # said instead of asking when ``count`` is 0
    action: str = "Start"  # the confirming button's label


PlanFunction = Callable[["CacheStore", "Settings", "list[str] | None"], TaskPlan]


def _whose(families: list[str] | None, store: CacheStore) -> str:
    if families:
        return plural(len(families), "family") if len(families) > 1 else families[0]
    from core.views.families import family_count

    return "all " + plural(family_count(store), "family")


def plan_sync(store: CacheStore, settings: Settings, families: list[str] | None) -> TaskPlan:
    """Count the repositories a sync of ``families`` would fetch."""
    from core.mining.sync import plan_units

    units, skipped = plan_units(store, families)
    them = "it" if len(skipped) == 1 else "them"
    monorepos = f" ({plural(len(skipped), 'monorepo family')} left out: name {them} to sync)" if skipped else ""
    return TaskPlan(
        len(units),
        f"Sync {plural(len(units), 'repository')} of {_whose(families, store)} from the Hub and GitHub?{monorepos}",
        "Nothing to sync: no family in the cache has a repository yet (N discovers families).",
        "Sync",
    )


def plan_classify(store: CacheStore, settings: Settings, families: list[str] | None) -> TaskPlan:
    """Count the commits a classify run of ``families`` would label (those still without a label)."""
    from core.classify.service import count_pending

    pending, total = count_pending(store, settings, families)
    backend = "a local model (Ollama)" if settings.classify.backend == "ollama" else "the rules"
    kept = f" {total - pending:,} already labelled stay as they are." if total - pending else ""
    return TaskPlan(
        pending,
        f"Label {plural(pending, 'unlabelled commit')} of {_whose(families, store)} with {backend}?{kept}",
        f"Nothing to label: all {plural(total, 'commit')} of {_whose(families, store)} already have a label.",
        "Label",
    )


def plan_discover(store: CacheStore, settings: Settings, families: list[str] | None) -> TaskPlan:
    """Say what discovery would list (it cannot know how many models the Hub has before asking)."""
    from core.views.families import family_count

    tags = settings.hub.pipeline_tags
    shown = ", ".join(tags[:3]) + (f" and {len(tags) - 3} more" if len(tags) > 3 else "")
    known = family_count(store)
    downloads = f" with at least {settings.hub.min_downloads:,} downloads" if settings.hub.min_downloads else ""
    return TaskPlan(
        len(tags),
        f"Discover families on the Hub: list models tagged {shown}{downloads}, and read the card of each "
        f"new or changed model? The cache knows {plural(known, 'family')} now.",
        "Nothing to discover: no pipeline tag is configured (hub.pipeline_tags).",
        "Discover",
    )


@dataclass(frozen=True)
class TaskSpec:
    """What a background task runs, when it may run, and how it counts its work before asking."""

    id: str
    title: str
    run: TaskFunction
    plan: PlanFunction | None = None  # None: starts without asking
    network: bool = False  # refused with --offline


SYNC = TaskSpec("sync", "Sync", sync_task, plan_sync, network=True)
DISCOVER = TaskSpec("discover", "Discover", discover_task, plan_discover, network=True)
CLASSIFY = TaskSpec("classify", "Classify", classify_task, plan_classify)


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
        return None

    def request(self, spec: TaskSpec, families: list[str] | None = None) -> None:
        """Start ``spec`` on ``families``, asking first when it is heavy.

        A task with a ``plan`` that touches more than one family (``families`` None or longer
        than one) is counted in a worker first; the count is shown in a confirmation
        (``TaskPlanned``, handled by the App), and nothing starts without a yes.
        """
        reason = self.refusal(spec)
        if reason:
            self.app.notify(reason, severity="warning", markup=False)
            return
        if spec.plan is None or (families is not None and len(families) <= 1):
            self.start(spec, families)
            return
        plan, app = spec.plan, self.app

        def count() -> None:
            settings = app.task_settings(prepare=spec.network)
            planned = plan(app.store, settings, families)
            if app.demo and spec.network:
                note = (
                    "\n\nDemo: from the built-in demo source (invented repositories on this machine), not the internet."
                )
                planned = replace(planned, question=planned.question + note)
            app.post_message(TaskPlanned(spec, families, planned))

        self.app.run_worker(
            count,
            name=f"plan-{spec.id}",
            group="plan",
            description=f"counting what {spec.title} would do",
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )

    def start(self, spec: TaskSpec, families: list[str] | None = None) -> bool:
        """Start ``spec`` on ``families`` (None: all) now; return False and notify when it cannot start."""
        reason = self.refusal(spec)
        if reason:
            self.app.notify(reason, severity="warning", markup=False)
            return False
        running = RunningTask(spec, families, CancelToken())
        self.current = running
        self.app.run_worker(
            lambda: self._body(running),
            name=spec.id,
            group="tasks",
            description=spec.title,
            thread=True,
            exit_on_error=False,
        )
        self.app.refresh_status()
        return True

    def _body(self, running: RunningTask) -> str:
        """Run in the worker thread: call the core function, report through messages."""
        spec, app = running.spec, self.app

        def on_progress(progress: Progress) -> None:
            app.post_message(TaskProgressed(spec.id, progress))

        try:
            settings = app.task_settings(prepare=True, on_progress=on_progress)
            report = spec.run(app.store, settings, running.families, on_progress=on_progress, cancel=running.cancel)
        except Cancelled:
            app.post_message(TaskCancelled(spec.id, spec.title))
            return ""
        summary = report.summary()
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

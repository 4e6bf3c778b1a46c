"""Provides PtlmApp, the terminal app, and make_app(), its factory.

The App holds the services (settings, cache), the families view loaded in parts by a thread
worker, the background-task runner and the one error handler. Screens read the view and
subscribe to ``view_changed`` and ``status_changed``; workers only post messages.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

import polars as pl
from textual import on, work
from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.events import Resize
from textual.screen import Screen
from textual.signal import Signal
from textual.worker import Worker, WorkerState, get_current_worker

from cache.store import CacheStore
from core.config import Settings
from core.progress import ProgressCallback
from core.views.families import empty_view, keep_families, merge_view, stale_families
from tui.bindings import as_bindings, commands_for, unknown_keymap_ids
from tui.commands import RegistryCommands
from tui.failures import report_failure
from tui.messages import FamiliesLoaded, LabelChanged, TaskCancelled, TaskFinished, TaskPlanned, TaskProgressed
from tui.safe import clean
from tui.screens.base import BaseScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.families import FamiliesScreen
from tui.screens.help import HelpScreen
from tui.tasks import CLASSIFY, DISCOVER, SYNC, TaskRunner
from tui.widgets.confirm import ConfirmModal
from tui.widgets.status_bar import StatusState

if TYPE_CHECKING:
    from core.demo.source import DemoSource

MIN_WIDTH, MIN_HEIGHT = 80, 24
# How often the app asks the cache whether another process (sync, classify, label in another
# terminal) wrote to it; reading the table versions is a directory listing per table.
CACHE_POLL_SECONDS = 2.0
LOAD_STEPS = {
    "index": "reading commits…",
    "published": "reading commits…",
    "drift": "reading commits…",
    "activity": "finding hand-offs…",
    "handoffs": "",
}
LAST_PART = "handoffs"


def utc_now() -> dt.datetime:
    """The real clock (tests and screenshots pass a fixed one)."""
    return dt.datetime.now(dt.UTC)


class PtlmApp(App[int], inherit_bindings=False):
    """Families of Hugging Face models and their GitHub repository, side by side."""

    TITLE = "ptlm-tui"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = list(as_bindings(commands_for("app")))
    COMMANDS = App.COMMANDS | {RegistryCommands}
    MODES: ClassVar = {"families": FamiliesScreen, "dashboard": DashboardScreen}
    DEFAULT_MODE = "families"

    def __init__(
        self,
        settings: Settings,
        store: CacheStore,
        *,
        demo: bool = False,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.store = store
        self.demo = demo
        self.clock = clock or utc_now
        self.view: pl.DataFrame = empty_view()
        self.view_parts: set[str] = set()  # parts that have arrived at least once
        self.current_parts: set[str] = set()  # parts of the load in progress (``generation``)
        # Families named by the parts of the load in progress: when its last part lands, rows of
        # families no longer in the cache (deleted, or demo data replaced) are dropped.
        self.load_families: list[pl.Series] = []
        self.generation = 0
        self.labels_version = 0
        self.stale_count = 0
        self.cache_written: dt.datetime | None = None
        self.tasks = TaskRunner(self)
        self.loading = "reading families…"
        self.note = ""
        self.load_seconds: dict[str, float] = {}
        self.view_changed: Signal[pl.DataFrame] = Signal(self, "view-changed")
        self.status_changed: Signal[StatusState] = Signal(self, "status-changed")
        self._readers: ThreadPoolExecutor | None = None
        self.cache_versions: dict[str, int] | None = None  # table versions the view was read at
        self.demo_source: DemoSource | None = None  # the demo's GitHub and Hub, started on first use
        self.drift_pending: set[str] = set()  # families whose drift figures are being computed

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables plus the app's marks, each checked for contrast (``tui.contrast``)."""
        from tui.contrast import mark_variables

        variables = super().get_css_variables()
        theme = self.current_theme
        variables.update(mark_variables(variables, dark=theme.dark, ansi=theme.ansi))
        self.theme_variables = variables
        return variables

    @property
    def readers(self) -> ThreadPoolExecutor:
        """Threads for reads a screen starts before it exists (see ``read_family``); polars releases the GIL."""
        if self._readers is None:
            self._readers = ThreadPoolExecutor(max_workers=2, thread_name_prefix="ptlm-read")
        return self._readers

    def on_unmount(self) -> None:
        if self._readers is not None:
            self._readers.shutdown(wait=False, cancel_futures=True)
        if self.demo_source is not None:
            self.demo_source.stop()

    # -- start --------------------------------------------------------------------------------

    def on_mount(self) -> None:
        keymap = dict(self.settings.ui.keymap)
        unknown = unknown_keymap_ids(keymap)
        if unknown:
            self.notify(
                "Unknown ids in [ui.keymap]: "
                + clean(", ".join(unknown), single_line=True, limit=200)
                + " (see ? for the ids)",
                severity="warning",
                markup=False,
            )
        self.set_keymap({k: v for k, v in keymap.items() if k not in unknown})
        self.theme = self._initial_theme()
        self._check_size(self.size.width, self.size.height)
        if self.demo:
            self.notify(
                "These are generated demo families, not real ones. Import or sync your own to replace them.",
                title="Demo data",
                markup=False,
                timeout=8,
            )
        self.load_data(self.generation)
        self.set_interval(CACHE_POLL_SECONDS, self.poll_cache, name="poll-cache")

    @work(thread=True, exclusive=True, group="poll", exit_on_error=False, description="checking the cache")
    def poll_cache(self) -> None:
        """Reload what is on screen when another process changed the cache since it was read."""
        seen = self.cache_versions
        if seen is None or self.tasks.current is not None:
            return  # still loading, or our own task is writing (it reloads when it ends)
        versions = self.store.versions()
        if versions != seen:
            self.call_from_thread(self.cache_changed, versions)

    def cache_changed(self, versions: dict[str, int]) -> None:
        """Another process wrote to the cache: read the families view and the open family again."""
        if self.cache_versions == versions:
            return
        self.cache_versions = versions
        self.labels_version += 1  # screens that show labels read them again when shown
        self.reload()
        load = getattr(self.screen, "load", None)
        if getattr(self.screen, "family", None) is not None and callable(load):
            load()

    def _initial_theme(self) -> str:
        wanted = self.settings.ui.theme
        explicit = "theme" in self.settings.ui.model_fields_set
        if not explicit and self.console.color_system == "standard":
            # 16 colours (TERM=xterm over SSH, no COLORTERM): the ANSI theme uses the
            # terminal's own palette instead of approximating hex colours badly.
            return "ansi-dark"
        if wanted not in self.available_themes:
            self.notify(
                f"Unknown theme {clean(wanted, single_line=True, limit=40)!r}; using textual-dark", markup=False
            )
            return "textual-dark"
        return wanted

    # -- data ---------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False, description="reading the cache")
    def load_data(self, generation: int) -> None:
        """Read the families view in parts, posting each as it lands."""
        from core.analysis.service import load_events
        from core.views.families import family_activity, family_drift, family_handoffs, family_index
        from core.views.published import family_published

        worker = get_current_worker()
        store, analysis, now = self.store, self.settings.analysis, self.clock()
        started = time.perf_counter()
        self.cache_versions = store.versions()
        written = store.commits_written_at()
        index = family_index(store)
        self.post_message(FamiliesLoaded("index", index, generation, time.perf_counter() - started, written))
        # The study's verdicts (import-study) are a small table: shown before the commits are read.
        published = family_published(store)
        self.post_message(FamiliesLoaded("published", published, generation, time.perf_counter() - started))
        # Behind and Files come from the drift summary the cache keeps: one small table.
        drift = family_drift(store)
        self.post_message(FamiliesLoaded("drift", drift, generation, time.perf_counter() - started))
        events = load_events(store, analysis)
        if worker.is_cancelled:
            return
        activity = family_activity(events, analysis, now)
        self.post_message(FamiliesLoaded("activity", activity, generation, time.perf_counter() - started))
        if worker.is_cancelled:
            return
        handoffs = family_handoffs(events, analysis, now)
        self.post_message(FamiliesLoaded("handoffs", handoffs, generation, time.perf_counter() - started))
        # Last: figures missing only after an interrupted run or an earlier release's cache.
        self.summarise_missing_drift(drift)

    def summarise_missing_drift(self, figures: pl.DataFrame) -> None:
        """Compute the drift figures of families that have none, or older ones than their last sync, in the background.

        A cache written by an earlier release, or a sync another process stopped before it
        summarised, has them missing; the list shows "…" there until they land.
        """
        from core.drift.digest import families_to_refresh

        missing = families_to_refresh(self.store, figures)
        if missing:
            self.call_from_thread(self._summarise, missing)

    def _summarise(self, families: list[str]) -> None:
        self.drift_pending = set(families)
        self.summarise_drift(families, self.generation)

    @work(thread=True, exclusive=True, group="drift", exit_on_error=False, description="summarising drift")
    def summarise_drift(self, families: list[str], generation: int) -> None:
        """Compute and store the drift figures of ``families``, then show them (the rest of the view stays)."""
        from core.drift.digest import refresh_drift_summary
        from core.views.families import family_drift

        started = time.perf_counter()
        refresh_drift_summary(self.store, families)
        figures = family_drift(self.store)
        versions = self.store.versions()  # our own write: not a change from another process
        self.call_from_thread(self._drift_summarised, versions)
        self.post_message(FamiliesLoaded("drift", figures, generation, time.perf_counter() - started))

    def _drift_summarised(self, versions: dict[str, int]) -> None:
        self.drift_pending = set()
        if self.cache_versions is not None:
            self.cache_versions = {**self.cache_versions, "drift_summary": versions.get("drift_summary", -1)}

    def on_families_loaded(self, message: FamiliesLoaded) -> None:
        if message.generation != self.generation:
            return  # a reload superseded this part
        self.view = merge_view(self.view, message.frame)
        self.view_parts.add(message.part)
        self.current_parts.add(message.part)
        if message.part == "index":
            self.load_families = []
        self.load_families.append(message.frame["family"])
        if message.part == LAST_PART:
            self.view = keep_families(self.view, self.load_families)
        self.load_seconds[message.part] = message.seconds
        self.loading = LOAD_STEPS.get(message.part, "")
        if message.part == "index":
            self.cache_written = message.written_at
            stale = stale_families(self.view, self.settings.cache.stale_after_days, self.clock())
            self.stale_count = 0 if self.demo else int(stale.sum())  # demo data is marked DEMO instead
        self.view_changed.publish(self.view)
        self.refresh_status()

    def reload(self) -> None:
        """Read everything again: the one entry point when the cache may have changed.

        Called when a background task ends, on Ctrl+R, and by anything that learns the cache
        was written by another process. The families view is read again in parts (screens
        follow ``view_changed``); the screen on top re-reads what it shows now
        (``BaseScreen.refresh_data``), and the screens under it do when they are shown again
        (they compare their ``data_generation`` with ``generation``).
        """
        self.generation += 1
        self.current_parts = set()
        self.loading = "reading families…"
        self.refresh_status()
        self.load_data(self.generation)
        screen = self.screen
        if isinstance(screen, BaseScreen) and screen.is_mounted:
            screen.refresh_data()

    def view_complete(self) -> bool:
        """True when every part of the families view has arrived for the latest read of the cache."""
        return set(LOAD_STEPS) <= self.current_parts

    # -- status -------------------------------------------------------------------------------

    def status_state(self) -> StatusState:
        """Return what the status bars show now."""
        running = self.tasks.current
        return StatusState(
            now=self.clock(),
            demo=self.demo,
            offline=self.settings.offline,
            cache_written=self.cache_written,
            stale_families=self.stale_count,
            stale_after_days=self.settings.cache.stale_after_days,
            loading=self.loading,
            task_title=running.spec.title if running else "",
            progress=running.progress if running else None,
            progress_at=running.progress_at if running else 0.0,
            note=self.note,
        )

    def refresh_status(self) -> None:
        """Publish the status to every status bar."""
        self.status_changed.publish(self.status_state())

    # -- background work ----------------------------------------------------------------------

    def on_task_progressed(self, message: TaskProgressed) -> None:
        self.tasks.progressed(message.progress)
        self.refresh_status()

    def task_settings(self, *, prepare: bool = False, on_progress: ProgressCallback | None = None) -> Settings:
        """Return the settings background tasks run with.

        On the demo they point at the demo source (``core.demo.source``): its GitHub
        repositories and its Hub on 127.0.0.1, built and started here on first use
        (``prepare``, from a worker thread), so sync and discover run for real on invented data.
        """
        if not self.demo:
            return self.settings
        from core.demo.source import DemoSource, source_dir

        if self.demo_source is None:
            self.demo_source = DemoSource(source_dir(self.store.root))
        if not prepare and self.demo_source.hub is None:
            return self.settings
        self.demo_source.start(on_progress)
        return self.demo_source.settings(self.settings)

    def demo_repositories(self) -> Callable[[str, str], Path | None] | None:
        """On the demo, where its repositories are (every version, offline: the diff reads them); else None."""
        if not self.demo:
            return None
        from core.demo.source import DemoSource, source_dir

        if self.demo_source is None:
            self.demo_source = DemoSource(source_dir(self.store.root))
        return self.demo_source.repository

    def on_task_planned(self, message: TaskPlanned) -> None:
        plan, spec, families = message.plan, message.spec, message.families
        if plan.count == 0:
            self.notify(clean(plan.nothing, limit=300), title=spec.title, markup=False)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.tasks.start(spec, families)

        self.push_screen(ConfirmModal(spec.title, plan.question, plan.action), answered)

    def on_task_finished(self, message: TaskFinished) -> None:
        self.tasks.ended()
        self.note = f"{message.title}: {message.summary}"
        self.notify(clean(message.summary, limit=300), title=message.title, markup=False)
        self.reload()

    def on_task_cancelled(self, message: TaskCancelled) -> None:
        self.tasks.ended()
        kept = f" ({message.summary})" if message.summary else ""
        self.note = f"{message.title} cancelled; work finished so far is kept{kept}"
        self.notify(clean(self.note, limit=300), title="Cancelled", severity="warning", markup=False)
        self.reload()

    @on(LabelChanged)
    def label_changed(self, message: LabelChanged) -> None:
        self.labels_version += 1

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if event.state != WorkerState.ERROR or worker.error is None:
            return
        if worker.group == "tasks":
            self.tasks.ended()
        if worker.group == "load":
            self.loading = ""
        report_failure(self, worker.error, worker.description)
        self.refresh_status()

    # -- actions ------------------------------------------------------------------------------

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            scope = getattr(self.screen, "SCOPE", "")  # screens and dialogs (the proposal) name theirs
            self.push_screen(HelpScreen(scope))

    async def action_show_families(self) -> None:
        """Go to the families list from anywhere: leave the dashboard, close every screen above the list."""
        if self.current_mode != "families":
            await self.switch_mode("families")
        while len(self.screen_stack) > 1 and not isinstance(self.screen, FamiliesScreen):
            await self.pop_screen()

    async def action_show_dashboard(self) -> None:
        await self.switch_mode("dashboard")

    def _shown_families(self) -> list[str] | None:
        """The families a heavy action covers: those a filter shows on the families list, else all (None)."""
        screen = self.screen
        if isinstance(screen, FamiliesScreen):
            return screen.filtered_families()
        return None

    def action_sync_all(self) -> None:
        self.tasks.request(SYNC, self._shown_families())

    def action_discover(self) -> None:
        self.tasks.request(DISCOVER)

    def action_classify_all(self) -> None:
        self.tasks.request(CLASSIFY, self._shown_families())

    def action_cancel_task(self) -> None:
        if not self.tasks.cancel():
            self.notify("Nothing is running.", markup=False)
            return
        self.note = "cancelling…"
        self.refresh_status()

    def action_reload(self) -> None:
        self.reload()

    def action_choose_theme(self) -> None:
        """Open the theme picker: the same one as the command palette's (Textual's), with live preview."""
        self.search_themes()

    async def action_quit(self) -> None:
        self.exit(0)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        # Quit, the key panel and the theme picker are in the registry (and the help screen), so
        # the palette offers each once; keep screenshot and the rest.
        for command in super().get_system_commands(screen):
            if command.title not in {"Quit", "Keys", "Theme"}:
                yield command

    # -- small terminals ----------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._check_size(event.size.width, event.size.height)

    def _check_size(self, width: int, height: int) -> None:
        self.set_class(width < MIN_WIDTH or height < MIN_HEIGHT, "-too-small")


def make_app(
    settings: Settings,
    store: CacheStore,
    *,
    demo: bool = False,
    clock: Callable[[], dt.datetime] | None = None,
) -> PtlmApp:
    """Return the app wired to its services (tests pass their own cache and a fixed clock).

    Args:
        settings: Effective settings (theme, keymap, offline, method).
        store: The cache to browse.
        demo: The cache holds generated demo data; the app says so on every screen.
        clock: Returns "now" (UTC); ages and staleness are counted to it. A demo without one
            counts to the day the demo was generated for, so its ages read as written
            ("3 days ago") instead of growing with the real calendar.
    """
    if demo and clock is None:
        from core.demo import REFERENCE

        def clock() -> dt.datetime:
            return REFERENCE

    return PtlmApp(settings=settings, store=store, demo=demo, clock=clock)

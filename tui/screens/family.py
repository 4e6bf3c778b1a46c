"""Provides FamilyScreen: the family's timeline, why it has its pattern, and its commits of both platforms.

Everything is read in one thread worker (timeline cells, the family's pattern figures and the
light commit list) and shown when it lands. The bin cursor on the timeline and the commit
list follow each other: moving through time puts the list on the newest commit of that bin.
"""

from __future__ import annotations

import time
from concurrent.futures import Future
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import polars as pl
from rich.text import Text
from textual import on, work
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Footer, Input, Static

from core.explain import Explanation
from core.models import GITHUB, HUGGINGFACE, PLATFORM_SHORT
from core.views.change_types import change_type_summary
from core.views.drift import LAST_UPDATE, mark_last_updates
from core.views.families import STATUS_STUDY_ONLY
from core.views.family import FamilyOverview
from core.views.timeline import Timeline
from core.words import plural
from tui.bindings import as_bindings, commands_for
from tui.formatting import NONE, date, sync_problem_text
from tui.safe import clean, plain
from tui.screens.family_drift import FamilyDriftBase
from tui.tasks import CLASSIFY, SYNC
from tui.widgets.columns import Column
from tui.widgets.drift_view import DriftView
from tui.widgets.frame_table import FrameTable
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline import ACTIVE, EMPTY, SHARED, TimelineView
from tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from tui.app import PtlmApp

PLATFORM_CYCLE = (None, GITHUB, "huggingface")
DRIFT_TOP_MIN_HEIGHT = 40  # terminal rows below which the Drift view takes the timeline's place


@dataclass(frozen=True)
class FamilyReads:
    """The two reads of a family screen, running side by side on the App's reader threads."""

    overview: Future[FamilyOverview]
    commits: Future[pl.DataFrame]


def read_family(app: PtlmApp, family: str) -> FamilyReads:
    """Start reading ``family`` (timeline and explanation; commit list) and return the futures.

    Called on Enter, before the screen is built, so the reads overlap building it. Errors
    surface when the screen's worker takes the results, and go to the App's error handler.
    """
    from core.views.commits import family_commits
    from core.views.families import pattern_row
    from core.views.family import family_overview

    settings = app.settings.analysis
    view = app.view
    row = view.filter(pl.col("family") == family) if view.height else view
    monorepo = bool(row["monorepo"].any()) if row.height else False
    # The families view already holds the verdict's figures (unless it is being read again);
    # the screen only reads the timeline.
    known = pattern_row(view, family) if app.view_complete() else None
    repos = family_repos(row.row(0, named=True) if row.height else {})
    return FamilyReads(
        app.readers.submit(family_overview, app.store, settings, family, monorepo=monorepo, pattern=known, repos=repos),
        app.readers.submit(family_commits, app.store, family, until=settings.until),
    )


def family_repos(row: dict[str, Any]) -> list[tuple[str, str]]:
    """Return ``(platform, repo)`` of a families-view row: its GitHub repository and every variant it counts."""
    repos = [(GITHUB, str(row["gh_repo"]))] if row.get("gh_repo") else []
    return repos + [(HUGGINGFACE, model) for model in str(row.get("models") or "").split()]


def explanation_text(
    explanation: Explanation,
    study: list[str] | None = None,
    change_types: list[str] | None = None,
    *,
    study_only: int | None = None,
) -> Text:
    """Return the "why this pattern" panel's text; names in it come from the cache and are cleaned.

    ``study`` holds the study's published record of the family (see
    ``core.views.published.published_sentences``), shown after our own verdict, and
    ``change_types`` what the family's commits changed (``core.views.change_types``).
    ``study_only`` is set (to its number of variants) for a family known only from the study.
    """
    if study_only is not None:
        text = Text(f"From the study: {plural(study_only, 'variant')}, no commits in the cache yet", style="bold")
        text.append(
            "\nThe cache holds this family's variants and GitHub link from import-study, but none of their "
            "commits: s syncs them, and the pattern is then computed here as well.",
            style="",
        )
        for title, lines in (("Study", study),):
            if lines:
                text.append(f"\n\n{title}", style="bold underline")
                for line in lines:
                    text.append("\n" + clean(line, single_line=True))
        return text
    text = Text(clean(explanation.headline, single_line=True), style="bold", end="")
    for step in explanation.steps:
        text.append("\n")
        text.append(step.dimension + " ", style="bold underline")
        text.append(clean(step.evidence, single_line=True) + " → ")
        text.append(clean(step.outcome, single_line=True), style="bold")
    for note in explanation.notes:
        text.append("\n• " + clean(note, single_line=True), style="italic")
    for title, lines in (("Change types", change_types), ("Study", study)):
        if lines:
            text.append(f"\n\n{title}", style="bold underline")
            for line in lines:
                text.append("\n" + clean(line, single_line=True))
    return text


class FamilyScreen(FamilyDriftBase):
    """One family: timeline, explanation, commits."""

    SCOPE = "family"
    BINDING_GROUP_TITLE = "Family"
    BINDINGS: ClassVar[list[BindingType]] = list(as_bindings(commands_for("family")))
    AUTO_FOCUS = "#commits"

    @dataclass
    class TimelineLoaded(Message):
        """The family's timeline and explanation were read (the commits follow)."""

        family: str
        timeline: Timeline
        explanation: Explanation
        seconds: float
        study: list[str]

    @dataclass
    class Loaded(Message):
        """The family's commits were read: the screen is complete."""

        family: str
        commits: pl.DataFrame
        seconds: float

    @dataclass
    class ChangeTypesCounted(Message):
        """The family's change types per platform were summarised (after the commits are shown)."""

        family: str
        sentences: list[str]

    @dataclass
    class Searched(Message):
        """The commit list now shows ``rows`` of ``total`` commits for ``text``."""

        text: str
        rows: int
        total: int

    def __init__(self, family: str, prefetch: FamilyReads | None = None) -> None:
        super().__init__()
        self.family = family
        self.prefetch = prefetch  # reads started when Enter was pressed, before this screen existed
        self.commits: pl.DataFrame = pl.DataFrame()
        self.platform: str | None = None
        self.search = ""
        self.labels_version = -1
        self.loaded = False
        self.reloading = False  # a reload keeps the cursors where the user left them
        self.why_parts: tuple[Explanation, list[str]] | None = None  # kept to add the change types
        self.names: dict[str, str] = {}  # variant → its short name in the commit list
        self.drift_stale = False  # the cache was read again: the Drift view follows the new commits
        self.top_text: tuple[int, Text] | None = None  # timeline rows and explanation, to size the top

    def compose(self) -> ComposeResult:
        gh_repo = self._row().get("gh_repo")
        yield TitleBar("Families", self.family + (f" ({gh_repo})" if gh_repo else ""))
        yield Static("", id="sync-note", markup=False)
        yield Static("", id="pr-note", markup=False)
        with Horizontal(id="family-top"):
            yield TimelineView(id="timeline")
            with VerticalScroll(id="why"):
                yield Static("Reading the family…", id="why-text", markup=False)
        yield Static("", id="bin-info", markup=False)
        with Horizontal(id="search-bar"):
            yield Static("/", id="search-prompt", markup=False)
            yield SearchInput(placeholder="title, sha, change type or variant (Esc clears)", id="search", compact=True)
            yield Static("", id="search-count", markup=False)
        yield FrameTable(self._columns(), key=None, empty_text="Reading commits…", id="commits")
        yield DriftView(id="drift")
        yield StatusBar()
        yield Footer(compact=True)

    def _row(self) -> dict[str, Any]:
        """The family's row of the App's families view (empty when it is not there)."""
        view = self.ptlm.view
        if view.height:
            match = view.filter(pl.col("family") == self.family)
            if match.height:
                return match.row(0, named=True)
        return {}

    def _columns(self, repo_width: int = 18) -> list[Column]:
        names = self.names

        def when(value: Any, row: dict[str, Any]) -> Text:
            return Text(date(value), end="")

        def platform(value: Any, row: dict[str, Any]) -> Text:
            return Text(PLATFORM_SHORT.get(value, "?"), end="")

        def variant(value: Any, row: dict[str, Any]) -> Text:
            repo = str(value or "")
            return plain(names.get(repo) or repo.rpartition("/")[2])

        def title(value: Any, row: dict[str, Any]) -> Text:
            if row.get(LAST_UPDATE):  # the variant's newest HF commit: where it last moved
                mark = self.query_one(DriftView).get_component_rich_style("drift--in-sync")
                return Text.assemble(("◆ HF last updated here", mark), " · ", plain(value), end="")
            return plain(value)

        def label(value: Any, row: dict[str, Any]) -> Text:
            if value is None:
                return Text(NONE, style="dim", end="")
            mark = "*" if row.get("label_source") == "manual" else ""
            return plain(f"{value}{mark}")

        return [
            Column("authored_at", "Date", 10, format=when, sortable=False),
            Column("platform", "", 2, format=platform, sortable=False),
            Column(
                "repo",
                "Repository",
                repo_width,
                min(8, repo_width),
                format=variant,
                max_width=repo_width,
                sortable=False,
                tooltip="The variant, without the prefix the family's variants share",
            ),
            Column(
                "label", "Change type", 23, format=label, tooltip="* set by hand; — not labelled yet", sortable=False
            ),
            Column(
                "title",
                "Title",
                60,
                12,
                format=title,
                max_width=1000,
                sortable=False,
                tooltip="◆ HF last updated here: the variant's newest Hugging Face commit",
            ),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#search-bar").display = False
        self.query_one(DriftView).display = False
        self._show_sync_note()
        self.load()
        self.read_open_prs()

    def refresh_data(self) -> None:
        """Read the family again (a task finished, Ctrl+R, or the cache changed), keeping the cursors."""
        self.data_generation = self.ptlm.generation
        self.reloading = self.loaded
        self._show_sync_note()
        self.load()
        self.read_open_prs()
        self.drift_stale = True  # read again once the commits are

    def on_screen_resume(self) -> None:
        # A label set on the commit screen changes the list; read it again.
        if self.loaded and self.labels_version != self.ptlm.labels_version:
            self.data_generation = self.ptlm.generation
            self.reloading = True
            self.load()
            return
        super().on_screen_resume()

    def _show_sync_note(self) -> None:
        """Above the timeline, say why the family is marked "!": its last failed sync and what to do."""
        note = self.query_one("#sync-note", Static)
        text = sync_problem_text(self._row(), self.ptlm.clock()) if self._row().get("sync_problem") else ""
        note.display = bool(text)
        note.update(plain(text.removeprefix("! "), single_line=False, limit=400))

    @work(thread=True, exclusive=True, group="family", exit_on_error=False, description="reading the family")
    def load(self) -> None:
        """Wait for the family's reads (started by ``read_family``) and post each as it lands."""
        app, started = self.ptlm, time.perf_counter()
        version = app.labels_version
        reads, self.prefetch = self.prefetch or read_family(app, self.family), None
        overview = reads.overview.result()
        self.post_message(
            self.TimelineLoaded(
                self.family,
                overview.timeline,
                overview.explanation,
                time.perf_counter() - started,
                overview.study_sentences(),
            )
        )
        commits = reads.commits.result()
        self.labels_version = version
        self.post_message(self.Loaded(self.family, commits, time.perf_counter() - started))
        if commits.height:
            self.post_message(self.ChangeTypesCounted(self.family, change_type_summary(commits).sentences()))

    def on_family_screen_timeline_loaded(self, message: TimelineLoaded) -> None:
        timeline_view = self.query_one(TimelineView)
        rows = len(message.timeline.rows)
        self.query_one("#family-top").set_class(message.timeline.n_bins == 0, "no-timeline")
        why = explanation_text(message.explanation, message.study, study_only=self._study_only(message.timeline))
        self.top_text = (rows, why)
        self._fit_top()
        if timeline_view.timeline is None or timeline_view.timeline != message.timeline:
            timeline_view.set_timeline(message.timeline, keep_cursor=self.reloading)
        self.names = dict(timeline_view.names)
        self.why_parts = (message.explanation, message.study)
        self.query_one("#why-text", Static).update(why)
        self._update_info()

    def _fit_top(self) -> None:
        """Give the timeline and the explanation room for every row, up to half the screen (the rest scrolls).

        The Drift view needs the room more: with it the timeline takes a third of a tall
        terminal, and leaves a short one (under ``DRIFT_TOP_MIN_HEIGHT`` rows) to the Drift view.
        """
        top = self.query_one("#family-top")
        short = self.drift_shown and self.size.height < DRIFT_TOP_MIN_HEIGHT
        top.display = not short
        self.query_one("#bin-info").display = not short
        if self.top_text is None or short:
            return
        rows, why = self.top_text
        why_width = max(self.query_one("#why").scrollable_content_region.width, 10)
        why_lines = len(why.wrap(self.app.console, why_width))
        wanted = max(rows + 2, why_lines, 8)
        share = 3 if self.drift_shown else 2
        top.styles.height = max(min(wanted, self.size.height // share), 6)

    def on_resize(self) -> None:
        self._fit_top()

    def _study_only(self, timeline: Timeline) -> int | None:
        """The number of variants of a family the study published but the cache holds no commits of, else None."""
        row = self._row()
        if timeline.n_bins or row.get("status") != STATUS_STUDY_ONLY:
            return None
        return int(row.get("study_variants") or row.get("variants") or 0)

    def on_family_screen_change_types_counted(self, message: ChangeTypesCounted) -> None:
        if self.why_parts is not None:
            explanation, study = self.why_parts
            self.query_one("#why-text", Static).update(explanation_text(explanation, study, message.sentences))

    def on_family_screen_loaded(self, message: Loaded) -> None:
        self.loaded = True
        self.commits = mark_last_updates(message.commits)
        if self.drift_stale or (self.drift_shown and not self.drift_read):
            self.drift_stale = False
            self.reread_drift()
        table = self.query_one("#commits", FrameTable)
        table.empty_text = "No commits."
        if message.commits.height:
            repos = message.commits["repo"].unique().to_list()
            for repo in repos:
                self.names.setdefault(repo, repo.rpartition("/")[2] or repo)
            width = max((len(self.names.get(r, r)) for r in repos), default=10)
            table.set_columns(self._columns(max(min(width, 40), 10)))
        row = table.cursor_row if self.reloading else None
        self._show_commits(keep_row=row)
        view = self.query_one(TimelineView)
        if not self.reloading and view.timeline is not None and view.timeline.n_bins:
            view.watch_cursor(view.cursor)  # put the list on the cursor's bin
        self.reloading = False

    def _show_commits(self, keep_row: int | None = None) -> None:
        frame = self.commits
        if self.platform is not None and frame.height:
            frame = frame.filter(pl.col("platform") == self.platform)
        total = frame.height
        if self.search and frame.height:
            frame = frame.filter(commit_search(self.search, self.names))
        table = self.query_one("#commits", FrameTable)
        table.empty_text = "No commit matches the search." if self.search and total else "No commits."
        table.set_frame(frame, keep_cursor=False)
        if keep_row is not None and frame.height:
            table.cursor_row = min(keep_row, frame.height - 1)
        count = self.query_one("#search-count", Static)
        count.update(f"{frame.height:,} of {plural(total, 'commit')}" if self.search else "")
        self.post_message(self.Searched(self.search, frame.height, total))

    def _update_info(self) -> None:
        view = self.query_one(TimelineView)
        legend = f"{SHARED} shared  {ACTIVE} one side  {EMPTY} none · {view.scale_text()}"
        shown = {None: "both platforms", GITHUB: "GitHub only", "huggingface": "Hugging Face only"}[self.platform]
        width = max(self.query_one("#bin-info").scrollable_content_region.width, 20)
        cursor = view.describe_cursor()
        cursor = cursor if len(cursor) <= width else cursor[: width - 1] + "…"
        below = "drift: D commits" if self.drift_shown else f"commits: {shown} (p) · D drift"
        self.query_one("#bin-info", Static).update(f"{cursor}\n{legend} · {below}")

    @on(TimelineView.CursorMoved)
    def cursor_moved(self, event: TimelineView.CursorMoved) -> None:
        self._update_info()
        table = self.query_one("#commits", FrameTable)
        frame = table.frame
        if event.end is None or not frame.height or self.reloading:
            return
        # The list is newest first: the first commit before the bin's end is the newest in it.
        inside = frame.select(
            ((pl.col("authored_at") < event.end) & (pl.col("authored_at") >= event.start)).arg_max()
        ).item()
        if (
            inside is not None
            and frame["authored_at"][inside] < event.end
            and frame["authored_at"][inside] >= event.start
        ):
            table.cursor_row = int(inside)

    # -- actions ------------------------------------------------------------------------------

    def action_scroll_time(self, delta: int) -> None:
        self.query_one(TimelineView).move(delta)

    def action_scroll_rows(self, delta: int) -> None:
        self.query_one(TimelineView).scroll_relative(y=delta, animate=False)

    def action_zoom(self, step: int) -> None:
        self.query_one(TimelineView).zoom(step)
        self._update_info()

    def action_cycle_platform(self) -> None:
        if self.drift_shown:
            self.action_toggle_drift()  # the platform filter is the commit list's
        self.platform = PLATFORM_CYCLE[(PLATFORM_CYCLE.index(self.platform) + 1) % len(PLATFORM_CYCLE)]
        self._show_commits()
        self._update_info()

    def action_toggle_why(self) -> None:
        why = self.query_one("#why")
        why.display = not why.display

    def commits_loaded(self) -> bool:
        return self.loaded

    def drift_toggled(self) -> None:
        self._fit_top()
        self._update_info()

    def action_focus_search(self) -> None:
        if self.drift_shown:
            self.action_toggle_drift()  # the search is the commit list's
        box = self.query_one("#search", Input)
        if self.focused is box:
            raise SkipAction()  # "/" typed in the box is a character
        self.query_one("#search-bar").display = True
        self.set_focus(box)

    def action_back(self) -> None:
        """Esc: clear a commit search first (every commit shows again), else go back."""
        bar = self.query_one("#search-bar")
        if bar.display:
            box = self.query_one("#search", Input)
            if box.value:
                box.value = ""  # the box's watcher shows every commit again
            bar.display = False
            self.set_focus(self.query_one("#commits", FrameTable))
            return
        super().action_back()

    def search_changed(self, text: str) -> None:
        """Show the commits ``text`` matches (called by the search box as it changes)."""
        if self.is_mounted and text != self.search:
            self.search = text
            self._show_commits()

    def action_open_commit(self) -> None:
        self.query_one("#commits", FrameTable).action_select()

    @on(FrameTable.RowSelected, "#commits")
    def commit_selected(self, event: FrameTable.RowSelected) -> None:
        from tui.screens.commit import CommitScreen

        row = event.row
        self.app.push_screen(CommitScreen(self.family, str(row["platform"]), str(row["repo"]), str(row["key"])))

    # -- proposals (interim: the Drift view takes these over) ----------------------------------

    @work(thread=True, exclusive=True, group="family-prs", exit_on_error=False, description="reading proposals")
    def read_open_prs(self) -> None:
        """Say above the timeline which variants have an open pull request ("PR open")."""
        from core.propose.record import open_pr_by_variant

        prs = open_pr_by_variant(self.ptlm.store, self.family)
        lines = [
            f"PR open on {row['hf_repo']} ({plural(row['files'], 'file')}): {' '.join(row['pr_urls'])}"
            for row in prs.iter_rows(named=True)
        ]
        self.app.call_from_thread(self._show_prs, "\n".join(lines[:3]))

    def _show_prs(self, text: str) -> None:
        note = self.query_one("#pr-note", Static)
        note.display = bool(text)
        note.update(plain(text, single_line=False, limit=600))

    def action_propose(self) -> None:
        """P: the proposal for the highlighted commit's variant (the family's only variant from a GitHub commit)."""
        from tui.screens.propose import ProposeScreen

        table = self.query_one("#commits", FrameTable)
        row = table.frame.row(table.cursor_row, named=True) if table.frame.height else {}
        variant = str(row["repo"]) if row.get("platform") == HUGGINGFACE else ""
        models = str(self._row().get("models") or "").split()
        if not variant and len(models) == 1:
            variant = models[0]
        if not variant:
            self.notify("Highlight a commit of the variant to propose for, then press P.", markup=False)
            return
        self.app.push_screen(ProposeScreen(self.family, variant))

    def action_sync_family(self) -> None:
        self.ptlm.tasks.request(SYNC, [self.family])

    def action_classify_family(self) -> None:
        self.ptlm.tasks.request(CLASSIFY, [self.family])


class SearchInput(Input):
    """The commit search box: filters as the value changes; Enter goes back to the list."""

    def watch_value(self, value: str) -> None:
        screen = self.screen
        if isinstance(screen, FamilyScreen):
            screen.search_changed(value)

    async def action_submit(self) -> None:
        screen = self.screen
        if isinstance(screen, FamilyScreen):
            screen.set_focus(screen.query_one("#commits", FrameTable))


def commit_search(text: str, names: dict[str, str]) -> pl.Expr:
    """Return the commit search's filter: every word (any case) in the title, sha, change type or variant."""
    short = (
        pl.col("repo").replace_strict(names, default=pl.col("repo"), return_dtype=pl.String)
        if names
        else pl.col("repo")
    )
    haystack = pl.concat_str(
        [
            pl.col("title").fill_null(""),
            pl.col("sha").fill_null(""),
            pl.col("label").fill_null(""),
            pl.col("repo"),
            short,
        ],
        separator="\x1f",
    ).str.to_lowercase()
    expr = pl.lit(True)
    for word in text.lower().split():
        expr = expr & haystack.str.contains(word, literal=True)
    return expr

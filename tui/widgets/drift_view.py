"""Provides DriftView: the family screen's Drift view, what each variant is missing from GitHub, file by file.

Three lists (docs/method.md §8): the variants (Behind: GitHub commits since the variant's last
HF commit; Files: its HF files behind or diverged), the highlighted variant's linked HF files
with their state, and the GitHub commits the highlighted file lacks (on the variants list: the
commits since the variant last moved). Enter goes one step further: a variant's files, a
file's diff, a commit's page. Names, paths and titles come from strangers and go through
``tui.safe``.

``selection()`` says what is highlighted (family, variant, file): the hook for acting on it
(proposing the missing changes, issue 15, binds ``p`` in the ``drift`` scope).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl
from rich.text import Text
from textual import on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Static

from core.views.drift import DriftDetail, commits_lacking, commits_since
from core.words import plural
from tui.bindings import as_bindings, commands_for
from tui.formatting import NONE, count, date
from tui.safe import plain
from tui.widgets.columns import Column
from tui.widgets.frame_table import FrameTable

# How a state reads in the list (words, so it reads without colour) and its mark.
STATE_WORDS = {
    "hf_behind": ("behind", "drift--behind"),
    "diverged": ("diverged", "drift--diverged"),
    "hf_ahead": ("HF ahead", "drift--ahead"),
    "in_sync": ("in sync", "drift--in-sync"),
    "removed_on_gh": ("gone on GH", "drift--removed"),
    "removed_on_hf": ("gone on HF", "drift--removed"),
}


@dataclass(frozen=True)
class DriftSelection:
    """What the Drift view has highlighted: a variant, and a file of it when the files list has the focus."""

    family: str
    variant: str | None
    file: dict[str, Any] | None  # a ``core.views.drift.FILE_COLUMNS`` row


class DriftView(Vertical):
    """Variants, their linked files and the GitHub commits they lack."""

    BINDINGS: ClassVar[list[BindingType]] = list(as_bindings(commands_for("drift")))
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "drift--behind",
        "drift--diverged",
        "drift--ahead",
        "drift--in-sync",
        "drift--removed",
        "drift--pr",
    }
    DEFAULT_CSS = """
    DriftView { height: 1fr; }
    DriftView > .drift--behind { color: $mark-warning; text-style: bold; }
    DriftView > .drift--diverged { color: $mark-error; text-style: bold; }
    DriftView > .drift--ahead { color: $mark-accent; }
    DriftView > .drift--in-sync { color: $mark-shared; }
    DriftView > .drift--removed { color: $mark-empty; }
    DriftView > .drift--pr { text-style: bold; }
    DriftView #drift-note { height: auto; max-height: 3; padding: 0 1; background: $boost; }
    DriftView #drift-panes { height: 3fr; }
    DriftView #drift-variants { width: 1fr; min-width: 30; max-width: 48; }
    DriftView #drift-files { width: 2fr; border-left: vkey $primary; }
    DriftView #drift-commits-title { height: 1; padding: 0 1; background: $panel; text-style: bold; }
    DriftView #drift-commits { height: 2fr; }
    """

    @dataclass
    class DiffRequested(Message):
        """Enter on a file: show its difference (HF's version → GitHub's)."""

        family: str
        variant: str
        file: dict[str, Any]
        pairs: pl.DataFrame  # the drift table's row(s) of that file's pair

    @dataclass
    class ProposeRequested(Message):
        """p: propose what the highlighted variant (or file) lacks, or the patch of what HF is ahead of."""

        family: str
        variant: str
        file: dict[str, Any] | None  # None: every file of the variant that is behind

    @dataclass
    class CommitRequested(Message):
        """Enter on a GitHub commit the variant lacks: open it."""

        row: dict[str, Any]

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.detail: DriftDetail | None = None
        self.commits: pl.DataFrame = pl.DataFrame()
        self.names: dict[str, str] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="drift-note", markup=False)
        with Horizontal(id="drift-panes"):
            yield FrameTable(self._variant_columns(), key="hf_repo", empty_text="Reading drift…", id="drift-variants")
            yield FrameTable(self._file_columns(), key=None, empty_text="", id="drift-files")
        yield Static("", id="drift-commits-title", markup=False)
        yield FrameTable(self._commit_columns(), key=None, empty_text="", id="drift-commits")

    # -- columns ------------------------------------------------------------------------------

    def _variant_columns(self) -> list[Column]:
        def variant(value: Any, row: dict[str, Any]) -> Text:
            repo = str(value or "")
            return plain(self.names.get(repo) or repo.rpartition("/")[2])

        def behind(value: Any, row: dict[str, Any]) -> Text:
            return Text("never" if value is None else count(value), end="")

        def files(value: Any, row: dict[str, Any]) -> Text:
            if value is None:
                return Text(NONE, end="")
            return Text(count(value), style=self.get_component_rich_style("drift--behind") if value else "", end="")

        return [
            Column("hf_repo", "Variant", 22, 10, format=variant, max_width=40, sortable=False),
            Column(
                "behind",
                "Behind",
                6,
                align="right",
                format=behind,
                sortable=False,
                tooltip="GitHub commits since the variant's last HF commit (never: no HF commit at all)",
            ),
            Column(
                "files",
                "Files",
                5,
                align="right",
                format=files,
                sortable=False,
                tooltip="HF files behind or diverged from their GitHub version (— no file history cached)",
            ),
            Column(
                "last_hf_commit",
                "Last HF",
                10,
                format=lambda v, r: Text(date(v), end=""),
                sortable=False,
                overflow=True,
            ),
        ]

    def _file_columns(self) -> list[Column]:
        def state(value: Any, row: dict[str, Any]) -> Text:
            words, mark = STATE_WORDS.get(str(value), (str(value), ""))
            text = Text(words, style=self.get_component_rich_style(mark) if mark else "", end="")
            if row.get("pr_url"):  # already proposed: p shows that pull request instead of a second one
                text.append(" · PR open", style=self.get_component_rich_style("drift--pr"))
            return text

        def missing(value: Any, row: dict[str, Any]) -> Text:
            return Text(count(value) if value else "", end="")

        return [
            Column("hf_path", "HF file", 24, 10, format=lambda v, r: plain(v), max_width=60, sortable=False),
            Column("state", "State", 18, 10, format=state, sortable=False),  # "diverged · PR open"
            Column(
                "missing_gh_commits",
                "Lacks",
                5,
                align="right",
                format=missing,
                sortable=False,
                tooltip="GitHub commits that changed the file since the version HF holds",
            ),
            Column(
                "gh_path",
                "GitHub file",
                24,
                10,
                format=lambda v, r: plain(v),
                max_width=60,
                sortable=False,
                overflow=True,
            ),
        ]

    def _commit_columns(self) -> list[Column]:
        def label(value: Any, row: dict[str, Any]) -> Text:
            return Text(NONE, style="dim", end="") if value is None else plain(value)

        return [
            Column("authored_at", "Date", 10, format=lambda v, r: Text(date(v), end=""), sortable=False),
            Column("label", "Change type", 20, 12, format=label, sortable=False),
            Column("title", "Title", 50, 12, format=lambda v, r: plain(v), max_width=1000, sortable=False),
        ]

    # -- data ---------------------------------------------------------------------------------

    @property
    def variants(self) -> FrameTable:
        """The variants list."""
        return self.query_one("#drift-variants", FrameTable)

    @property
    def files(self) -> FrameTable:
        """The highlighted variant's files."""
        return self.query_one("#drift-files", FrameTable)

    @property
    def lacking(self) -> FrameTable:
        """The GitHub commits the highlighted file (or variant) lacks."""
        return self.query_one("#drift-commits", FrameTable)

    def show(self, detail: DriftDetail, commits: pl.DataFrame, names: dict[str, str]) -> None:
        """Show ``detail``; ``commits`` are the family's (with labels), ``names`` the variants' short names."""
        self.detail, self.commits, self.names = detail, commits, names
        self.query_one("#drift-note", Static).update(plain(self._note(detail), single_line=False, no_wrap=False))
        self.variants.empty_text = "No variant."
        self.variants.invalidate()
        self.variants.set_frame(detail.variants)
        self._show_variant(self.variants.current_row())

    def _note(self, detail: DriftDetail) -> str:
        if detail.cached is None:
            return "This family has no GitHub repository: nothing to compare with."
        missing = detail.missing
        lead = f"{plural(len(detail.files), 'linked HF file')} (once the same bytes as a GitHub file) · Enter opens"
        if not missing:
            return lead
        shown = ", ".join(missing[:3]) + (f" and {len(missing) - 3} more" if len(missing) > 3 else "")
        return f"{lead} No file history cached for {shown}: s syncs the family."

    def _show_variant(self, row: dict[str, Any] | None) -> None:
        files = self.files
        if row is None or self.detail is None:
            files.set_frame(pl.DataFrame(), keep_cursor=False)
            self._show_commits(None, None)
            return
        variant = str(row["hf_repo"])
        frame = self.detail.variant_files(variant)
        if row.get("files") is None:
            files.empty_text = "No file history cached for this variant: s syncs it."
        elif row.get("behind") is None:
            files.empty_text = "Never updated: the variant has no HF commit."
        else:
            files.empty_text = "No HF file shares a version with GitHub: nothing to compare."
        files.set_frame(frame, keep_cursor=False)
        self._show_commits(row, None)

    def _show_commits(self, variant: dict[str, Any] | None, file: dict[str, Any] | None) -> None:
        title = self.query_one("#drift-commits-title", Static)
        table = self.lacking
        if variant is None:
            title.update("")
            table.set_frame(pl.DataFrame(), keep_cursor=False)
            return
        name = self.names.get(str(variant["hf_repo"])) or str(variant["hf_repo"]).rpartition("/")[2]
        if file is not None:
            frame = commits_lacking(self.commits, str(file.get("missing_gh_shas") or ""))
            title.update(plain(f"GitHub commits {file['hf_path']} lacks: {frame.height} (oldest first)"))
            table.empty_text = "None: this file is not behind GitHub."
        else:
            frame = commits_since(self.commits, str(variant["hf_repo"]))
            if variant.get("behind") is None:
                title.update(plain(f"{name}: never updated, so not behind by any commit"))
            else:
                title.update(plain(f"GitHub commits since {name}'s last HF commit: {frame.height} (oldest first)"))
            table.empty_text = "None: GitHub has not moved since."
        table.set_frame(frame, keep_cursor=False)

    # -- events -------------------------------------------------------------------------------

    @on(FrameTable.RowHighlighted, "#drift-variants")
    def _variant_highlighted(self, event: FrameTable.RowHighlighted) -> None:
        self._show_variant(event.row)

    @on(FrameTable.RowHighlighted, "#drift-files")
    def _file_highlighted(self, event: FrameTable.RowHighlighted) -> None:
        if self.app.focused is self.files:  # else the commits list shows the variant's
            self._show_commits(self.variants.current_row(), event.row)

    def on_descendant_focus(self) -> None:
        # Back on the variants list: the commits list shows the variant's again.
        if self.app.focused is self.variants:
            self._show_commits(self.variants.current_row(), None)
        elif self.app.focused is self.files:
            self._show_commits(self.variants.current_row(), self.files.current_row())

    def action_open_selected(self) -> None:
        """Enter: a variant's files, a file's diff, a commit's page."""
        focused = self.app.focused
        if focused is self.variants:
            if self.files.row_count:
                self.files.focus()
            return
        if focused is self.files:
            selection = self.selection()
            if selection.variant is not None and selection.file is not None and self.detail is not None:
                file = selection.file
                pairs = self.detail.pairs.filter(
                    (pl.col("hf_repo") == selection.variant)
                    & (pl.col("hf_path") == file["hf_path"])
                    & (pl.col("gh_path") == file["gh_path"])
                )
                self.post_message(self.DiffRequested(selection.family, selection.variant, file, pairs))
            return
        if focused is self.lacking:
            row = self.lacking.current_row()
            if row is not None:
                self.post_message(self.CommitRequested(row))

    def action_propose(self) -> None:
        """p: the proposal for the highlighted variant, or for the highlighted file only."""
        selection = self.selection()
        if selection.variant is None:
            self.app.notify("No variant to propose for.", markup=False)
            return
        self.post_message(self.ProposeRequested(selection.family, selection.variant, selection.file))

    def action_drift_back(self) -> None:
        """Esc: from a variant's files or commits back to the variants list; there, the screen's Esc."""
        if self.app.focused is self.variants:
            raise SkipAction()
        self.variants.focus()

    def selection(self) -> DriftSelection:
        """What is highlighted: the variant, and the file when the files list (or the commits) has the focus."""
        family = self.detail.family if self.detail is not None else ""
        variant = self.variants.current_row()
        file = self.files.current_row() if self.app.focused in (self.files, self.lacking) else None
        return DriftSelection(family, str(variant["hf_repo"]) if variant else None, file)

"""Provides CommitScreen: one commit's message, files, label with provenance, and its twin on the other platform.

Everything shown comes from strangers (message, file names, author) and goes through
``tui.safe``; the long message is drawn by TextView, which handles 10,000 lines lazily.
Copying uses OSC 52 (works over SSH); relabelling writes a manual label in a thread worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Footer, Static

from core.models import PLATFORM_SHORT
from core.views.commits import CommitDetail, commit_url
from tui.bindings import as_bindings, commands_for
from tui.browser import open_in_browser
from tui.clipboard import copy_text
from tui.formatting import NONE
from tui.messages import Copied, LabelChanged
from tui.safe import clean, plain
from tui.screens.base import BaseScreen
from tui.screens.relabel import CLEAR, RelabelModal
from tui.widgets.columns import Column
from tui.widgets.frame_table import FrameTable
from tui.widgets.status_bar import StatusBar
from tui.widgets.text_view import TextView
from tui.widgets.title_bar import TitleBar

PLATFORM_NAME = {"github": "GitHub", "huggingface": "Hugging Face"}


def meta_text(detail: CommitDetail) -> Text:
    """Return the commit's header block: title, where and when, label, linked commits."""
    text = Text(clean(detail.title, single_line=True, limit=300) or "(no title)", style="bold", end="")
    when = f"{detail.authored_at:%Y-%m-%d %H:%M} UTC" if detail.authored_at else NONE
    text.append(
        "\n"
        + clean(
            f"{PLATFORM_NAME.get(detail.platform, detail.platform)} · {detail.repo} · {when} · {detail.author or NONE}",
            single_line=True,
        )
    )
    text.append("\n" + clean(f"commit {detail.sha}", single_line=True, limit=120), style="dim")
    if not detail.files:
        text.append(" · no changed files recorded", style="dim")
    label = detail.label
    text.append("\nChange type: ", style="bold")
    if label is None:
        text.append(f"{NONE} not labelled yet (c classifies the family, e sets it by hand)", style="dim")
    else:
        confidence = f", confidence {label.confidence:.2f}" if label.confidence is not None else ""
        model = f", {label.model}" if label.model and label.source == "llm" else ""  # which local model
        text.append(clean(label.label, single_line=True))
        text.append("  " + clean(f"({label.source}{model}{confidence})", single_line=True), style="dim")
        if label.reason and label.source != "manual":
            text.append("\n  " + clean(label.reason, single_line=True, limit=200), style="dim italic")
    if detail.linked:
        for linked in detail.linked[:3]:
            short = PLATFORM_SHORT.get(linked.platform, "?")
            text.append("\nLinked: ", style="bold")
            text.append(
                clean(
                    f"{short} {linked.repo} {linked.sha[:10]} {linked.title} (found in the {linked.how}; Enter opens)",
                    single_line=True,
                    limit=200,
                )
            )
    else:
        text.append("\nLinked: ", style="bold")
        text.append(f"{NONE} no matching commit known on the other platform", style="dim")
    return text


class CommitScreen(BaseScreen):
    """One commit."""

    SCOPE = "commit"
    BINDING_GROUP_TITLE = "Commit"
    BINDINGS: ClassVar[list[BindingType]] = list(as_bindings(commands_for("commit")))
    AUTO_FOCUS = "#message"

    @dataclass
    class Loaded(Message):
        """The commit was read (None: it is no longer in the cache)."""

        detail: CommitDetail | None

    def __init__(self, family: str, platform: str, repo: str, sha: str) -> None:
        super().__init__()
        self.family, self.platform, self.repo, self.sha = family, platform, repo, sha
        self.detail: CommitDetail | None = None

    def compose(self) -> ComposeResult:
        crumb = f"{PLATFORM_SHORT.get(self.platform, '?')} {self.repo} {self.sha[:10]}"
        yield TitleBar("Families", self.family, crumb)
        yield Static("Reading the commit…", id="commit-meta", markup=False)
        yield TextView(id="message")
        yield FrameTable(self._columns(), empty_text="No changed files recorded.", id="files")
        yield StatusBar()
        yield Footer(compact=True)

    @staticmethod
    def _columns() -> list[Column]:
        def status(value: Any, row: dict[str, Any]) -> Text:
            return plain({"A": "added", "M": "modified", "D": "deleted", "T": "type"}.get(value, value or ""))

        return [
            Column("status", "Change", 8, format=status, sortable=False),
            Column("path", "File", 70, 10, max_width=1000, sortable=False),
        ]

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    def refresh_data(self) -> None:
        """Read the commit again (its label may have changed)."""
        self.data_generation = self.ptlm.generation
        self.load()

    @work(thread=True, exclusive=True, group="commit", exit_on_error=False, description="reading the commit")
    def load(self) -> None:
        """Read the commit, its labels and linked commits."""
        from core.views.commits import commit_detail

        self.post_message(self.Loaded(commit_detail(self.ptlm.store, self.platform, self.repo, self.sha)))

    def on_commit_screen_loaded(self, message: Loaded) -> None:
        import polars as pl

        self.detail = message.detail
        meta = self.query_one("#commit-meta", Static)
        if message.detail is None:
            meta.update(plain("This commit is no longer in the cache (re-open the family).", single_line=True))
            return
        detail = message.detail
        meta.update(meta_text(detail))
        self.query_one(TextView).set_text(detail.message or detail.title)
        files = pl.DataFrame(
            {"status": [s for s, _ in detail.files], "path": [p for _, p in detail.files]},
            schema={"status": pl.String, "path": pl.String},
        )
        table = self.query_one("#files", FrameTable)
        table.set_frame(files)
        table.display = bool(detail.files)
        n = len(detail.files)
        table.border_title = f"{n} changed file{'s' if n != 1 else ''}"

    # -- actions ------------------------------------------------------------------------------

    def _url(self) -> str | None:
        if self.ptlm.demo:
            return None  # invented repositories: a real github.com or huggingface.co path would be someone else's
        return commit_url(self.ptlm.settings, self.platform, self.repo, self.sha)

    def _no_page(self) -> str:
        if self.ptlm.demo:
            return "This is an invented demo repository: it has no web page."
        return "This commit has no web page (unknown host, or not a commit id)."

    def action_open_browser(self) -> None:
        url = self._url()
        if url is None:
            self.notify(self._no_page(), severity="warning", markup=False)
            return
        self.notify(open_in_browser(self.app, url), markup=False)

    def _copy(self, what: str, text: str | None) -> None:
        if not text:
            why = f" {self._no_page()}" if what == "URL" else ""
            self.notify(f"No {what} to copy.{why}", severity="warning", markup=False)
            return
        method = copy_text(self.app, text)
        self.post_message(Copied(what, text, method))
        self.notify(f"Copied the {what} to the {method}.", markup=False)

    def action_copy_sha(self) -> None:
        self._copy("commit id", clean(self.sha, single_line=True))

    def action_copy_url(self) -> None:
        self._copy("URL", self._url())

    def action_relabel(self) -> None:
        if self.detail is None:
            return
        label = self.detail.label
        manual = label is not None and label.source == "manual"
        self.app.push_screen(RelabelModal(label.label if label else None, manual=manual), self._relabelled)

    def _relabelled(self, label: str | None) -> None:
        if label == CLEAR:
            self.clear_label()
        elif label:
            self.save_label(label)

    @work(thread=True, exclusive=True, group="relabel", exit_on_error=False, description="saving the label")
    def save_label(self, label: str) -> None:
        """Write the manual label, then read the commit again."""
        from core.classify.service import set_manual_label

        set_manual_label(self.ptlm.store, platform=self.platform, repo=self.repo, sha=self.sha, label=label)
        self.app.post_message(LabelChanged(self.platform, self.repo, self.sha, label))
        self.app.call_from_thread(self.load)

    @work(thread=True, exclusive=True, group="relabel", exit_on_error=False, description="clearing the label")
    def clear_label(self) -> None:
        """Remove the manual label (the classifier's shows again), then read the commit again."""
        # The one storage call for this: core.classify.service.clear_manual_label (the storage
        # engineer may re-point it to a dedicated store operation).
        from core.classify.service import clear_manual_label

        if clear_manual_label(self.ptlm.store, platform=self.platform, repo=self.repo, sha=self.sha):
            self.app.post_message(LabelChanged(self.platform, self.repo, self.sha, ""))
        self.app.call_from_thread(self.load)

    def action_follow_link(self) -> None:
        if self.detail is None or not self.detail.linked:
            self.notify("No linked commit on the other platform.", markup=False)
            return
        linked = self.detail.linked[0]
        self.app.push_screen(CommitScreen(self.family, linked.platform, linked.repo, linked.sha))

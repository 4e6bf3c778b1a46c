"""Provides DiffScreen: one HF file against its GitHub version, read on demand from the kept clones.

Only the two versions shown are read (a blob-less clone fetches just those; offline, only
what it holds). The diff goes from HF's version to GitHub's; ``.json`` files list the keys
GitHub added, removed or changed first. Reading runs in a thread worker; a version that
cannot be had is said on the screen, with what to do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import polars as pl
from textual import work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.message import Message
from textual.widgets import Footer, Static

from core.errors import PtlmError
from tui.bindings import as_bindings, commands_for
from tui.safe import plain
from tui.screens.base import BaseScreen
from tui.widgets.diff_view import DiffView
from tui.widgets.status_bar import StatusBar
from tui.widgets.title_bar import TitleBar


@dataclass(frozen=True)
class DiffTarget:
    """Which file to show: a variant's HF path, within its family's drift table."""

    family: str
    variant: str
    hf_path: str
    variant_name: str  # the variant's short name, for the title
    pairs: pl.DataFrame  # the drift table's rows to diff (the pair that gives the file its state)


class DiffScreen(BaseScreen):
    """A file's difference, HF → GitHub."""

    SCOPE = "diff"
    BINDING_GROUP_TITLE = "Diff"
    BINDINGS: ClassVar[list[BindingType]] = list(as_bindings(commands_for("diff")))
    AUTO_FOCUS = "DiffView"

    @dataclass
    class Read(Message):
        """The two versions were read and compared (``error`` when they could not be)."""

        text: str
        error: str

    def __init__(self, target: DiffTarget) -> None:
        super().__init__()
        self.target = target
        self.text = ""
        self.error = ""

    def compose(self) -> ComposeResult:
        t = self.target
        yield TitleBar("Families", f"{t.family} › {t.variant_name} › {t.hf_path}")
        yield Static(plain("Reading the two versions…"), id="diff-note", markup=False)
        yield DiffView(id="diff")
        yield StatusBar()
        yield Footer(compact=True)

    def on_mount(self) -> None:
        super().on_mount()
        self.read()

    @work(thread=True, exclusive=True, group="diff", exit_on_error=False, description="reading two file versions")
    def read(self) -> None:
        """Read the HF and GitHub versions of the file and compare them."""
        from core.drift.compare import show_diff
        from core.drift.digest import cached_family
        from core.drift.stored import clone_run

        app, t = self.ptlm, self.target
        try:
            cached = cached_family(app.store, t.family)
            if cached is None:
                raise PtlmError("No GitHub repository", t.family, "link the family to its GitHub repository")
            run = clone_run(app.store, cached, t.pairs, app.settings, app.demo_repositories())
            self.post_message(self.Read(show_diff(run, t.hf_path, t.variant), ""))
        except PtlmError as exc:
            self.post_message(self.Read("", exc.one_line()))

    def on_diff_screen_read(self, message: Read) -> None:
        self.text, self.error = message.text, message.error
        note = self.query_one("#diff-note", Static)
        if message.error:
            note.update(plain(message.error, limit=400, single_line=False, no_wrap=False))
            note.add_class("-error")
            return
        note.update(plain("HF's version → GitHub's: what taking GitHub's change would do", limit=300))
        self.query_one(DiffView).set_text(message.text)

"""Provides the family screen's drift half: the Drift view toggle (``D``), its reading, and where it leads.

``FamilyScreen`` builds on ``FamilyDriftBase``. The Drift view (``tui.widgets.drift_view``) replaces the commit
list; it is read from the cache in a thread worker the first time it is shown (and again when
the cache is read again), with the same commits the list shows, so §8.1's counts and the
GitHub commits a file lacks come with their change types. Enter on a file opens the diff
(``tui.screens.diff``), on a GitHub commit the commit screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl
from textual import work
from textual.message import Message

from core.models import GITHUB
from tui.screens.base import BaseScreen
from tui.widgets.drift_view import DriftView
from tui.widgets.frame_table import FrameTable

if TYPE_CHECKING:
    from core.views.drift import DriftDetail


class FamilyDriftBase(BaseScreen):
    """A family screen's Drift view; ``FamilyScreen`` builds on it (it sets ``family``, ``commits``, ``names``)."""

    family: str
    commits: pl.DataFrame
    names: dict[str, str]

    @dataclass
    class DriftRead(Message):
        """The family's drift was read from the cache."""

        family: str
        detail: DriftDetail

    def __init__(self) -> None:
        super().__init__()
        self.drift_shown = False
        self.drift_read = False

    def action_toggle_drift(self) -> None:
        """D: the Drift view instead of the commit list, and back."""
        self.drift_shown = not self.drift_shown
        drift = self.query_one(DriftView)
        table = self.query_one("#commits", FrameTable)
        drift.display = self.drift_shown
        table.display = not self.drift_shown
        self.query_one("#search-bar").display = False
        if self.drift_shown:
            self.set_focus(drift.variants)
            if not self.drift_read and self.commits_loaded():
                self.read_drift()  # else when the commits are in (§8.1 counts from them)
        else:
            self.set_focus(table)
        self.drift_toggled()

    def commits_loaded(self) -> bool:
        """True once the family's commits are read (the screen says)."""
        return True

    def drift_toggled(self) -> None:
        """The Drift view was shown or hidden (the screen updates its hints)."""

    def reread_drift(self) -> None:
        """The commits were read (again): read the drift when it has been, or is being, shown."""
        if self.drift_read or self.drift_shown:
            self.read_drift()

    @work(thread=True, exclusive=True, group="family-drift", exit_on_error=False, description="reading the drift")
    def read_drift(self) -> None:
        """Read the family's drift from the cache (no git run), with the commits the list shows."""
        from core.views.drift import family_drift_detail

        detail = family_drift_detail(self.ptlm.store, self.family, self.commits)
        self.post_message(self.DriftRead(self.family, detail))

    def on_family_drift_base_drift_read(self, message: DriftRead) -> None:
        self.drift_read = True
        self.query_one(DriftView).show(message.detail, self.commits, self.names)

    def on_drift_view_diff_requested(self, event: DriftView.DiffRequested) -> None:
        from tui.screens.diff import DiffScreen, DiffTarget

        name = self.names.get(event.variant) or event.variant.rpartition("/")[2]
        target = DiffTarget(event.family, event.variant, str(event.file["hf_path"]), name, event.pairs)
        self.app.push_screen(DiffScreen(target))

    def on_drift_view_propose_requested(self, event: DriftView.ProposeRequested) -> None:
        """The proposal dialog: for a file HF is ahead of, the patch for GitHub; else a Hub pull request."""
        from core.propose.model import TO_GITHUB, TO_HUB
        from tui.screens.propose import ProposeScreen

        file = event.file
        if file is None:
            self.app.push_screen(ProposeScreen(event.family, event.variant))
            return
        state = str(file.get("state"))
        if state == "hf_ahead":
            screen = ProposeScreen(event.family, event.variant, (str(file["gh_path"]),), direction=TO_GITHUB)
        else:
            path = (str(file["hf_path"]),)
            screen = ProposeScreen(event.family, event.variant, path, direction=TO_HUB, diverged=state == "diverged")
        self.app.push_screen(screen)

    def on_drift_view_commit_requested(self, event: DriftView.CommitRequested) -> None:
        from tui.screens.commit import CommitScreen

        row = event.row
        self.app.push_screen(CommitScreen(self.family, GITHUB, str(row["repo"]), str(row["key"])))

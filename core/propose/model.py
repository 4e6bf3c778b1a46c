"""Provides the plan of a proposal: the files it changes, the files it leaves out and why, its message.

A plan is computed fresh each time from the drift pairs and the clones (``core.propose.plan``);
sending it (``send``) or writing it as a patch (``patch``) never recomputes anything, so what a
person confirmed is exactly what goes out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from core.propose.gitread import CommitRef

TO_HUB: Final = "to_hub"  # GitHub's version to the variant: a Hub pull request
TO_GITHUB: Final = "to_github"  # the variant's version to GitHub: a patch file for `git am`

# Why a linked file is not in the proposal (LeftOut.kind).
SKIPPED: Final = "skipped"  # it should be, but cannot: git LFS, too large, unreadable
OPEN: Final = "open"  # a pull request already brings this version (--force proposes it again)
NOT_BEHIND: Final = "not_behind"  # its state asks for nothing in this direction


@dataclass(frozen=True)
class ProposedFile:
    """One file the proposal sets to the other side's head version."""

    hf_path: str
    gh_path: str
    state: str  # the drift state of the pair (hf_behind, diverged, hf_ahead)
    target: str  # the path written: hf_path (to the Hub) or gh_path (to GitHub)
    new_blob: str  # the version the target gets
    old_blob: str | None  # the version it holds now
    new: bytes = field(repr=False)
    old: bytes | None = field(repr=False)
    commits: int  # commits of the source side brought over for this file
    mode: str = "100644"  # the target's git file mode
    diff: str = field(default="", repr=False)  # unified diff old -> new ("Binary files ... differ" for binaries)
    json_keys: str = field(default="", repr=False)  # JSON keys added, removed and changed, for .json files
    binary: bool = False


@dataclass(frozen=True)
class LeftOut:
    """A linked file the proposal does not change, and why (shown to the person, recorded when sent)."""

    hf_path: str
    gh_path: str
    kind: str  # SKIPPED, OPEN or NOT_BEHIND
    reason: str
    url: str = ""  # the pull request already open (kind OPEN)


@dataclass(frozen=True)
class Plan:
    """What a proposal would change, what it leaves out, and the commit message that says so."""

    family: str
    variant: str  # the HF model
    gh_repo: str
    direction: str  # TO_HUB or TO_GITHUB
    files: tuple[ProposedFile, ...]
    left_out: tuple[LeftOut, ...]
    commits: tuple[CommitRef, ...]  # the source side's commits brought over, oldest first
    title: str
    body: str
    hf_parent: str  # the variant's HEAD the plan was computed against (the pull request's base)
    gh_head: str  # GitHub's HEAD the plan was computed against
    commit_urls: tuple[str, ...] = ()  # one per commit, where a person can read it

    @property
    def skipped(self) -> tuple[LeftOut, ...]:
        """Files that belong in the proposal but cannot go (LFS, size, unreadable)."""
        return tuple(x for x in self.left_out if x.kind == SKIPPED)

    @property
    def already_open(self) -> tuple[LeftOut, ...]:
        """Files an open pull request already brings."""
        return tuple(x for x in self.left_out if x.kind == OPEN)

    @property
    def message(self) -> str:
        """The whole commit message: title, blank line, body."""
        return f"{self.title}\n\n{self.body}" if self.body else self.title

"""Provides the commit message of a proposal: a title, and a body naming every commit brought over with its URL.

The message is what the variant's maintainers read on the Hub (or in ``git log`` after ``git am``):
where each file comes from, and which commits of the other side it carries, each with a link.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.propose.gitread import CommitRef
from core.propose.model import TO_HUB, ProposedFile
from core.text import one_line
from core.words import plural

MAX_LISTED = 100  # commits listed in a message; earlier ones are counted


def commit_url(base: str, repo: str, sha: str) -> str:
    """Where a person reads a commit: ``{github.base_url}/{repo}/commit/{sha}``, or the Hub's commit page."""
    return f"{base.rstrip('/')}/{repo}/commit/{sha}"


def title_for(direction: str, files: Sequence[ProposedFile], *, gh_repo: str, variant: str) -> str:
    """``Update config.json from GitHub org/code``, or ``Update 3 files from ...`` for several."""
    what = f"`{files[0].target}`" if len(files) == 1 else plural(len(files), "file")
    source = f"GitHub {gh_repo}" if direction == TO_HUB else f"Hugging Face {variant}"
    return f"Update {what} from {source}"


def body_for(
    direction: str,
    files: Sequence[ProposedFile],
    commits: Sequence[CommitRef],
    urls: Sequence[str],
    *,
    gh_repo: str,
    variant: str,
    source_head: str,
) -> str:
    """The message body: the files and where each comes from, then the commits brought over, oldest first."""
    to_hub = direction == TO_HUB
    source = f"GitHub {gh_repo}" if to_hub else f"Hugging Face {variant}"
    which = "this file to its version" if len(files) == 1 else "these files to their versions"
    lines = [f"Sets {which} on {source} ({source_head[:7]}):", ""]
    for f in files:
        origin = f.gh_path if to_hub else f.hf_path
        lines.append(f"- `{f.target}` from `{origin}` ({f.state}, {plural(f.commits, 'commit')})")
    if commits:
        side = "GitHub" if to_hub else "Hugging Face"
        lines += ["", f"{side} commits brought over:", ""]
        shown = list(zip(commits, urls, strict=True))
        if len(shown) > MAX_LISTED:  # the newest, which say most about the version brought over
            lines.append(f"- ... {plural(len(shown) - MAX_LISTED, 'earlier commit')}")
            shown = shown[-MAX_LISTED:]
        for ref, url in shown:
            lines.append(f"- {ref.short} {ref.authored_at:%Y-%m-%d} {one_line(ref.title, 120)} ({url})")
    lines += ["", "Proposed with ptlm-tui: the files are copied byte for byte; nothing else changes."]
    return "\n".join(lines)

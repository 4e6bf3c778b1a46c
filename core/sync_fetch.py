"""Provides the per-repository work of a sync: what is new on one HF model or one GitHub repository.

Each function runs in a worker thread, makes the requests, and returns the new commit rows
(cache schema) and the outcome; it never writes the cache (the orchestrator does). Both are
incremental: an HF model whose head commit is already cached costs one model-info request and
no history; a GitHub repository whose head did not move costs one ``git fetch`` and no log.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from cache.schema import TABLES
from core.models import GITHUB, HUGGINGFACE
from core.sources import polite
from core.sources.failures import SourceFailure
from core.sync_state import RepoOutcome
from core.words import plural

if TYPE_CHECKING:
    from core.progress import CancelToken
    from core.sources.hub import HubClient, HubCommit


@dataclass(frozen=True)
class Unit:
    """One repository to sync, and the family its commits belong to."""

    platform: str
    repo: str
    family: str


@dataclass
class Fetched:
    """A worker's result: the outcome, new commit rows, and what else to record."""

    outcome: RepoOutcome
    frame: pl.DataFrame | None = None
    replace: bool = False  # the history was rewritten: drop this repository's old rows
    variant: dict[str, Any] | None = None  # refreshed Hub metadata of an HF model


def hf_frame(unit: Unit, commits: list[HubCommit], files: list[str] | None) -> pl.DataFrame:
    """Return HF commits as cache rows: full-precision UTC times, message = title + body."""
    rows = []
    for i, c in enumerate(commits):
        message = c.title + (f"\n\n{c.message}" if c.message.strip() else "")
        rows.append(
            {
                "family": unit.family,
                "platform": HUGGINGFACE,
                "repo": unit.repo,
                "sha": c.id,
                "authored_at": c.created_at,
                "author": ", ".join(c.authors),
                "title": c.title,
                "message": message,
                "files": files[i] if files is not None else "",
                "parents": " ".join(c.parents) if c.parents else None,
                "source": "sync",
            }
        )
    return pl.DataFrame(rows, schema=TABLES["commits"])


# Measured (benchmarks/bench_hf_files.py): a clone or fetch costs about 3 HTTP requests whatever
# the number of commits; compare costs one per commit. Above this many new commits, clone.
CLONE_ABOVE = 3


def _joined(pairs: list[tuple[str, str]]) -> str:
    return "|".join(f"{s}:{p}" for s, p in pairs)


def hf_changed_files(
    unit: Unit,
    hub: HubClient,
    commits: list[HubCommit],
    mode: str,
    clone_files: Callable[[], dict[str, str]] | None,
) -> tuple[list[str] | None, str]:
    """Return the changed files of ``commits`` (``S:path|...`` each) and a note on how they were had.

    ``auto`` clones when more than ``CLONE_ABOVE`` commits are new; a clone that fails (no git
    access, for instance) falls back to the compare endpoint, and so does a commit the clone
    does not hold yet.
    """
    if mode == "none" or not commits:
        return None, ""
    use_clone = clone_files is not None and (mode == "clone" or (mode == "auto" and len(commits) > CLONE_ABOVE))
    by_sha: dict[str, str] = {}
    note = ""
    if use_clone:
        assert clone_files is not None
        try:
            by_sha = clone_files()
            note = "files from a git clone"
        except SourceFailure as exc:
            note = f"git clone failed ({exc.status}), files from the compare endpoint"
    files = [by_sha[c.id] if c.id in by_sha else _joined(hub.changed_files(unit.repo, c.id)) for c in commits]
    return files, note


def fetch_hf(
    unit: Unit,
    hub: HubClient,
    known: frozenset[str],
    *,
    changed_files: str,
    clone_files: Callable[[], dict[str, str]] | None = None,
) -> Fetched:
    """Fetch what is new on one HF model: model info, then commit pages down to the first known id.

    Args:
        unit: The model and its family.
        hub: The shared Hub client.
        known: Commit ids of this model already in the cache.
        changed_files: ``auto``, ``compare``, ``clone`` or ``none`` (``sync.changed_files``).
        clone_files: Clones or fetches the model repository and returns files by commit id.

    Raises:
        SourceFailure: The model could not be fetched (status for sync_state).
    """
    info = hub.model_info(unit.repo)
    variant = {
        "model": unit.repo,
        "downloads": info.downloads,
        "likes": info.likes,
        "pipeline_tag": info.pipeline_tag,
        "created_at": info.created_at,
        "last_modified": info.last_modified,
        "gated": info.gated,
    }
    if info.sha is not None and info.sha in known:
        outcome = RepoOutcome(HUGGINGFACE, unit.repo, unit.family, "ok", "up to date", head=info.sha)
        return Fetched(outcome, variant=variant)
    commits, met_known = hub.commits(unit.repo, known)
    files, note = hf_changed_files(unit, hub, commits, changed_files, clone_files)
    rewritten = bool(known) and not met_known
    count = plural(len(commits), "commit")
    detail = f"history was rewritten: re-read {count}" if rewritten else f"{plural(len(commits), 'new commit')}"
    detail += f"; {note}" if note else ""
    head = commits[0].id if commits else info.sha
    outcome = RepoOutcome(HUGGINGFACE, unit.repo, unit.family, "ok", detail, new_commits=len(commits), head=head)
    return Fetched(outcome, hf_frame(unit, commits, files), replace=rewritten, variant=variant)


def clone_files(
    unit: Unit,
    *,
    url: str,
    clone_path: Path,
    env: Mapping[str, str],
    timeout: float,
    cancel: CancelToken | None,
    secrets: tuple[str | None, ...],
) -> dict[str, str]:
    """Clone (or fetch) a repository bare and blob-less, and return each commit's files by id."""
    from core.sources.git_history import parse_log, read_log, update_clone

    update_clone(url, clone_path, env=env, timeout=timeout, cancel=cancel, secrets=secrets, what=unit.repo)
    frame = parse_log(read_log(clone_path), family=unit.family, repo=unit.repo)
    return dict(zip(frame["sha"].to_list(), frame["files"].to_list(), strict=True))


def fetch_github(
    unit: Unit,
    *,
    clone_path: Path,
    url: str,
    env: Mapping[str, str],
    timeout: float,
    last_head: str | None,
    cancel: CancelToken | None,
    secrets: tuple[str | None, ...],
) -> Fetched:
    """Clone or fetch one GitHub repository and read the commits its default branch gained.

    Args:
        unit: The repository and its family.
        clone_path: The bare clone inside the cache.
        url: Remote URL (no credentials).
        env: Environment from ``git_env``.
        timeout: Seconds for the clone or fetch.
        last_head: Head recorded at the last success, if its commit is in the cache.
        cancel: Kills git when set.
        secrets: Tokens to redact.

    Raises:
        SourceFailure: The repository could not be fetched (status for sync_state).
    """
    from core.sources.git_history import is_ancestor, parse_log, read_log, update_clone

    for attempt in (1, 2):
        try:
            state = update_clone(
                url, clone_path, env=env, timeout=timeout, cancel=cancel, secrets=secrets, what=unit.repo
            )
            break
        except SourceFailure as exc:
            # One retry for a server hiccup; missing, private or unreachable repositories fail at once.
            if attempt == 2 or exc.status != "server_error":
                raise
            _wait(polite.BACKOFF_BASE_SECONDS, cancel)
    if state.after is None:
        return Fetched(RepoOutcome(GITHUB, unit.repo, unit.family, "ok", "empty repository"))
    if last_head == state.after:
        return Fetched(RepoOutcome(GITHUB, unit.repo, unit.family, "ok", "up to date", head=state.after))
    forward = last_head is not None and is_ancestor(clone_path, last_head, state.after, env, timeout)
    rewritten = last_head is not None and not forward
    raw = read_log(clone_path, since=last_head if forward else None)
    frame = parse_log(raw, family=unit.family, repo=unit.repo)
    count = plural(frame.height, "commit")
    detail = f"history was rewritten: re-read {count}" if rewritten else plural(frame.height, "new commit")
    outcome = RepoOutcome(GITHUB, unit.repo, unit.family, "ok", detail, new_commits=frame.height, head=state.after)
    return Fetched(outcome, frame, replace=rewritten)


def _wait(seconds: float, cancel: CancelToken | None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cancel is not None:
            cancel.check()
        time.sleep(min(0.1, max(0.0, end - time.monotonic())))


def now_utc() -> dt.datetime:
    """The current time in UTC (one place, so tests reading sync_state agree on the zone)."""
    return dt.datetime.now(dt.UTC)

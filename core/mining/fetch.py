"""Provides the per-repository work of a sync: what is new on one HF model or one GitHub repository.

Each function runs in a worker thread, makes the requests, and returns the new commit rows
(cache schema), their file changes and the outcome; it never writes the cache (the
orchestrator does). Both are incremental: an HF model whose head commit is already cached costs
one model-info request and no history; a GitHub repository whose head did not move costs one
``git fetch`` and no log. A repository whose file changes the cache lacks (a cache of an earlier
release) is read whole once: its ``backfill``.
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
from core.mining import polite
from core.mining.failures import SourceFailure
from core.mining.outcomes import RepoOutcome
from core.models import GITHUB, HUGGINGFACE
from core.words import plural

if TYPE_CHECKING:
    from core.mining.hub import HubClient, HubCommit
    from core.mining.hub_git import HubHistory
    from core.progress import CancelToken


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
    changes: pl.DataFrame | None = None  # file changes of ``frame``'s commits (git_log.FILE_CHANGES_SCHEMA)
    file_history: dict[str, Any] | None = None  # a file_histories row: the cache now holds every file change


def file_history_row(
    platform: str, repo: str, head: str | None, lfs_pointers: frozenset[str] | None = None
) -> dict[str, Any]:
    """Return the file_histories row saying the cache holds ``repo``'s file changes up to ``head``."""
    pointers = " ".join(sorted(lfs_pointers)) if lfs_pointers is not None else None
    return {"platform": platform, "repo": repo, "read_at": now_utc(), "head": head, "lfs_pointers": pointers}


def hf_frame(unit: Unit, commits: list[HubCommit], git_commits: pl.DataFrame | None) -> pl.DataFrame:
    """Return HF commits as cache rows: the Hub's list (full-precision UTC times), with git's details.

    Author, message, changed files and parents are git's for every commit the clone holds.
    """
    rows = [
        {
            "family": unit.family,
            "platform": HUGGINGFACE,
            "repo": unit.repo,
            "sha": c.id,
            "authored_at": c.created_at,
            "author": c.author,
            "title": c.title,
            "message": c.text,
            "files": "",
            "parents": " ".join(c.parents) if c.parents else None,
            "source": "sync",
        }
        for c in commits
    ]
    frame = pl.DataFrame(rows, schema=TABLES["commits"])
    if git_commits is None:
        return frame
    from_git = ["author", "title", "message", "files", "parents"]
    return (
        frame.join(git_commits.select("sha", *from_git), on="sha", how="left", suffix="_git", maintain_order="left")
        .with_columns(pl.coalesce(f"{c}_git", c).alias(c) for c in from_git)
        .select(list(TABLES["commits"]))
    )


def fetch_hf(
    unit: Unit,
    hub: HubClient,
    known: frozenset[str],
    *,
    changed_files: str,
    clone_files: Callable[[], HubHistory] | None = None,
    backfill: bool = False,
) -> Fetched:
    """Fetch what is new on one HF model: model info, commit pages down to the first known id, then git.

    Changed files come from the model's git repository only (``core.mining.hub_git``): a
    clone that fails, or that lacks a commit the Hub listed, fails the repository (a recorded
    outcome), never gives commits without their files.

    Args:
        unit: The model and its family.
        hub: The shared Hub client.
        known: Commit ids of this model already in the cache.
        changed_files: ``none`` skips git; ``git`` reads it (``sync.changed_files``).
        clone_files: Clones or fetches the model repository and returns its history.
        backfill: The cache lacks this model's file history (a cache of an earlier release):
            list every commit and rewrite them all with git's details and file changes, once.

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
    if info.sha is not None and info.sha in known and not backfill:
        outcome = RepoOutcome(HUGGINGFACE, unit.repo, unit.family, "ok", "up to date", head=info.sha)
        return Fetched(outcome, variant=variant)
    commits, met_known = hub.commits(unit.repo, frozenset() if backfill else known)
    listed = {c.id for c in commits}
    hub_history = None
    if changed_files != "none" and (commits or backfill):
        if clone_files is None:
            raise SourceFailure("error", f"{unit.repo}: no git access to read changed files", "sync again")
        hub_history = clone_files()
        absent = len(listed - set(hub_history.history.commits["sha"].to_list()))
        if absent:
            raise SourceFailure(
                "error",
                f"{unit.repo}: {absent} commits the Hub lists are not in its git repository",
                "the model changed during the sync: sync again",
            )
    rewritten = bool(known - listed) if backfill else bool(known) and not met_known
    new = len(listed - known)
    if rewritten:
        detail = f"history was rewritten: re-read {plural(len(commits), 'commit')}"
    else:
        detail = plural(new, "new commit")
    if backfill and hub_history is not None:
        detail += f"; file changes of all {plural(len(commits), 'commit')} read once"
    head = commits[0].id if commits else info.sha
    outcome = RepoOutcome(HUGGINGFACE, unit.repo, unit.family, "ok", detail, new_commits=new, head=head)
    history = hub_history.history if hub_history is not None else None
    changes = None
    if history is not None:
        whole = backfill or rewritten
        changes = history.changes if whole else history.changes.filter(pl.col("sha").is_in(list(listed)))
    frame = hf_frame(unit, commits, history.commits if history is not None else None)
    record = None
    if hub_history is not None:
        record = file_history_row(HUGGINGFACE, unit.repo, hub_history.clone.after, hub_history.lfs_pointers)
    return Fetched(outcome, frame, replace=rewritten, variant=variant, changes=changes, file_history=record)


def clone_files(
    unit: Unit,
    *,
    url: str,
    clone_path: Path,
    env: Mapping[str, str],
    timeout: float,
    cancel: CancelToken | None,
    secrets: tuple[str | None, ...],
) -> HubHistory:
    """Clone (or fetch) a model repository (bare, small blobs only) and return its history and LFS pointers."""
    from core.mining.hub_git import fetch_hub_history

    return fetch_hub_history(
        unit.repo,
        family=unit.family,
        url=url,
        clone_path=clone_path,
        env=env,
        timeout=timeout,
        cancel=cancel,
        secrets=secrets,
    )


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
    backfill: bool = False,
    cached: int = 0,
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
        backfill: The cache lacks the repository's file changes (a cache of an earlier
            release): read the whole history once, whether or not the head moved.
        cached: How many of its commits the cache holds (for the count of new ones on a backfill).

    Raises:
        SourceFailure: The repository could not be fetched (status for sync_state).
    """
    from core.mining.git_clones import is_ancestor, update_clone
    from core.mining.git_log import parse_history, read_log

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
        outcome = RepoOutcome(GITHUB, unit.repo, unit.family, "ok", "empty repository")
        return Fetched(outcome, file_history=file_history_row(GITHUB, unit.repo, None) if backfill else None)
    if last_head == state.after and not backfill:
        return Fetched(RepoOutcome(GITHUB, unit.repo, unit.family, "ok", "up to date", head=state.after))
    forward = last_head is not None and is_ancestor(clone_path, last_head, state.after, env, timeout)
    rewritten = last_head is not None and not forward
    raw = read_log(clone_path, since=last_head if forward and not backfill else None)
    history = parse_history(raw, family=unit.family, repo=unit.repo)
    frame = history.commits
    count = plural(frame.height, "commit")
    new = max(frame.height - cached, 0) if backfill and not rewritten else frame.height
    detail = f"history was rewritten: re-read {count}" if rewritten else plural(new, "new commit")
    if backfill:
        detail += f"; file changes of all {count} read once"
    outcome = RepoOutcome(GITHUB, unit.repo, unit.family, "ok", detail, new_commits=new, head=state.after)
    record = file_history_row(GITHUB, unit.repo, state.after)
    return Fetched(outcome, frame, replace=rewritten, changes=history.changes, file_history=record)


def _wait(seconds: float, cancel: CancelToken | None) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cancel is not None:
            cancel.check()
        time.sleep(min(0.1, max(0.0, end - time.monotonic())))


def now_utc() -> dt.datetime:
    """The current time in UTC (one place, so tests reading sync_state agree on the zone)."""
    return dt.datetime.now(dt.UTC)

"""Provides the clones mining reads: a bare, partial clone per repository, kept and fetched incrementally.

The first sync clones with ``--bare --filter=<filter> --single-branch`` into the cache (commits
and trees; no file contents, because ``git log --raw --no-renames`` reads trees, not blobs);
later syncs ``git fetch`` and compare the branch head with the one recorded at the last
success, so a repository with nothing new costs one fetch and no log. A clone is built in a
temporary directory and renamed into place, and every clone is used under a file lock, so an
interrupted sync never leaves a half clone behind. Reading the history is ``core.mining.git_log``.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from core.mining.failures import SourceFailure
from core.mining.git_run import run_git
from core.mining.repo_ids import require_repo_id
from core.progress import CancelToken

__all__ = ["CloneState", "clone_lock", "is_ancestor", "remote_url", "update_clone"]

# Blob-less: commits and trees only. HF clones also keep blobs under 1 KiB, which covers every
# git LFS pointer file (the LFS spec caps them at 1023 bytes): drift must know which shared
# blobs are pointers, and reading them must not need one request each.
BLOBLESS = "blob:none"
SMALL_BLOBS = "blob:limit=1024"


@dataclass(frozen=True)
class CloneState:
    """The branch head of a clone before and after an update."""

    path: Path
    before: str | None  # None when the clone was just made or the branch was empty
    after: str | None  # None for an empty repository
    cloned: bool


def remote_url(base_url: str, repo: str) -> str:
    """Return the URL of ``repo`` under ``base_url`` (validated id; no credentials in it)."""
    require_repo_id(repo, "GitHub repository")
    return f"{base_url.rstrip('/')}/{repo}"


@contextlib.contextmanager
def clone_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on the clone at ``path`` (a sibling ``.lock`` file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.with_name(path.name + ".lock").open("a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _head(path: Path, env: Mapping[str, str], timeout: float) -> str | None:
    try:
        out = run_git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], cwd=path, env=env, timeout=timeout)
    except SourceFailure:
        return None
    return out.stdout.decode().strip() or None


def _set_refspec(path: Path) -> None:
    """Give the bare clone the fetch refspec ``--bare`` leaves out (else fetch fails)."""
    import git

    repo = git.Repo(path)
    try:
        branch = repo.git.symbolic_ref("HEAD").removeprefix("refs/heads/")
        with repo.config_writer() as writer:
            writer.set_value('remote "origin"', "fetch", f"+refs/heads/{branch}:refs/heads/{branch}")
    finally:
        repo.close()


def _remove_stale_locks(path: Path) -> None:
    # We hold the clone lock, so no git of ours runs here: a *.lock left by a killed git
    # would make every later fetch fail with "File exists".
    for name in ("packed-refs.lock", "shallow.lock", "index.lock", "config.lock", "HEAD.lock"):
        with contextlib.suppress(FileNotFoundError):
            (path / name).unlink()
    refs = path / "refs"
    if refs.is_dir():
        for lock in refs.rglob("*.lock"):
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()


def update_clone(
    url: str,
    path: Path,
    *,
    env: Mapping[str, str],
    timeout: float,
    cancel: CancelToken | None = None,
    secrets: tuple[str | None, ...] = (),
    what: str = "",
    filter_spec: str = BLOBLESS,
) -> CloneState:
    """Clone ``url`` into ``path`` (bare, partial, default branch only), or fetch if it exists.

    Args:
        url: Remote URL without credentials.
        path: The clone directory inside the cache (``core.paths.git_clone_dir``).
        env: Environment from ``git_env`` (no prompts, token header).
        timeout: Seconds before the clone or fetch is killed.
        cancel: Kills git and raises ``Cancelled`` when cancelled.
        secrets: Tokens to redact from messages.
        what: The repository id, for messages.
        filter_spec: The partial-clone filter (``BLOBLESS`` or ``SMALL_BLOBS``); later fetches
            of the clone use the filter it was made with.

    Raises:
        SourceFailure: The remote is missing, needs credentials, is unreachable, or git failed.
    """
    what = what or url
    with clone_lock(path):
        for stale in path.parent.glob(f"{path.name}.partial-*"):
            shutil.rmtree(stale, ignore_errors=True)
        if not (path / "HEAD").exists():
            if path.exists():
                shutil.rmtree(path)  # not a repository: a leftover of something interrupted
            tmp = path.with_name(f"{path.name}.partial-{os.getpid()}")
            try:
                run_git(
                    [
                        "clone",
                        "--bare",
                        f"--filter={filter_spec}",
                        "--single-branch",
                        "--no-tags",
                        "--quiet",
                        "--",
                        url,
                        str(tmp),
                    ],
                    env=env,
                    timeout=timeout,
                    cancel=cancel,
                    secrets=secrets,
                    what=what,
                )
                _set_refspec(tmp)
                os.replace(tmp, path)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            return CloneState(path, None, _head(path, env, timeout), cloned=True)
        _remove_stale_locks(path)
        _sync_remote_url(path, url)
        before = _head(path, env, timeout)
        # A clone made with another filter (HF clones were blob-less before) is refetched once
        # with this one, so that "not local" keeps meaning "filtered out" (core.mining.git_blobs).
        # A full clone (the server ignored the filter) has every blob already: nothing to redo.
        current = _filter_of(path)
        refilter = ["--refetch", f"--filter={filter_spec}"] if current and current != filter_spec else []
        run_git(
            ["fetch", "--prune", "--no-tags", "--quiet", *refilter, "origin"],
            cwd=path,
            env=env,
            timeout=timeout,
            cancel=cancel,
            secrets=secrets,
            what=what,
        )
        if refilter:  # git applies --filter to this fetch only; later fetches read the config
            run_git(["config", "remote.origin.partialclonefilter", filter_spec], cwd=path, env=env, timeout=timeout)
        after = _head(path, env, timeout)
        if after is None and before is not None:
            after = _follow_default_branch(path, env, timeout, cancel, secrets, what)
        return CloneState(path, before, after, cloned=False)


def _filter_of(path: Path) -> str:
    """Return the partial-clone filter the clone at ``path`` fetches with ('' for a full clone)."""
    import git

    repo = git.Repo(path)
    try:
        value = repo.config_reader().get_value('remote "origin"', "partialclonefilter", default="")
    finally:
        repo.close()
    return str(value)


def _sync_remote_url(path: Path, url: str) -> None:
    """Point origin at ``url`` if settings moved (github.base_url changed)."""
    import git

    repo = git.Repo(path)
    try:
        reader = repo.config_reader()
        current = reader.get_value('remote "origin"', "url", default="")
        if current != url:
            with repo.config_writer() as writer:
                writer.set_value('remote "origin"', "url", url)
    finally:
        repo.close()


def _follow_default_branch(
    path: Path,
    env: Mapping[str, str],
    timeout: float,
    cancel: CancelToken | None,
    secrets: tuple[str | None, ...],
    what: str,
) -> str | None:
    """The remote renamed its default branch (master -> main): switch HEAD and the refspec to it."""

    def remote(*args: str) -> bytes:
        return run_git(list(args), cwd=path, env=env, timeout=timeout, cancel=cancel, secrets=secrets, what=what).stdout

    out = remote("ls-remote", "--symref", "origin", "HEAD").decode("utf-8", "replace")
    for line in out.splitlines():
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            branch = line[len("ref: refs/heads/") : -len("\tHEAD")]
            if not branch or branch.startswith("-") or ".." in branch:
                return None
            run_git(["symbolic-ref", "HEAD", f"refs/heads/{branch}"], cwd=path, env=env, timeout=timeout)
            _set_refspec(path)
            remote("fetch", "--no-tags", "--quiet", "origin")
            return _head(path, env, timeout)
    return None


def is_ancestor(path: Path, old: str, new: str, env: Mapping[str, str], timeout: float) -> bool:
    """True if commit ``old`` is reachable from ``new`` (the branch only moved forward)."""
    try:
        run_git(["merge-base", "--is-ancestor", old, new], cwd=path, env=env, timeout=timeout)
    except SourceFailure:
        return False
    return True

"""Provides the GitHub side of mining: a bare, blob-less partial clone per repository, and its history.

The first sync clones with ``--bare --filter=blob:none --single-branch`` into the cache (commits
and trees only: no file contents are ever needed, because ``git log --no-renames
--name-status`` reads trees, not blobs); later syncs ``git fetch`` and compare the branch head
with the one recorded at the last success, so a repository with nothing new costs one fetch
and no log. A clone is built in a temporary directory and renamed into place, and every clone
is used under a file lock, so an interrupted sync never leaves a half clone behind.

The history is read by one ``git log`` subprocess (through GitPython) and parsed with
vectorised polars string operations, so reading 100k commits costs little more than git
itself. Author dates are read as Unix times (``%at``), hence exact in UTC whatever the zone
recorded; merge commits are kept, with their parents; messages that are not UTF-8 are
re-encoded by git when they declare their encoding and decoded with replacement otherwise.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from core.progress import CancelToken
from core.repo_ids import require_repo_id
from core.sources import failures as st
from core.sources.failures import SourceFailure
from core.sources.git_run import run_git

# NUL cannot occur in a printed commit message, so it delimits records safely; within the
# header, fields are split at \x1f and the message is the last field, so it may hold anything.
LOG_FORMAT = "--format=%x00%H%x1f%P%x1f%an%x1f%at%x1f%B%x00"
LOG_OPTIONS = ("--no-renames", "--name-status", "--encoding=UTF-8", "--no-color", "--no-abbrev", LOG_FORMAT)


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
) -> CloneState:
    """Clone ``url`` into ``path`` (bare, blob-less, default branch only), or fetch if it exists.

    Args:
        url: Remote URL without credentials.
        path: The clone directory inside the cache (``core.paths.git_clone_dir``).
        env: Environment from ``git_env`` (no prompts, token header).
        timeout: Seconds before the clone or fetch is killed.
        cancel: Kills git and raises ``Cancelled`` when cancelled.
        secrets: Tokens to redact from messages.
        what: The repository id, for messages.

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
                        "--filter=blob:none",
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
        run_git(
            ["fetch", "--prune", "--no-tags", "--quiet", "origin"],
            cwd=path,
            env=env,
            timeout=timeout,
            cancel=cancel,
            secrets=secrets,
            what=what,
        )
        after = _head(path, env, timeout)
        if after is None and before is not None:
            after = _follow_default_branch(path, env, timeout, cancel, secrets, what)
        return CloneState(path, before, after, cloned=False)


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
    out = run_git(
        ["ls-remote", "--symref", "origin", "HEAD"],
        cwd=path,
        env=env,
        timeout=timeout,
        cancel=cancel,
        secrets=secrets,
        what=what,
    ).stdout.decode("utf-8", "replace")
    for line in out.splitlines():
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            branch = line[len("ref: refs/heads/") : -len("\tHEAD")]
            if not branch or branch.startswith("-") or ".." in branch:
                return None
            run_git(["symbolic-ref", "HEAD", f"refs/heads/{branch}"], cwd=path, env=env, timeout=timeout)
            _set_refspec(path)
            run_git(
                ["fetch", "--no-tags", "--quiet", "origin"],
                cwd=path,
                env=env,
                timeout=timeout,
                cancel=cancel,
                secrets=secrets,
                what=what,
            )
            return _head(path, env, timeout)
    return None


def is_ancestor(path: Path, old: str, new: str, env: Mapping[str, str], timeout: float) -> bool:
    """True if commit ``old`` is reachable from ``new`` (the branch only moved forward)."""
    try:
        run_git(["merge-base", "--is-ancestor", old, new], cwd=path, env=env, timeout=timeout)
    except SourceFailure:
        return False
    return True


def read_log(path: Path, *, since: str | None = None, timeout: float = 3600.0) -> bytes:
    """Return the raw ``git log`` of the clone's HEAD (only commits after ``since`` when given).

    One subprocess through GitPython's ``repo.git.log``; ``--no-renames`` matters in a partial
    clone: rename detection would download blobs.
    """
    import git

    repo = git.Repo(path)
    # Paths with non-ASCII characters are printed as they are, not C-quoted.
    repo.git.set_persistent_git_options(c="core.quotePath=false")
    try:
        revision = f"{since}..HEAD" if since else "HEAD"
        out: bytes = repo.git.log(*LOG_OPTIONS, revision, "--", stdout_as_string=False, kill_after_timeout=timeout)
    except git.GitCommandError as exc:
        stderr = exc.stderr if isinstance(exc.stderr, str) else str(exc.stderr)
        raise SourceFailure(
            st.ERROR,
            f"git log failed in {path.name}: {stderr.strip()[:200]}",
            "remove the clone directory in the cache and sync again",
        ) from None
    finally:
        repo.close()
    return out


def parse_log(raw: bytes, *, family: str, repo: str, source: str = "sync") -> pl.DataFrame:
    """Parse ``read_log`` output into rows of the cache's commits schema (vectorised).

    Args:
        raw: The bytes git printed with ``LOG_OPTIONS``.
        family: Family id for every row.
        repo: GitHub ``owner/name`` for every row.
        source: The ``source`` column.

    Returns:
        One row per commit, newest first as git printed them; ``files`` as ``S:path`` joined
        by ``|``, empty for merges; ``parents`` space-separated.
    """
    from cache.schema import TABLES

    text = raw.decode("utf-8", "replace")
    parts = text.split("\x00")
    heads, bodies = parts[1::2], parts[2::2]
    if not heads:
        return pl.DataFrame(schema=TABLES["commits"])
    frame = pl.DataFrame({"h": heads, "f": bodies[: len(heads)] + [""] * (len(heads) - len(bodies))})
    fields = pl.col("h").str.splitn("\x1f", 5)
    message = fields.struct.field("field_4").str.strip_chars_end()
    return frame.select(
        pl.lit(family).alias("family"),
        pl.lit("github").alias("platform"),
        pl.lit(repo).alias("repo"),
        fields.struct.field("field_0").alias("sha"),
        pl.from_epoch(fields.struct.field("field_3").cast(pl.Int64, strict=False), time_unit="s")
        .dt.cast_time_unit("us")
        .dt.replace_time_zone("UTC")
        .alias("authored_at"),
        fields.struct.field("field_2").alias("author"),
        message.str.extract(r"^([^\n]*)", 1).fill_null("").alias("title"),
        message.alias("message"),
        pl.col("f")
        .str.strip_chars("\n")
        .str.replace_all("\t", ":", literal=True)
        .str.replace_all("\n", "|", literal=True)
        .alias("files"),
        fields.struct.field("field_1").alias("parents"),
        pl.lit(source).alias("source"),
    )

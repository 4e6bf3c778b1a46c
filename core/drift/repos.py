"""Provides the repositories drift reads: local ones in place, anything else as a partial clone in a work directory.

``drift --github GIT --hub GIT`` takes a local path, a ``file://`` URL, a remote URL or a git
bundle. A local repository is read where it is (its HEAD; nothing is written to it); anything
else is cloned bare and partial into a temporary directory, as sync does for the cache:
GitHub blob-less, HF keeping its blobs under 1 KiB so that LFS pointers are known without a
download (``core.mining.git_blobs``). Each side's first-parent history is one ``git log``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import polars as pl

from core.drift.events import ORDER_SCHEMA, file_events
from core.errors import InputError
from core.mining.failures import SourceFailure

_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:")  # git@github.com:owner/name.git


@dataclass(frozen=True)
class Repository:
    """One repository drift reads: the name it goes by in the table and where git finds it."""

    name: str
    path: Path
    cloned: bool  # a partial clone in the work directory (else read in place)
    env: Mapping[str, str] = field(default_factory=dict)  # for git commands that may fetch (no prompts)


def is_remote(spec: str) -> bool:
    """True for a URL (``https://``, ``ssh://``, ``file://``, ``git@host:path``), false for a local path."""
    return "://" in spec or bool(_SCP_LIKE.match(spec))


def display_name(spec: str) -> str:
    """The name a repository goes by in the drift table: ``owner/name`` of a URL, else the path as given."""
    if is_remote(spec) and not spec.startswith("file://"):
        path = urlsplit(spec).path if "://" in spec else spec.split(":", 1)[1]
        name = path.strip("/").removesuffix(".git")
        if name:
            return name
    return spec


def _git_dir(path: Path) -> Path | None:
    """The repository at ``path`` (work tree or bare), or None if git says it is not one."""
    import git

    try:
        repo = git.Repo(path)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return None
    try:
        return Path(repo.git_dir) if repo.bare else Path(repo.working_tree_dir or path)
    finally:
        repo.close()


def open_repository(spec: str, workdir: Path, *, platform: str, timeout: float, token: str | None = None) -> Repository:
    """Return the repository ``spec`` names, cloning it into ``workdir`` unless it is a local repository.

    Args:
        spec: A local path, a git bundle, a ``file://`` URL or a remote URL.
        workdir: Where clones go (a temporary directory the caller removes).
        platform: ``github`` (blob-less clone) or ``huggingface`` (small blobs kept).
        timeout: Seconds before a clone is abandoned.
        token: Sent as an HTTP header to the URL's host, when given.

    Raises:
        InputError: A local path that does not exist or is not a git repository, or a
            remote that cannot be cloned (the one-line reason from git).
    """
    from core.mining.git_clones import BLOBLESS, SMALL_BLOBS, update_clone
    from core.mining.git_run import git_env

    name = display_name(spec)
    local = Path(spec).expanduser()
    if not is_remote(spec):
        if not local.exists():
            raise InputError("No such repository", spec, "give a local path, a file:// URL or a remote git URL")
        if local.is_dir():
            found = _git_dir(local)
            if found is None:
                raise InputError(
                    "Not a git repository", spec, "give the path of a git repository (or a bundle, or a URL)"
                )
            return Repository(name, found, cloned=False, env=git_env("file://", None))
        spec = str(local.resolve())  # a file: a git bundle, cloned like a remote
    url = spec
    base = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" if "://" in url else url
    target = workdir / platform / f"{len(list(workdir.glob(f'{platform}/*')))}.git"
    env = git_env(base, token)
    try:
        update_clone(
            url,
            target,
            env=env,
            timeout=timeout,
            secrets=(token,),
            what=name,
            filter_spec=SMALL_BLOBS if platform == "huggingface" else BLOBLESS,
        )
    except SourceFailure as exc:
        raise InputError("Cannot read repository", exc.detail, "check the path or URL and your access") from None
    return Repository(name, target, cloned=True, env=env)


def first_parent_events(repository: Repository, *, timeout: float = 3600.0) -> pl.DataFrame:
    """Return the drift events of the repository's HEAD (one ``git log --first-parent --raw``).

    Raises:
        InputError: The repository has no commits, or git cannot read it.
    """
    from core.mining.git_log import parse_history, read_log

    try:
        raw = read_log(repository.path, first_parent=True, messages=False, timeout=timeout)
    except SourceFailure as exc:
        raise InputError(
            "Cannot read the history", f"{repository.name}: {exc.detail}", "is it an empty repository?"
        ) from None
    history = parse_history(raw, family="", repo=repository.name)
    # git printed the chain newest first: the last row is the root (seq 0).
    order = history.commits.select(
        "repo", "sha", (pl.len() - 1 - pl.int_range(pl.len())).cast(pl.Int64).alias("seq"), "authored_at"
    )
    return file_events(history.changes, order.select(list(ORDER_SCHEMA)))


def lfs_pointers(repository: Repository, candidates: Iterable[str], *, timeout: float = 300.0) -> set[str]:
    """Return which ``candidates`` (blobs the variant shares with GitHub) are git LFS pointers.

    Raises:
        InputError: The blobs cannot be read (a remote that went away during the run).
    """
    from core.mining.git_blobs import lfs_pointer_blobs

    try:
        return lfs_pointer_blobs(repository.path, candidates, repository.env, timeout=timeout)
    except SourceFailure as exc:
        raise InputError("Cannot read blobs", f"{repository.name}: {exc.detail}", exc.hint) from None


def read_blob(repository: Repository, blob: str | None, *, timeout: float = 300.0) -> bytes | None:
    """Return one blob's content (None for None: the path is absent); a partial clone fetches it.

    Raises:
        InputError: The blob cannot be had.
    """
    from core.mining.git_blobs import network_allowed, read_blobs

    if blob is None:
        return None
    try:
        return read_blobs(repository.path, [blob], repository.env, timeout=timeout, what=repository.name)[blob]
    except SourceFailure as exc:
        hint = exc.hint if network_allowed(repository.env) else "the clone lacks this version: drop --offline"
        raise InputError("Cannot read a file version", exc.detail, hint) from None

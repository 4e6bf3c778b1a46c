"""Provides the git facts a proposal needs beyond the drift table: commits' titles and authors, LFS attributes, HEAD.

All of it comes from the clones sync keeps (commits and trees are complete in a blob-less
clone); only ``.gitattributes`` files and the file versions proposed are blobs, fetched on
demand one by one (offline: only what the clone holds).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from core.drift.repos import Repository
from core.errors import InputError
from core.mining.failures import SourceFailure

_FIELD = "\x1f"
_RECORD = "\x1e"
# sha, author name, author email, author date (strict ISO 8601), subject, then the whole message.
_FORMAT = f"{_RECORD}%H{_FIELD}%an{_FIELD}%ae{_FIELD}%aI{_FIELD}%s{_FIELD}%B{_FIELD}"
TIMEOUT = 300.0


@dataclass(frozen=True)
class CommitRef:
    """One commit brought over by a proposal, as its message and the patch name it."""

    sha: str
    author: str
    email: str
    authored_at: dt.datetime  # UTC
    title: str
    message: str

    @property
    def short(self) -> str:
        """The first 7 hex digits, as git abbreviates."""
        return self.sha[:7]


def _git(
    repo: Repository, args: Sequence[str], *, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> str:
    from core.mining.git_blobs import network_allowed
    from core.mining.git_log import decode_lossless
    from core.mining.git_run import run_git

    env = env or dict(repo.env)
    try:
        out = run_git(args, cwd=repo.path, env=env, timeout=TIMEOUT, what=repo.name, stdin=stdin)
    except SourceFailure as exc:
        hint = exc.hint if network_allowed(env) else "offline, the clone lacks what this needs: drop --offline"
        raise InputError("Cannot read the clone", exc.detail, hint) from None
    return decode_lossless(out.stdout)


def head_commit(repo: Repository) -> str:
    """The full id of the repository's HEAD commit."""
    return _git(repo, ["rev-parse", "--verify", "HEAD^{commit}"]).strip()


def _parse(out: str) -> list[CommitRef]:
    refs = []
    for record in out.split(_RECORD)[1:]:
        sha, author, email, date, title, message, *_ = record.split(_FIELD)
        when = dt.datetime.fromisoformat(date).astimezone(dt.UTC)
        refs.append(CommitRef(sha.strip(), author, email, when, title, message.strip("\n")))
    return refs


def commits(repo: Repository, shas: Iterable[str]) -> list[CommitRef]:
    """The commits ``shas`` of ``repo``, oldest first (author date, then id)."""
    wanted = list(dict.fromkeys(s for s in shas if s))
    if not wanted:
        return []
    out = _git(repo, ["log", "--no-walk=unsorted", f"--format={_FORMAT}", "--stdin"], stdin="\n".join(wanted).encode())
    return sorted(_parse(out), key=lambda c: (c.authored_at, c.sha))


def path_changes(repo: Repository, path: str, count: int) -> list[CommitRef]:
    """The last ``count`` first-parent commits of HEAD that changed ``path``'s content, oldest first.

    A commit that only changed the file's mode is not a change (as in drift's events).
    """
    if count <= 0:
        return []
    out = _git(
        repo,
        ["log", "--first-parent", "--no-renames", "--raw", "--no-abbrev", f"--format={_FORMAT}", "HEAD", "--", path],
    )
    found = []
    for ref, record in zip(_parse(out), out.split(_RECORD)[1:], strict=True):
        raw = record.rsplit(_FIELD, 1)[-1]
        for line in raw.splitlines():
            meta = line.split("\t", 1)[0].split()
            if line.startswith(":") and len(meta) >= 4 and meta[2] != meta[3]:
                found.append(ref)
                break
        if len(found) == count:
            break
    return found[::-1]


def lfs_tracked(repo: Repository, paths: Sequence[str]) -> set[str]:
    """The ``paths`` whose ``.gitattributes`` at HEAD say ``filter=lfs`` (git itself reads the attributes).

    git before 2.40 reads attributes of another revision only from an index: one is written
    for HEAD in a temporary file (outside the clone) and ``check-attr --cached`` asks it.
    """
    if not paths:
        return set()
    handle, index = tempfile.mkstemp(prefix="ptlm-propose-", suffix=".index")
    os.close(handle)
    os.unlink(index)  # git writes it anew
    env = {**repo.env, "GIT_INDEX_FILE": index}
    try:
        _git(repo, ["read-tree", "HEAD"], env=env)
        names = "".join(p + "\0" for p in paths).encode()
        out = _git(repo, ["check-attr", "--cached", "-z", "filter", "--stdin"], stdin=names, env=env)
    finally:
        if os.path.exists(index):
            os.unlink(index)
    parts = out.split("\0")
    tracked = set()
    for i in range(0, len(parts) - 2, 3):
        path, _attr, value = parts[i : i + 3]
        if value == "lfs":
            tracked.add(path)
    return tracked


def tree_modes(repo: Repository, paths: Sequence[str]) -> dict[str, str]:
    """The git file mode (``100644``, ``100755``) of each of ``paths`` in HEAD's tree; absent paths are left out."""
    if not paths:
        return {}
    out = _git(repo, ["ls-tree", "-z", "HEAD", "--", *paths])
    modes = {}
    for entry in filter(None, out.split("\0")):
        meta, _, path = entry.partition("\t")
        modes[path] = meta.split()[0]
    return modes

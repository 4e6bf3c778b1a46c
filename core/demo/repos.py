"""Provides build_repository(): one demo repository as a real bare git repository, written by ``git fast-import``.

The demo cache's commits go in exactly as generated (their files, parents, author, time,
message), so git gives them the ids the cache already holds (``core.demo.git_ids``,
``core.demo.files``); this is checked, and a mismatch is an error rather than a demo that
silently re-reads everything.
Newer commits (``core.demo.news``) follow with real files, so a sync reads their changed files
from git as it would on GitHub.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from core.demo.generate import Commit
from core.demo.git_ids import signature
from core.demo.news import NewCommit
from core.errors import CacheError

_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/local/bin:/usr/bin:/bin"}


def run_git(*args: str, cwd: Path | None = None, data: bytes | None = None) -> str:
    """Run git quietly and return its output.

    Raises:
        CacheError: git is missing or failed.
    """
    run = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, env=_ENV, check=False, timeout=120)
    if run.returncode != 0:
        raise CacheError(
            "Cannot build the demo source",
            f"git {args[0]}: {run.stderr.decode(errors='replace').strip()[:300]}",
            "check that git is installed (the demo's sync uses it like a real one)",
        )
    return run.stdout.decode()


def _data(text: str) -> bytes:
    return _raw(text.encode("utf-8"))


def _raw(data: bytes) -> bytes:
    return b"data %d\n" % len(data) + data + b"\n"


def build_repository(
    path: Path, history: Sequence[Commit], news: Sequence[NewCommit] = (), blobs: Mapping[str, bytes] | None = None
) -> str:
    """Write ``history`` then ``news`` into a new bare repository at ``path`` (branch main); return its head.

    Args:
        path: Where the bare repository goes.
        history: The demo cache's commits of the repository, oldest first, with their file changes.
        news: Commits the source has and the cache does not (``core.demo.news``).
        blobs: The file contents the history's changes name, by blob id.

    Raises:
        CacheError: git is missing or failed, or gave a cached commit another id than the cache's.
    """
    path.mkdir(parents=True, exist_ok=True)
    run_git("init", "--quiet", "--bare", "--initial-branch=main", str(path))
    # Blob-less clones (as sync makes them) need the server side to allow filters.
    for key, value in (("uploadpack.allowFilter", "true"), ("uploadpack.allowAnySHA1InWant", "true")):
        run_git("config", key, value, cwd=path)
    marks: dict[str, int] = {}
    stream: list[bytes] = []
    for commit in history:
        mark = marks[commit.sha] = len(marks) + 1
        stream.append(f"commit refs/heads/main\nmark :{mark}\n".encode())
        stream.append(f"author {signature(commit.author, commit.authored_at)}\n".encode())
        stream.append(f"committer {signature(commit.author, commit.authored_at)}\n".encode())
        stream.append(_data(commit.message))
        parents = commit.parents.split()
        if parents:
            stream.append(f"from :{marks[parents[0]]}\n".encode())
        stream.extend(f"merge :{marks[p]}\n".encode() for p in parents[1:])
        # The changes against the first parent, so git builds the very tree the cache's id names.
        for change in commit.changes:
            if change.new_blob is None:
                stream.append(f"D {change.path}\n".encode())
            else:
                stream.append(f"M 100644 inline {change.path}\n".encode() + _raw((blobs or {})[change.new_blob]))
        stream.append(b"\n")
    last = f":{len(marks)}" if marks else None
    for n, new in enumerate(news):
        mark = len(marks) + n + 1
        stream.append(f"commit refs/heads/main\nmark :{mark}\n".encode())
        stream.append(
            f"author {signature(new.author, new.when)}\ncommitter {signature(new.author, new.when)}\n".encode()
        )
        stream.append(_data(new.message))
        if last is not None:
            stream.append(f"from {last}\n".encode())
        for status, file in new.files:
            if status == "D":
                stream.append(f"D {file}\n".encode())
            else:
                stream.append(f"M 100644 inline {file}\n".encode() + _data(f"{file}: {new.title}\n"))
        stream.append(b"\n")
        last = f":{mark}"
    marks_file = path / "demo-marks"
    run_git("fast-import", "--quiet", f"--export-marks={marks_file}", cwd=path, data=b"".join(stream))
    written = dict(line.split(" ", 1) for line in marks_file.read_text().splitlines())
    marks_file.unlink()
    wrong = [sha for sha, mark in marks.items() if written.get(f":{mark}", "").strip() != sha]
    if wrong:
        raise CacheError(
            "The demo source does not match the demo cache",
            f"{path.name}: git gave {len(wrong)} generated commits other ids (first {wrong[0][:12]})",
            "please report it; the demo cache itself is fine",
        )
    return run_git("rev-parse", "HEAD", cwd=path).strip() if stream else ""

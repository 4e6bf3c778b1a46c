"""Provides held_lock(): an exclusive file lock with a bounded wait that says who holds it.

The cache's tables need no lock (Delta commits are optimistic). The few one-off jobs that
must not run twice at once (migrating an old cache, building the demo) take this lock; a second
process waits a bounded time, then fails with the holder's pid, host, command and start time
instead of hanging silently.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from core.errors import CacheError

DEFAULT_WAIT = 60.0


def _holder(path: Path) -> str:
    try:
        data = json.loads(path.read_text("utf-8") or "{}")
    except (OSError, ValueError):
        return "another process (no holder recorded)"
    return (
        f"pid {data.get('pid', '?')} on {data.get('host', '?')} ({data.get('command', '?')}), "
        f"since {data.get('since', '?')}"
    )


@contextlib.contextmanager
def held_lock(path: Path, what: str, *, wait: float = DEFAULT_WAIT) -> Iterator[None]:
    """Hold the exclusive lock at ``path`` while the block runs.

    Args:
        path: The lock file (created if missing; never deleted, so waiting processes share it).
        what: What the lock protects, for the error message.
        wait: Seconds to wait for another holder before giving up.

    Raises:
        CacheError: Another process held the lock for longer than ``wait`` (names it).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise CacheError(
                        f"Timed out after {wait:.0f} s waiting for the lock on {what}",
                        f"held by {_holder(path)}",
                        f"wait for that process to finish, or stop it; the lock is {path}",
                    ) from None
                time.sleep(0.05)
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:200],
            "since": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(info))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

"""Provides small-file helpers: atomic writes (manifests, markers, examples) and a table log's newest entry."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from core.files import atomic_write

_LOG_NAME = re.compile(r"^(\d{20})\.json$")


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (``core.files.atomic_write``: temp file, fsync, rename)."""
    atomic_write(path, data)


def log_stamp(log: Path) -> tuple[int, ...]:
    """Return the newest version in a table's log and the identity of its entry.

    A table replaced from outside may start again at the same version number, within the same
    tick of the file system's clock: the entry's inode and size tell the two apart.
    """
    version = local_version(log)
    if version < 0:
        return (version,)
    try:
        stat = (log / f"{version:020d}.json").stat()
    except OSError:
        return (version,)
    return version, stat.st_mtime_ns, stat.st_ino, stat.st_size


def local_version(log: Path) -> int:
    """Return the newest version in a table's log directory (-1 when it has none)."""
    best = -1
    try:
        with_entries = list(log.iterdir())
    except OSError:
        return -1
    for entry in with_entries:
        match = _LOG_NAME.match(entry.name)
        if match:
            best = max(best, int(match.group(1)))
    return best


def remove_local_tree(path: Path) -> None:
    """Remove a directory the cache made (a migration's or a build's temporary tree)."""
    shutil.rmtree(path, ignore_errors=True)

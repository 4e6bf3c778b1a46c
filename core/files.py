"""Provides atomic_write(): replace a file so that a reader or a crash sees the old or the new one, never half.

The one way ptlm-tui replaces a file it cares about (cache tables and manifest, the user's
config file): write a temporary file in the same directory, fsync it, rename it over the
target, fsync the directory so the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (not every platform lets a directory be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path, content: bytes | Callable[[Path], None], *, mode: int | None = None) -> None:
    """Replace ``path`` with ``content`` atomically.

    Args:
        path: The file to write; its directory must exist.
        content: The bytes, or a function that writes the temporary file it is given (for
            writers that want a path, such as ``DataFrame.write_parquet``).
        mode: Permission bits for the new file (the config file keeps the user's); None leaves
            the process's default.

    Raises:
        OSError: The write, the fsync or the rename failed; the target is unchanged.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        if isinstance(content, bytes):
            tmp.write_bytes(content)
        else:
            content(tmp)
        with tmp.open("rb+") as handle:
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    fsync_dir(path.parent)

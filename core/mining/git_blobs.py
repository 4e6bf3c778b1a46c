"""Provides blob reading from a (partial) clone: file contents on demand, and which shared blobs are LFS pointers.

A blob-less clone holds no file contents; ``git cat-file`` fetches a missing blob from the
remote when asked for it, one request per blob. So contents are asked only for what a person
wants to see (``drift --diff``: two blobs), and the git LFS pointer check reads only blobs that
are already local: HF clones keep every blob under 1 KiB (``git_history.SMALL_BLOBS``), which
covers every pointer file (the LFS spec caps them at 1023 bytes), so a shared blob missing
from such a clone is larger than any pointer and needs no download to be ruled out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Final

from core.mining.git_run import run_git

LFS_PREFIX: Final = b"version https://git-lfs"
LFS_MAX_SIZE: Final = 1024  # pointer files are smaller (git-lfs spec)
_LIMIT_RE = re.compile(r"^blob:limit=(\d+)([kmg]?)$")
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def _config(path: Path, key: str, env: Mapping[str, str], timeout: float) -> str:
    from core.mining.failures import SourceFailure

    try:
        return run_git(["config", "--get", key], cwd=path, env=env, timeout=timeout).stdout.decode().strip()
    except SourceFailure:  # exit status 1: the key is not set
        return ""


def offline_env(env: Mapping[str, str]) -> dict[str, str]:
    """Return ``env`` with every transport but local files refused: a missing blob then fails, never fetches."""
    return {**env, "GIT_ALLOW_PROTOCOL": "file"}


def network_allowed(env: Mapping[str, str]) -> bool:
    """False when ``env`` came from ``offline_env``."""
    return env.get("GIT_ALLOW_PROTOCOL", "file:http") != "file"


def kept_blob_limit(path: Path, env: Mapping[str, str], timeout: float = 60.0) -> int | None:
    """Return the size under which the clone holds every blob: None when it holds them all.

    A full repository holds everything (None); a ``blob:limit=N`` clone every blob under N
    bytes; a blob-less clone none (0).
    """
    spec = _config(path, "remote.origin.partialclonefilter", env, timeout)
    if not spec:
        return None
    match = _LIMIT_RE.match(spec.lower())
    return int(match.group(1)) * _UNITS[match.group(2)] if match else 0


def local_blob_sizes(path: Path, env: Mapping[str, str], timeout: float = 300.0) -> dict[str, int]:
    """Return the sizes of the blobs present in the clone (never fetches: it lists local objects)."""
    out = run_git(
        ["cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectname) %(objectsize)"],
        cwd=path,
        env=env,
        timeout=timeout,
    ).stdout.decode()
    sizes: dict[str, int] = {}
    for line in out.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "blob":
            blob, _, size = rest.partition(" ")
            sizes[blob] = int(size)
    return sizes


def read_blobs(
    path: Path, blobs: Iterable[str], env: Mapping[str, str], *, timeout: float = 300.0, what: str = ""
) -> dict[str, bytes]:
    """Return the contents of ``blobs`` (one ``git cat-file --batch``; a partial clone fetches missing ones).

    Raises:
        SourceFailure: git failed, or a blob could not be had (the remote is unreachable).
    """
    from core.mining import failures as st
    from core.mining.failures import SourceFailure

    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    out = run_git(
        ["cat-file", "--batch"],
        cwd=path,
        env=env,
        timeout=timeout,
        what=what or path.name,
        stdin=("\n".join(wanted) + "\n").encode(),
    ).stdout
    found: dict[str, bytes] = {}
    pos = 0
    for blob in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].decode().split()
        pos = end + 1
        if len(header) != 3:
            raise SourceFailure(
                st.NOT_FOUND,
                f"{what or path.name}: blob {blob[:12]} is {' '.join(header[1:]) or 'unreadable'}",
                "fetch the repository again (its remote may be unreachable)",
            )
        size = int(header[2])
        found[blob] = out[pos : pos + size]
        pos += size + 1  # the content is followed by a newline
    return found


def lfs_pointer_blobs(
    path: Path, candidates: Iterable[str], env: Mapping[str, str], *, timeout: float = 300.0
) -> set[str]:
    """Return the ``candidates`` whose content is a git LFS pointer (text starting ``version https://git-lfs``).

    Only blobs that can be pointers are read: in a clone that keeps small blobs, the local ones
    under 1 KiB; in a full repository, those ``--batch-check`` says are under 1 KiB. A
    blob-less clone (which keeps no sizes) has its candidates fetched.
    """
    wanted = set(candidates)
    if not wanted:
        return set()
    limit = kept_blob_limit(path, env, timeout)
    if limit is not None and limit >= LFS_MAX_SIZE:
        sizes = local_blob_sizes(path, env, timeout)
        small = [b for b in wanted if sizes.get(b, LFS_MAX_SIZE) < LFS_MAX_SIZE]
    elif limit is None:
        small = [b for b, size in _sizes(path, wanted, env, timeout).items() if size < LFS_MAX_SIZE]
    else:
        small = sorted(wanted)  # nothing says how large they are: read them
        if not network_allowed(env):  # offline: only what the clone holds (an old blob-less clone)
            local = local_blob_sizes(path, env, timeout)
            small = [b for b in small if local.get(b, LFS_MAX_SIZE) < LFS_MAX_SIZE]
    contents = read_blobs(path, small, env, timeout=timeout)
    return {blob for blob, data in contents.items() if data.startswith(LFS_PREFIX)}


def clone_lfs_pointers(path: Path, env: Mapping[str, str], *, timeout: float = 300.0) -> set[str]:
    """Return every git LFS pointer blob the clone holds (it must keep all blobs under 1 KiB, as HF clones do).

    Sync records them per repository, so drift from the cache knows which shared blobs never
    link without running git. Only local blobs are read: nothing is fetched.
    """
    sizes = local_blob_sizes(path, env, timeout)
    small = [blob for blob, size in sizes.items() if size < LFS_MAX_SIZE]
    contents = read_blobs(path, small, offline_env(env), timeout=timeout)
    return {blob for blob, data in contents.items() if data.startswith(LFS_PREFIX)}


def _sizes(path: Path, blobs: set[str], env: Mapping[str, str], timeout: float) -> dict[str, int]:
    """Sizes of ``blobs`` in a full repository (``--batch-check``; missing ones are left out)."""
    out = run_git(
        ["cat-file", "--batch-check=%(objectname) %(objecttype) %(objectsize)"],
        cwd=path,
        env=env,
        timeout=timeout,
        stdin=("\n".join(sorted(blobs)) + "\n").encode(),
    ).stdout.decode()
    sizes: dict[str, int] = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] == "blob":
            sizes[parts[0]] = int(parts[2])
    return sizes

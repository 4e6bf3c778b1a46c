"""Provides give_files(): real file trees for a demo family's commits, so its repositories hold real file histories.

The generator writes each commit's changed paths (``files``); here every commit gets the file
contents those paths hold after it, the tree git would build from them, and so the id git
gives the commit. Contents are invented and unique per commit (a line naming the path, the
commit's title and time), so files never match across repositories by accident; weights and
other large files are git LFS pointers, as on the Hub. Where a family's story says a file
was copied (an "Auto Sync" commit mirroring GitHub, or ``core.demo.drift_story``), the copy
holds the very same bytes, which is what drift (docs/method.md §8) links.

The commits' ``files`` become what git reports (a path written for the first time is ``A``,
a deletion of a path that does not exist is dropped), and ``changes`` the file changes with
blob ids that sync would read with ``git log --raw``. The demo cache and the demo source's
repositories are written from the same result, and ``core.demo.repos`` checks that git
agrees on every id.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from core.demo.git_ids import blob_id, commit_id, tree_id
from core.models import GITHUB

if TYPE_CHECKING:
    from core.demo.generate import Commit, FamilyData

LFS_SUFFIXES: Final = (".safetensors", ".bin", ".onnx", ".gguf", ".pt", ".h5", ".msgpack")


@dataclass(frozen=True)
class FileChange:
    """One path a commit changed, against its first parent: git's status and both blob ids."""

    path: str
    status: str  # A, M or D
    old_blob: str | None
    new_blob: str | None


@dataclass(frozen=True)
class Write:
    """A file a story writes with chosen bytes (None: deletes it)."""

    path: str
    content: bytes | None


def lfs_pointer(seed: str, size: int) -> bytes:
    """Return a git LFS pointer file for invented content named by ``seed``."""
    oid = hashlib.sha256(seed.encode()).hexdigest()
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n".encode()


def generic_content(repo: str, path: str, commit: Commit) -> bytes:
    """The invented content of ``path`` after ``commit`` (an LFS pointer for weights)."""
    if path.endswith(LFS_SUFFIXES) or "tfevents" in path:
        seed = f"{repo}/{path}@{commit.authored_at.isoformat()}"
        return lfs_pointer(seed, 100_000_000 + int(hashlib.sha256(seed.encode()).hexdigest()[:7], 16))
    stamp = commit.authored_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M")
    return f"{path} ({repo}): {commit.title} [{stamp}]\n".encode()


def _parse(files: str) -> list[tuple[str, str]]:
    pairs = [part.split(":", 1) for part in files.split("|") if ":" in part]
    return [(status, path) for status, path in pairs]


def _apply(base: Mapping[str, str], writes: Sequence[Write], blobs: dict[str, bytes]) -> dict[str, str]:
    state = dict(base)
    for write in writes:
        if write.content is None:
            state.pop(write.path, None)
        else:
            blob = blob_id(write.content)
            blobs.setdefault(blob, write.content)
            state[write.path] = blob
    return state


def _diff(old: Mapping[str, str], new: Mapping[str, str]) -> tuple[FileChange, ...]:
    out = []
    for path in sorted(old.keys() | new.keys()):
        before, after = old.get(path), new.get(path)
        if before != after:
            status = "A" if before is None else "D" if after is None else "M"
            out.append(FileChange(path, status, before, after))
    return tuple(out)


def give_files(data: FamilyData, story: Mapping[str, Sequence[Write]] | None = None) -> dict[str, bytes]:
    """Give every commit of ``data`` its files, changes and real git id (in place); return the blobs by id.

    Args:
        data: The generated family; its commits' ids, parents and links are rewritten.
        story: Writes by (generated) commit id that replace the commit's generic ones.

    Returns:
        Every file content by blob id (the demo source writes them into its repositories).
    """
    story = story or {}
    blobs: dict[str, bytes] = {}
    states: dict[str, dict[str, str]] = {}  # generated id -> the files after that commit
    writes: dict[str, list[Write]] = {}  # generated id -> what the commit itself wrote
    new_id: dict[str, str] = {}
    trees: dict[frozenset[tuple[str, str]], str] = {}
    # GitHub first: mirrored HF commits copy GitHub's files. Parents are older than children.
    ordered = sorted(data.commits, key=lambda c: (c.platform != GITHUB, c.repo, c.authored_at))
    by_id = {c.sha: c for c in data.commits}
    seeded = _deleted_before_written(ordered, story)
    for commit in ordered:
        old = commit.sha
        parents = commit.parents.split()
        base = states[parents[0]] if parents else {}
        if old in story:
            own = list(story[old])
        elif len(parents) > 1:  # a merge brings its branch's change onto the first parent
            own = list(writes[parents[1]])
        elif commit.linked_sha is not None and commit.linked_sha in states:
            own = _mirror(states[commit.linked_sha], by_id[commit.linked_sha], blobs)
        else:
            own = [
                Write(path, None if status == "D" else generic_content(commit.repo, path, commit))
                for status, path in _parse(commit.files)
            ]
        if not parents:  # the first commit also writes the files later ones delete
            own += [Write(path, generic_content(commit.repo, path, commit)) for path in seeded.get(commit.repo, [])]
        state = _apply(base, own, blobs)
        changes = _diff(base, state)
        writes[old], states[old] = own, state
        link = commit.linked_sha
        if link is not None and link in new_id:  # an Auto Sync title names the GitHub commit
            commit.title = commit.title.replace(link, new_id[link])
            commit.message = commit.message.replace(link, new_id[link])
            commit.linked_sha = new_id[link]
        commit.parents = " ".join(new_id[p] for p in parents)
        # git_log lists a merge's changed files as none (sync does too); its changes are still events.
        commit.files = "" if len(parents) > 1 else "|".join(f"{c.status}:{c.path}" for c in changes)
        commit.changes = changes
        commit.sha = new_id[old] = commit_id(
            commit.parents.split(), commit.author, commit.authored_at, commit.message, tree_id(state, trees)
        )
    return blobs


def _deleted_before_written(ordered: Sequence[Commit], story: Mapping[str, Sequence[Write]]) -> dict[str, list[str]]:
    """Per repository, the paths a generated commit deletes before any commit wrote them.

    A template may drop a file ("Drop TensorFlow support") that no earlier commit happened to
    add; the repository's first commit then holds it, so the deletion is a real one.
    """
    present: dict[str, set[str]] = {}
    seeded: dict[str, list[str]] = {}
    for commit in ordered:
        if commit.sha in story:
            continue
        paths = present.setdefault(commit.repo, set())
        for status, path in _parse(commit.files):
            if status != "D":
                paths.add(path)
            elif path not in paths and path not in seeded.get(commit.repo, []):
                seeded.setdefault(commit.repo, []).append(path)
    return seeded


def _mirror(github: Mapping[str, str], source: Commit, blobs: Mapping[str, bytes]) -> list[Write]:
    """The writes of an HF commit that mirrors ``source``: GitHub's changed files, byte for byte."""
    paths = [c.path for c in source.changes] or (["README.md"] if "README.md" in github else [])
    return [Write(p, blobs[github[p]] if p in github else None) for p in paths]

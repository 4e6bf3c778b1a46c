"""Provides commit_id(): the id git gives a commit, computed without git, so demo commits are real git commits.

The demo's commits are generated, but their ids are the ids git computes for exactly those
commits (empty tree, the generated parents, author, time and message). The demo source
(``core.demo.source``) writes the same commits into real repositories with ``git fast-import``,
so a sync of the demo meets the cache's own ids there: it reads only what is new, as it would
on real repositories, instead of seeing a rewritten history.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's id of a tree with no entries
DEMO_EMAIL_DOMAIN = "demo.invalid"  # reserved (RFC 2606): no real address


def email_of(author: str) -> str:
    """Return the invented e-mail address of a demo author (``.invalid``, never a real one)."""
    user = "-".join(author.lower().split()) or "someone"
    return f"{user}@{DEMO_EMAIL_DOMAIN}"


def signature(author: str, when: dt.datetime) -> str:
    """Return git's ``Name <email> <unix seconds> +0000`` for a demo author at ``when`` (UTC)."""
    return f"{author} <{email_of(author)}> {int(when.timestamp())} +0000"


def commit_id(parents: Sequence[str], author: str, when: dt.datetime, message: str, tree: str = EMPTY_TREE) -> str:
    """Return the id git gives the commit (author and committer alike, message stored as given)."""
    lines = [f"tree {tree}", *(f"parent {p}" for p in parents), f"author {signature(author, when)}"]
    lines.append(f"committer {signature(author, when)}")
    body = ("\n".join(lines) + "\n\n" + message).encode("utf-8")
    return hashlib.sha1(b"commit %d\x00" % len(body) + body).hexdigest()


def blob_id(data: bytes) -> str:
    """Return the id git gives a file holding ``data``."""
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def tree_id(files: Mapping[str, str], memo: dict[frozenset[tuple[str, str]], str] | None = None) -> str:
    """Return the id git gives the tree of ``files`` (path → blob id; every file mode 100644).

    Subdirectories are trees of their own (mode 40000); git orders a tree's entries by name,
    a directory's name compared as if it ended with ``/``. ``memo`` keeps subtrees already
    hashed: a commit changes a few files, so most of its subtrees are its parent's.
    """
    key = frozenset(files.items()) if memo is not None else None
    if key is not None and memo is not None and key in memo:
        return memo[key]
    here: dict[str, str] = {}
    below: dict[str, dict[str, str]] = {}
    for path, blob in files.items():
        head, sep, rest = path.partition("/")
        if sep:
            below.setdefault(head, {})[rest] = blob
        else:
            here[head] = blob
    entries = [(name, b"100644", blob) for name, blob in here.items()]
    entries += [(name, b"40000", tree_id(sub, memo)) for name, sub in below.items()]
    entries.sort(key=lambda e: e[0].encode() + (b"/" if e[1] == b"40000" else b""))
    body = b"".join(mode + b" " + name.encode() + b"\x00" + bytes.fromhex(sha) for name, mode, sha in entries)
    found = hashlib.sha1(b"tree %d\x00" % len(body) + body).hexdigest()
    if key is not None and memo is not None:
        memo[key] = found
    return found

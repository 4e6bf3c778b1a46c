"""Provides the difference between an HF file and its GitHub version: a unified diff, and JSON key by key.

The diff goes from the HF version to the GitHub one (what applying GitHub's change to HF would
do). ``.json`` files that both parse are also compared key by key (nested keys as dotted
paths, list items by index): which keys GitHub added, removed or changed.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from typing import Any, Final

BINARY_SNIFF: Final = 8000  # bytes looked at for a NUL, as git does


@dataclass(frozen=True)
class KeyChange:
    """One JSON key that differs: ``added`` (only on GitHub), ``removed`` (only on HF) or ``changed``."""

    change: str
    key: str
    hf: Any = None
    gh: Any = None


def is_binary(data: bytes) -> bool:
    """True when ``data`` looks binary (a NUL in its first 8000 bytes, git's rule)."""
    return b"\x00" in data[:BINARY_SNIFF]


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")  # every byte kept; the diff still lines up


def unified_diff(hf: bytes | None, gh: bytes | None, hf_label: str, gh_label: str, *, context: int = 3) -> str:
    """Return a unified diff from ``hf`` to ``gh`` (None: the file is absent on that side).

    Binary contents give one ``Binary files ... differ`` line, as git prints it.
    """
    old, new = hf or b"", gh or b""
    if old == new:
        return ""
    old_name = hf_label if hf is not None else "/dev/null"
    new_name = gh_label if gh is not None else "/dev/null"
    if is_binary(old) or is_binary(new):
        return f"Binary files {old_name} and {new_name} differ ({len(old)} and {len(new)} bytes)\n"
    lines = difflib.unified_diff(
        _text(old).splitlines(keepends=True),
        _text(new).splitlines(keepends=True),
        fromfile=old_name,
        tofile=new_name,
        n=context,
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)


def _flatten(value: Any, prefix: str, into: dict[str, Any]) -> None:
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _flatten(item, f"{prefix}.{key}" if prefix else str(key), into)
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            _flatten(item, f"{prefix}[{index}]", into)
    else:
        into[prefix or "."] = value


def json_changes(hf: bytes | None, gh: bytes | None) -> list[KeyChange] | None:
    """Return the keys GitHub added, removed or changed relative to HF, or None if either side is not JSON."""
    try:
        old = json.loads(hf) if hf is not None else {}
        new = json.loads(gh) if gh is not None else {}
    except ValueError:
        return None
    flat_old: dict[str, Any] = {}
    flat_new: dict[str, Any] = {}
    _flatten(old, "", flat_old)
    _flatten(new, "", flat_new)
    changes = [KeyChange("added", k, gh=flat_new[k]) for k in flat_new if k not in flat_old]
    changes += [KeyChange("removed", k, hf=flat_old[k]) for k in flat_old if k not in flat_new]
    changes += [
        KeyChange("changed", k, hf=flat_old[k], gh=flat_new[k])
        for k in flat_old
        if k in flat_new and (flat_old[k] != flat_new[k] or type(flat_old[k]) is not type(flat_new[k]))
    ]
    order = {"removed": 0, "changed": 1, "added": 2}
    return sorted(changes, key=lambda c: (c.key, order[c.change]))


def render_json_changes(changes: list[KeyChange]) -> str:
    """Return the key changes as lines: ``+ key: value`` added, ``- key: value`` removed, ``~ key: a -> b``."""
    if not changes:
        return "JSON: same keys and values (only formatting differs)\n"
    counts = ", ".join(f"{sum(c.change == k for c in changes)} {k}" for k in ("added", "removed", "changed"))
    out = [f"JSON keys: {counts}"]
    for c in changes:
        if c.change == "added":
            out.append(f"+ {c.key}: {json.dumps(c.gh, ensure_ascii=False)}")
        elif c.change == "removed":
            out.append(f"- {c.key}: {json.dumps(c.hf, ensure_ascii=False)}")
        else:
            out.append(f"~ {c.key}: {json.dumps(c.hf, ensure_ascii=False)} -> {json.dumps(c.gh, ensure_ascii=False)}")
    return "\n".join(out) + "\n"

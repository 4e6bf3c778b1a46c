"""Provides set_table_entry(): change one key of one table in the user's TOML config, textually.

The config file is the user's: it holds their comments, their order and maybe a token. So we
never re-serialise it; we replace or insert one line, check that the result still parses and
says what we meant, and write it atomically with the original file's permissions.
"""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

from core.errors import ConfigError
from core.files import atomic_write

_KEY_RE = re.compile(r"""^\s*("(?:[^"\\]|\\.)*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")
_HEADER_RE = re.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_ANY_HEADER_RE = re.compile(r"^\s*\[")


def _unquote(key: str) -> str:
    if key.startswith('"'):
        value: str = json.loads(key)
        return value
    if key.startswith("'"):
        return key[1:-1]
    return key


def _toml_string(value: str) -> str:
    # Repository ids are validated before they get here; json quoting is valid TOML for them.
    return json.dumps(value, ensure_ascii=False)


def _parse(text: str, path: Path) -> dict[str, object]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("Config file is not valid TOML", f"{path}: {exc}", "fix the file, then run again") from exc


def edit_text(text: str, table: str, key: str, value: str, path: Path) -> str:
    """Return ``text`` with ``key = value`` set in ``[table]``; everything else untouched.

    Raises:
        ConfigError: The text is not valid TOML, or the table is written in a form we do not
            edit (inline or dotted), so the user must edit it by hand.
    """
    data = _parse(text, path)
    lines = text.splitlines(keepends=True)
    entry = f"{_toml_string(key)} = {_toml_string(value)}\n"
    start = next(
        (i for i, line in enumerate(lines) if (m := _HEADER_RE.match(line)) and _unquote(m.group(1)) == table), None
    )
    if start is None:
        if table in data:
            raise ConfigError(
                f"Cannot edit [{table}] in the config file",
                f"{path}: the table is written inline or with dotted keys",
                f'add {key!r} = "{value}" to it by hand',
            )
        prefix = "" if not text or text.endswith("\n\n") else ("\n" if text.endswith("\n") else "\n\n")
        return text + prefix + f"[{table}]\n" + entry
    end = next((i for i in range(start + 1, len(lines)) if _ANY_HEADER_RE.match(lines[i])), len(lines))
    last_entry = start
    for i in range(start + 1, end):
        match = _KEY_RE.match(lines[i])
        if match is None:
            continue
        last_entry = i
        if _unquote(match.group(1)) == key:
            lines[i] = entry
            return "".join(lines)
    insert_at = last_entry + 1
    if insert_at > 0 and not lines[insert_at - 1].endswith("\n"):
        lines[insert_at - 1] += "\n"
    lines.insert(insert_at, entry)
    return "".join(lines)


def set_table_entry(path: Path, table: str, key: str, value: str) -> Path:
    """Set ``key = value`` in ``[table]`` of the TOML file at ``path`` and write it atomically.

    Args:
        path: The config file; created (with its directory) when missing.
        table: Top-level table name, for example ``links``.
        key: The key, written quoted.
        value: The string value.

    Returns:
        ``path``.

    Raises:
        ConfigError: The file cannot be read or written, is not valid TOML, or the edit would
            not give the intended value.
    """
    try:
        original = path.read_text(encoding="utf-8")
        mode: int | None = path.stat().st_mode & 0o777
    except FileNotFoundError:
        original, mode = "", None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            "Cannot read the config file", f"{path}: {exc}", "check the file and its permissions"
        ) from exc
    updated = edit_text(original, table, key, value, path)
    check = _parse(updated, path).get(table)
    if not isinstance(check, dict) or check.get(key) != value:
        raise ConfigError(
            "Refusing to write the config file", f"{path}: the edit of [{table}] did not read back", "edit it by hand"
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, updated.encode("utf-8"), mode=mode if mode is not None else 0o600)
    except OSError as exc:
        raise ConfigError(
            "Cannot write the config file", f"{path}: {exc.strerror or exc}", "check permissions"
        ) from exc
    return path

"""Provides the README key table, generated from the binding registry, and the function that rewrites it.

``ptlm-tui keys --readme README.md`` regenerates the block between ``<!-- keys:start -->`` and
``<!-- keys:end -->``; a test fails when the README drifts from the registry. No textual here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import InputError
from tui.bindings import SCOPES, commands_for, effective_keys, key_display

if TYPE_CHECKING:
    import polars as pl

START, END = "<!-- keys:start -->", "<!-- keys:end -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _keys(keys: str) -> str:
    return " ".join(f"`{_cell(key_display(k))}`" for k in keys.split(",") if k.strip())


def markdown_key_table(keymap: Mapping[str, str] | None = None) -> str:
    """Return every command as a markdown table: where, keys, action, what it does, id."""
    lines = [
        "| where | keys | action | what it does | id (for `[ui.keymap]`) |",
        "|---|---|---|---|---|",
    ]
    for scope, title in SCOPES.items():
        for command in commands_for(scope):
            lines.append(
                f"| {title} | {_keys(effective_keys(command, keymap))} | {_cell(command.description)} "
                f"| {_cell(command.tooltip)} | `{command.id}` |"
            )
    return "\n".join(lines) + "\n"


def text_key_table(keymap: Mapping[str, str] | None = None) -> str:
    """Return the key table for a terminal: one section per scope."""
    out = []
    for scope, title in SCOPES.items():
        out.append(title)
        for command in commands_for(scope):
            keys = key_display(effective_keys(command, keymap))
            out.append(f"  {keys:<16} {command.description:<14} {command.tooltip}  [{command.id}]")
        out.append("")
    return "\n".join(out)


def key_frame(keymap: Mapping[str, str] | None = None) -> pl.DataFrame:
    """Return every command as rows (where, keys, action, description, id) for csv, json and parquet."""
    import polars as pl

    rows = [
        {
            "where": title,
            "keys": key_display(effective_keys(command, keymap)),
            "action": command.description,
            "description": command.tooltip,
            "id": command.id,
        }
        for scope, title in SCOPES.items()
        for command in commands_for(scope)
    ]
    return pl.DataFrame(rows, schema={name: pl.String for name in ("where", "keys", "action", "description", "id")})


def readme_block() -> str:
    """Return the whole generated block, markers included."""
    note = "<!-- generated from tui/bindings.py by `ptlm-tui keys --readme README.md`; do not edit by hand -->"
    return f"{START}\n{note}\n\n{markdown_key_table()}{END}"


def _split(text: str, path: Path) -> tuple[str, str, str]:
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        raise InputError("No key table markers", str(path), f"add the lines {START} and {END} where the table goes")
    return text[:start], text[start : end + len(END)], text[end + len(END) :]


def readme_is_current(path: Path) -> bool:
    """True when the README's key block is exactly what the registry generates."""
    _, block, _ = _split(path.read_text(encoding="utf-8"), path)
    return block == readme_block()


def update_readme(path: Path) -> bool:
    """Rewrite the key block of ``path``; return True when it changed."""
    text = path.read_text(encoding="utf-8")
    before, block, after = _split(text, path)
    if block == readme_block():
        return False
    path.write_text(before + readme_block() + after, encoding="utf-8")
    return True

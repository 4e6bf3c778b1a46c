"""Provides read_table() and write_table(): every command reads CSV and Parquet and writes CSV, JSON and Parquet.

CSV goes through polars' CSV reader, which handles quoted fields with commas, quotes and
newlines (docs/formats.md). Everything user-provided is read as strings first so that a bad value
becomes a per-row rejection, not a failure of the whole file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import polars as pl

from core.errors import InputError, UsageError
from core.text import escape_controls, one_line

FORMATS = ("table", "csv", "json", "parquet")


def _is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def _read_error(path: Path, exc: Exception) -> InputError:
    if isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError):
        return InputError("Cannot read file", f"{path}: {exc.strerror}", "check its permissions")
    kind = "Parquet" if _is_parquet(path) else "CSV"
    return InputError(
        f"Cannot read {kind} file", f"{path}: {one_line(str(exc), 160)}", f"check that it is a valid {kind} file"
    )


def _existing(path: Path) -> Path:
    path = Path(path)
    if not path.exists():
        raise InputError("File not found", str(path), "check the path")
    return path


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """Turn polars' and the OS's reading errors into one InputError naming the file."""
    try:
        yield
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _read_error(path, exc) from exc


def table_columns(path: Path) -> list[str]:
    """Return the column names of a CSV or Parquet file without reading its rows.

    Raises:
        InputError: The file is missing, unreadable or not the format its suffix says.
    """
    path = _existing(path)
    with _reading(path):
        if _is_parquet(path):
            return list(pl.read_parquet_schema(path))
        return pl.read_csv(path, n_rows=0, infer_schema=False, encoding="utf8-lossy").columns


CSV_BLOCK_BYTES = 16 << 20  # how much of a CSV file is parsed at a time (whole records)


def table_batches(path: Path, columns: list[str], *, rows: int) -> Iterator[pl.DataFrame]:
    """Yield the ``columns`` of a CSV or Parquet file as strings, a part at a time.

    A multi-million-row file is never held whole: a part is read, handed on and dropped before
    the next is read (polars' own streaming reader runs ahead of a slow consumer and would hold
    most of the file). The strings are those ``read_table`` gives.

    Args:
        path: The file.
        columns: Columns to read (they must exist).
        rows: Rows per part of a Parquet file; a CSV file is read ``CSV_BLOCK_BYTES`` at a time.

    Raises:
        InputError: The file is missing, unreadable or not the format its suffix says (also
            part-way through, when a later part of the file is malformed).
    """
    path = _existing(path)
    if _is_parquet(path):
        with _reading(path):
            lazy = pl.scan_parquet(path).select(columns)
            schema = lazy.collect_schema()
            lazy = lazy.with_columns(_as_string(schema, name) for name in columns)
            total = pl.scan_parquet(path).select(pl.len()).collect().item()
        for start in range(0, total, rows):
            with _reading(path):
                part = lazy.slice(start, rows).collect()
            yield part
        return
    for block in _csv_blocks(path, CSV_BLOCK_BYTES):
        with _reading(path):
            part = pl.read_csv(
                block, columns=columns, infer_schema=False, encoding="utf8-lossy", empty_string_is_null=False
            )
        yield part


def _csv_blocks(path: Path, block_bytes: int = CSV_BLOCK_BYTES) -> Iterator[bytes]:
    """Yield a CSV file as self-contained CSV texts: its header line, then whole records.

    A part ends at a line end outside quotes: one with an even number of ``"`` before it in the
    file (a quoted field opens and closes with one, and a quote inside it is doubled). A line end
    inside a quoted field is never a cut; a malformed file at worst makes a part longer.
    """
    with _reading(path), path.open("rb") as handle:
        header = b""
        rest = b""
        quotes = 0  # quotes in the file before ``rest``
        while True:
            data = handle.read(block_bytes)
            rest += data
            cut = _record_end(rest, quotes) if data else len(rest)
            if cut is None:
                continue  # no record ends in this block: read on
            text, rest = rest[:cut], rest[cut:]
            quotes += text.count(b'"')
            if not header:
                header_end = _record_end(text, 0, first=True)
                header = text[:header_end] if header_end is not None else text
                yield text
            elif text:
                yield header + text
            if not data:
                return


def _record_end(data: bytes, quotes_before: int, *, first: bool = False) -> int | None:
    """Return the end (past its line end) of the last record in ``data`` (the first, with ``first``), or None.

    Each byte is counted once however many line ends lie inside quoted fields.
    """

    def step(at: int) -> int:
        return data.find(b"\n", at + 1) if first else data.rfind(b"\n", 0, at)

    index = data.find(b"\n") if first else data.rfind(b"\n")
    quotes = quotes_before + data.count(b'"', 0, max(index, 0))
    while index != -1:
        if quotes % 2 == 0:
            return index + 1
        following = step(index)
        if following != -1:
            low, high = sorted((index, following))
            quotes += data.count(b'"', low, high) * (1 if first else -1)
        index = following
    return None


def read_table(path: Path, *, strings: bool = True, columns: list[str] | None = None) -> pl.DataFrame:
    """Read a CSV or Parquet file chosen by its suffix.

    Args:
        path: The file; ``.parquet``/``.pq`` is Parquet, anything else is read as CSV.
        strings: Read every column as a string (CSV) or cast every column to string (Parquet).
        columns: Read only these columns (they must exist); None reads all.

    Raises:
        InputError: The file is missing, unreadable or not the format its suffix says.
    """
    path = _existing(path)
    with _reading(path):
        if _is_parquet(path):
            frame = pl.read_parquet(path, columns=columns)
            if strings:
                frame = frame.with_columns(_as_string(frame.schema, name) for name in frame.columns)
            return frame
        return pl.read_csv(
            path, columns=columns, infer_schema=not strings, encoding="utf8-lossy", empty_string_is_null=False
        )


def _as_string(schema: pl.Schema, name: str) -> pl.Expr:
    dtype = schema[name]
    col = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        # Keep the zone so that re-import reads the same instant.
        if dtype.time_zone is None:
            return col.dt.strftime("%Y-%m-%dT%H:%M:%S%.f").alias(name)
        return col.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ").alias(name)
    if dtype == pl.String:
        return col
    return col.cast(pl.String)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC)
            return value.strftime("%Y-%m-%dT%H:%M:%SZ") if not value.microsecond else value.isoformat()
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def frame_records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """Return the rows of ``frame`` as JSON-ready dicts (times as ISO 8601 UTC)."""
    return [{k: _jsonable(v) for k, v in row.items()} for row in frame.iter_rows(named=True)]


def _csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    exprs = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
            exprs.append(pl.col(name).dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias(name))
        elif isinstance(dtype, pl.List):
            exprs.append(pl.col(name).cast(pl.List(pl.String)).list.join("|").alias(name))
    return frame.with_columns(exprs) if exprs else frame


def render_text_table(frame: pl.DataFrame, *, max_width: int = 60) -> str:
    """Return ``frame`` as an aligned plain-text table; cells are cleaned of control characters.

    Values come from commits and model cards (untrusted), so they are passed through
    ``one_line`` before reaching a terminal.
    """
    ready = _csv_ready(frame)
    header = [one_line(c, max_width) for c in ready.columns]
    rows = [
        ["" if v is None else one_line(f"{v:.3f}" if isinstance(v, float) else str(v), max_width) for v in row]
        for row in ready.iter_rows()
    ]
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines) + "\n"


def is_terminal(out: IO[str]) -> bool:
    """True when ``out`` is a terminal, where raw control characters would be acted on."""
    isatty = getattr(out, "isatty", None)
    return bool(isatty and isatty())


def write_text(text: str, dest: Path | None = None, out: IO[str] | None = None, *, json_style: bool = False) -> None:
    """Write ``text`` to the file ``dest`` exactly, or to ``out`` (stdout), escaped when that is a terminal.

    Untrusted text (commit messages, model ids) can hold escape sequences that a terminal would
    obey: retitle the window, write the clipboard (OSC 52), clear the screen. On a terminal they
    are shown as visible escapes (``core.text.escape_controls``); files and pipes keep the bytes.

    Raises:
        InputError: The file cannot be written.
    """
    out = out or sys.stdout
    if dest is None:
        out.write(escape_controls(text, json_style=json_style) if is_terminal(out) else text)
        return
    try:
        Path(dest).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError("Cannot write output", f"{dest}: {exc.strerror}", "check the path") from exc


def write_table(frame: pl.DataFrame, fmt: str, dest: Path | None = None, out: IO[str] | None = None) -> None:
    """Write ``frame`` as ``table``, ``csv``, ``json`` or ``parquet`` to ``dest`` or ``out``.

    Parquet needs a destination file (binary); the others go to ``out`` (stdout) by default.

    Raises:
        UsageError: Parquet asked for without ``--output``, or an unknown format.
        InputError: The file cannot be written.
    """
    if fmt == "parquet":
        if dest is None:
            raise UsageError("Parquet output needs a file", "stdout is text", "add --output FILE.parquet")
        try:
            frame.write_parquet(dest)
        except OSError as exc:
            raise InputError("Cannot write output", f"{dest}: {exc.strerror}", "check the path") from exc
        return
    if fmt == "csv":
        text = _csv_ready(frame).write_csv()
    elif fmt == "json":
        text = json.dumps(frame_records(frame), indent=2, ensure_ascii=False) + "\n"
    elif fmt == "table":
        text = render_text_table(frame)
    else:
        raise UsageError("Unknown output format", fmt, f"use one of {', '.join(FORMATS)}")
    write_text(text, dest, out, json_style=fmt == "json")

"""Provides read_table() and write_table(): every command reads CSV and Parquet and writes CSV, JSON and Parquet.

CSV goes through polars' CSV reader, which handles quoted fields with commas, quotes and
newlines (FORMATS.md). Everything user-provided is read as strings first so that a bad value
becomes a per-row rejection, not a failure of the whole file.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sys
from pathlib import Path
from typing import IO, Any

import polars as pl

from core.errors import InputError
from core.text import one_line

FORMATS = ("table", "csv", "json", "parquet")


def read_table(path: Path, *, strings: bool = True) -> pl.DataFrame:
    """Read a CSV or Parquet file chosen by its suffix.

    Args:
        path: The file; ``.parquet``/``.pq`` is Parquet, anything else is read as CSV.
        strings: Read every column as a string (CSV) or cast every column to string (Parquet).

    Raises:
        InputError: The file is missing, unreadable or not the format its suffix says.
    """
    path = Path(path)
    if not path.exists():
        raise InputError("File not found", str(path), "check the path")
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            frame = pl.read_parquet(path)
            if strings:
                frame = frame.with_columns(_as_string(frame, name) for name in frame.columns)
            return frame
        return pl.read_csv(
            path,
            infer_schema=not strings,
            encoding="utf8-lossy",
            empty_string_is_null=False,
        )
    except pl.exceptions.PolarsError as exc:
        kind = "Parquet" if path.suffix.lower() in (".parquet", ".pq") else "CSV"
        raise InputError(
            f"Cannot read {kind} file", f"{path}: {one_line(str(exc), 160)}", f"check that it is a valid {kind} file"
        ) from exc
    except OSError as exc:
        raise InputError("Cannot read file", f"{path}: {exc.strerror}", "check its permissions") from exc


def _as_string(frame: pl.DataFrame, name: str) -> pl.Expr:
    dtype = frame.schema[name]
    col = pl.col(name)
    if isinstance(dtype, pl.Datetime):
        # Keep the zone so that re-import reads the same instant.
        if dtype.time_zone is None:
            return col.dt.strftime("%Y-%m-%dT%H:%M:%S%.f").alias(name)
        return col.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.fZ").alias(name)
    if dtype == pl.String:
        return col
    return col.cast(pl.String)


def format_from_suffix(path: str | Path, default: str = "csv") -> str:
    """Return ``csv``, ``json`` or ``parquet`` for an output path's suffix."""
    suffix = Path(path).suffix.lower()
    return {".parquet": "parquet", ".pq": "parquet", ".json": "json", ".csv": "csv"}.get(suffix, default)


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


def write_table(frame: pl.DataFrame, fmt: str, dest: Path | None = None, out: IO[str] | None = None) -> None:
    """Write ``frame`` as ``table``, ``csv``, ``json`` or ``parquet`` to ``dest`` or ``out``.

    Parquet needs a destination file (binary); the others go to ``out`` (stdout) by default.

    Raises:
        InputError: Parquet asked for without ``--output``, or the file cannot be written.
    """
    out = out or sys.stdout
    try:
        if fmt == "parquet":
            if dest is None:
                raise InputError("Parquet output needs a file", "stdout is text", "add --output FILE.parquet")
            frame.write_parquet(dest)
            return
        if fmt == "csv":
            text = _csv_ready(frame).write_csv()
        elif fmt == "json":
            text = json.dumps(frame_records(frame), indent=2, ensure_ascii=False) + "\n"
        elif fmt == "table":
            text = render_text_table(frame)
        else:
            raise InputError("Unknown output format", fmt, f"use one of {', '.join(FORMATS)}")
        if dest is None:
            out.write(text)
        else:
            Path(dest).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError("Cannot write output", f"{dest}: {exc.strerror}", "check the path") from exc


def to_csv_string(frame: pl.DataFrame) -> str:
    """Return ``frame`` as CSV text (times in ISO 8601 UTC)."""
    buffer = io.StringIO()
    buffer.write(_csv_ready(frame).write_csv())
    return buffer.getvalue()

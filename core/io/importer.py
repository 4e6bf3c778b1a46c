"""Provides import_commit_files(), the engine of ``ptlm-tui import``: validate, report, merge.

Rejections name the file and the line a user would open in an editor: for CSV the physical
line where the record starts (fields may span lines), for Parquet the 1-based row number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cache.store import CacheStore
from core.commits import (
    INPUT_COLUMNS,
    REQUIRED_COLUMNS,
    STORE_BATCH_ROWS,
    MergeResult,
    parse_commit_rows,
    store_commit_batches,
)
from core.errors import InputError
from core.io.tables import table_batches, table_columns
from core.words import plural


@dataclass(frozen=True)
class Rejection:
    """One row that could not be imported."""

    file: str
    line: int
    reason: str
    is_row_number: bool = False  # Parquet has rows, not lines

    def message(self) -> str:
        """Return ``file:line: reason`` (``file row N: reason`` for Parquet)."""
        where = f"{self.file} row {self.line}" if self.is_row_number else f"{self.file}:{self.line}"
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    """What an import did."""

    files: list[str] = field(default_factory=list)
    read: int = 0
    taken: int = 0
    rejections: list[Rejection] = field(default_factory=list)
    merge: MergeResult | None = None
    strict_refused: bool = False

    def summary(self) -> str:
        """Return a one-line summary for the terminal."""
        if self.strict_refused:
            return (
                f"imported nothing: {len(self.rejections)} of {plural(self.read, 'row')} rejected and --strict is set "
                "(fix the rows above, or drop --strict to take the good ones)"
            )
        text = f"imported {self.taken} of {plural(self.read, 'row')} from {plural(len(self.files), 'file')}"
        if self.merge is not None:
            text += f" ({self.merge.added} new, {self.merge.replaced} replaced; cache holds {self.merge.total})"
        if self.rejections:
            text += f"; rejected {len(self.rejections)}"
        return text


def record_start_lines(path: Path, rows: list[int], total_rows: int) -> dict[int, int]:
    """Map 0-based data-row indexes of a CSV file to the physical line each record starts on.

    Only called for rejected rows, and reads the file in pieces whatever its size. When the file
    has exactly one line per record (no newline inside a field), row i starts on line i + 2;
    otherwise the file is walked once with the csv module, which tracks physical lines.
    """
    with path.open("rb") as handle:
        newlines, last = 0, b""
        for block in iter(lambda: handle.read(1 << 20), b""):
            newlines, last = newlines + block.count(b"\n"), block
        line_count = newlines + (0 if not last or last.endswith(b"\n") else 1)
        if line_count == total_rows + 1:
            return {row: row + 2 for row in rows}
        handle.seek(0)
        wanted = set(rows)
        found: dict[int, int] = {}
        # Lines end at "\n" only, as polars reads them; a lone "\r" inside a field is not a line end.
        reader = csv.reader(line.decode("utf-8", errors="replace") for line in handle)
        next(reader, None)  # header
        start = reader.line_num + 1
        for index, _record in enumerate(reader):
            if index in wanted:
                found[index] = start
                if len(found) == len(wanted):
                    break
            start = reader.line_num + 1
    return found


def _check_columns(path: Path, columns: list[str]) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InputError(
            "Not a commits table",
            f"{path} lacks column(s) {', '.join(missing)}",
            f"the header must name at least {', '.join(REQUIRED_COLUMNS)} "
            f"(docs/formats.md: {', '.join(INPUT_COLUMNS)})",
        )


@dataclass
class CommitFiles:
    """Commits tables read and checked: the good rows (cache schema) and what was rejected."""

    frame: pl.DataFrame
    files: list[str] = field(default_factory=list)
    read: int = 0
    rejections: list[Rejection] = field(default_factory=list)


class _Reading:
    """The commits tables read batch by batch: good rows for the cache, and what was read and rejected.

    Every file's header is checked before the first row is read, so a file lacking columns stops
    the import before anything is stored. ``batches`` may be called again (the cache may redo a
    write); each call starts the count afresh.
    """

    def __init__(self, files: list[Path], columns: tuple[str, ...] = INPUT_COLUMNS) -> None:
        wanted = list(dict.fromkeys([*REQUIRED_COLUMNS, *columns]))
        self.columns: dict[Path, list[str]] = {}
        for path in map(Path, files):
            header = table_columns(path)
            _check_columns(path, header)
            self.columns[path] = [c for c in wanted if c in header]
        self.read = 0
        self.rejections: list[Rejection] = []

    @property
    def files(self) -> list[str]:
        return [str(path) for path in self.columns]

    def batches(self) -> Iterator[pl.DataFrame]:
        """Yield the good rows of every file in the cache's schema, ``STORE_BATCH_ROWS`` at a time."""
        self.read, self.rejections = 0, []
        for path, columns in self.columns.items():
            rows = 0
            rejected: list[pl.DataFrame] = []
            for raw in table_batches(path, columns, rows=STORE_BATCH_ROWS):
                parsed = parse_commit_rows(raw, source="import", first_row=rows)
                rows += raw.height
                if parsed.rejected.height:
                    rejected.append(parsed.rejected)
                yield parsed.good
            self.read += rows
            if rejected:
                self.rejections += _rejections(path, pl.concat(rejected), rows)


def _rejections(path: Path, rejected: pl.DataFrame, total_rows: int) -> list[Rejection]:
    """Name each rejected row by the line a user would open (CSV) or its row number (Parquet)."""
    rows = rejected["row"].to_list()
    parquet = path.suffix.lower() in (".parquet", ".pq")
    lines = {r: r + 1 for r in rows} if parquet else record_start_lines(path, rows, total_rows)
    return [Rejection(str(path), lines.get(row, row + 2), reason, parquet) for row, reason in rejected.iter_rows()]


def read_commit_files(files: list[Path], *, columns: tuple[str, ...] = INPUT_COLUMNS) -> CommitFiles:
    """Read commits tables (CSV or Parquet, docs/formats.md) and check every row.

    Args:
        files: The tables.
        columns: The columns to read; the rest of each file is skipped (``analyze`` needs only
            family, platform, repo and authored_at). Required columns are always read.

    Raises:
        InputError: A file cannot be read or lacks required columns.
    """
    reading = _Reading(files, columns)
    good = [frame for frame in reading.batches() if frame.height]
    frame = pl.concat(good) if good else pl.DataFrame()
    return CommitFiles(frame, reading.files, reading.read, reading.rejections)


def import_commit_files(store: CacheStore, files: list[Path], *, strict: bool = False) -> ImportReport:
    """Import commits tables into the cache, a batch at a time (a file is never held whole).

    Args:
        store: The cache to merge into.
        files: CSV or Parquet files in the commits-table format (docs/formats.md).
        strict: Take nothing if any row of any file is rejected (the files are then read twice:
            checked first, stored after).

    Returns:
        The report; rejected rows are listed with file and line.

    Raises:
        InputError: A file cannot be read or lacks required columns; nothing was stored.
    """
    reading = _Reading(files)
    if strict:
        for _batch in reading.batches():
            pass
        if reading.rejections:
            return ImportReport(reading.files, reading.read, 0, reading.rejections, strict_refused=True)
    merge = store_commit_batches(store, reading.batches, source="import")
    taken = reading.read - len(reading.rejections)
    return ImportReport(reading.files, reading.read, taken, reading.rejections, merge if taken else None)

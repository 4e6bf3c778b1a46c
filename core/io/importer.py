"""Provides import_commit_files(), the engine of ``ptlm-tui import``: validate, report, merge.

Rejections name the file and the line a user would open in an editor: for CSV the physical
line where the record starts (fields may span lines), for Parquet the 1-based row number.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cache.store import CacheStore
from core.commits import INPUT_COLUMNS, REQUIRED_COLUMNS, MergeResult, parse_commit_rows, store_commits
from core.errors import InputError
from core.io.tables import read_table, table_columns
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

    Only called for rejected rows. When the file has exactly one line per record (no newline
    inside a field), row i starts on line i + 2; otherwise the file is walked once with the
    csv module, which tracks physical lines.
    """
    with path.open("rb") as handle:
        data = handle.read()
    line_count = data.count(b"\n") + (0 if data.endswith(b"\n") else 1)
    if line_count == total_rows + 1:
        return {row: row + 2 for row in rows}
    wanted = set(rows)
    found: dict[int, int] = {}
    # Split on "\n" only, as polars does; a lone "\r" inside a field is not a line end.
    lines = (line + "\n" for line in data.decode("utf-8", errors="replace").split("\n"))
    reader = csv.reader(lines)
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


def read_commit_files(files: list[Path], *, columns: tuple[str, ...] = INPUT_COLUMNS) -> CommitFiles:
    """Read commits tables (CSV or Parquet, docs/formats.md) and check every row.

    Args:
        files: The tables.
        columns: The columns to read; the rest of each file is skipped (``analyze`` needs only
            family, platform, repo and authored_at). Required columns are always read.

    Raises:
        InputError: A file cannot be read or lacks required columns.
    """
    result = CommitFiles(pl.DataFrame())
    good: list[pl.DataFrame] = []
    wanted = list(dict.fromkeys([*REQUIRED_COLUMNS, *columns]))
    for path in map(Path, files):
        header = table_columns(path)
        _check_columns(path, header)
        raw = read_table(path, columns=[c for c in wanted if c in header])
        parsed = parse_commit_rows(raw, source="import")
        result.files.append(str(path))
        result.read += raw.height
        if parsed.rejected.height:
            rows = parsed.rejected["row"].to_list()
            parquet = path.suffix.lower() in (".parquet", ".pq")
            lines = {r: r + 1 for r in rows} if parquet else record_start_lines(path, rows, raw.height)
            result.rejections += [
                Rejection(str(path), lines.get(row, row + 2), reason, parquet)
                for row, reason in parsed.rejected.iter_rows()
            ]
        good.append(parsed.good)
        del raw  # the good rows share its buffers; nothing else needs it
    # One file (the usual case) is passed on as it is: concatenating would copy it.
    result.frame = good[0] if len(good) == 1 else pl.concat(good) if good else pl.DataFrame()
    return result


def import_commit_files(store: CacheStore, files: list[Path], *, strict: bool = False) -> ImportReport:
    """Import commits tables into the cache.

    Args:
        store: The cache to merge into.
        files: CSV or Parquet files in the commits-table format (docs/formats.md).
        strict: Take nothing if any row of any file is rejected.

    Returns:
        The report; rejected rows are listed with file and line.

    Raises:
        InputError: A file cannot be read or lacks required columns.
    """
    read = read_commit_files(files)
    report = ImportReport(files=read.files, read=read.read, rejections=read.rejections)
    if strict and report.rejections:
        report.strict_refused = True
        return report
    incoming = read.frame
    report.taken = incoming.height
    if incoming.height:
        report.merge = store_commits(store, incoming, source="import")
    return report

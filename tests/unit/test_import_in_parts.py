"""ptlm-tui import reads a file a part at a time: same result as whole, one transaction, nothing half-stored.

The parts are made tiny here (a few hundred bytes of CSV, a few rows of Parquet) so that small
files cross many part boundaries: quoted fields with line ends, keys repeated in different
parts, a malformed line, an exception or a real SIGINT late in the file.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import core.io.importer as importer
import core.io.tables as tables
from cache.store import CacheStore
from core.errors import InputError
from core.io.importer import import_commit_files
from core.io.tables import read_table, table_batches

COLUMNS = ["family", "platform", "repo", "sha", "authored_at", "author", "title", "message", "files"]
T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def tiny_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of 300 bytes of CSV and 7 rows of Parquet (the real sizes are megabytes)."""
    monkeypatch.setattr(tables, "CSV_BLOCK_BYTES", 300)
    monkeypatch.setattr(importer, "STORE_BATCH_ROWS", 7)


def commit_rows(count: int, *, repo: str = "o/r", title: str = "Fix", offset: int = 0) -> list[dict[str, str]]:
    messages = ["plain", 'a "quoted" word', "two\nlines, and a comma", "crlf\r\nend", ""]
    return [
        {
            "family": "fam",
            "platform": "github",
            "repo": repo,
            "sha": f"{offset + i:040x}",
            "authored_at": (T0 + dt.timedelta(hours=offset + i)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "author": "dev",
            "title": f"{title} {offset + i}",
            "message": messages[i % len(messages)],
            "files": "M:a.py",
        }
        for i in range(count)
    ]


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String)).write_csv(path)
    return path


def stored(store: CacheStore) -> pl.DataFrame:
    return store.collect(store.commits()).drop("source").sort("repo", "sha")


def commit_versions(store: CacheStore) -> int:
    return store.history("commits").height


field_text = st.text(alphabet=st.sampled_from(list('ab,"\n\r é')), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    cells=st.lists(st.tuples(field_text, field_text), max_size=25),
    block=st.integers(min_value=1, max_value=80),
    trailing_newline=st.booleans(),
    bom=st.booleans(),
)
def test_a_csv_read_in_parts_gives_what_reading_it_whole_gives(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cells: list[tuple[str, str]],
    block: int,
    trailing_newline: bool,
    bom: bool,
) -> None:
    path = tmp_path / "t.csv"
    text = pl.DataFrame(cells, schema={"a": pl.String, "b": pl.String}, orient="row").write_csv()
    text = ("\ufeff" if bom else "") + (text if trailing_newline else text.rstrip("\n"))
    path.write_bytes(text.encode())
    monkeypatch.setattr(tables, "CSV_BLOCK_BYTES", block)
    parts = list(table_batches(path, ["a", "b"], rows=3))
    whole = read_table(path)
    assert pl.concat(parts).equals(whole) if parts else whole.height == 0


def test_an_import_in_many_parts_is_one_version_with_the_whole_files_rows(tmp_path: Path, tiny_parts: None) -> None:
    src = write_csv(tmp_path / "a.csv", commit_rows(60))
    parts_store, whole_store = CacheStore(tmp_path / "parts"), CacheStore(tmp_path / "whole")
    report = import_commit_files(parts_store, [src])
    assert report.merge is not None and (report.merge.added, report.merge.replaced) == (60, 0)
    assert commit_versions(parts_store) == 1
    tables.CSV_BLOCK_BYTES = 32 << 20  # (monkeypatch restores it) the same file in one part
    import_commit_files(whole_store, [src])
    assert stored(parts_store).equals(stored(whole_store))
    assert stored(parts_store)["message"].to_list().count("two\nlines, and a comma") == 12


def test_a_commit_repeated_in_a_later_part_keeps_its_last_row(tmp_path: Path, tiny_parts: None) -> None:
    rows = commit_rows(40)
    later = dict(rows[2], title="the later row")
    src = write_csv(tmp_path / "a.csv", [*rows, later])
    store = CacheStore(tmp_path / "c")
    report = import_commit_files(store, [src])
    assert report.merge is not None and (report.merge.added, report.merge.replaced, report.merge.total) == (40, 0, 40)
    commits = stored(store)
    assert commits.height == 40
    assert commits.filter(pl.col("sha") == rows[2]["sha"])["title"].to_list() == ["the later row"]
    assert commit_versions(store) == 1  # the abandoned first attempt committed nothing

    # Into a table that exists: the later part wins by its write order.
    repeated = [dict(rows[5], title="first"), *commit_rows(30, offset=100), dict(rows[5], title="last")]
    again = write_csv(tmp_path / "b.csv", repeated)
    report = import_commit_files(store, [again])
    assert report.merge is not None and (report.merge.added, report.merge.replaced, report.merge.total) == (30, 1, 70)
    assert stored(store).filter(pl.col("sha") == rows[5]["sha"])["title"].to_list() == ["last"]


def cache_with_one_import(tmp_path: Path) -> tuple[CacheStore, pl.DataFrame, int]:
    """A cache holding 5 commits, with its rows and commits-table versions (to show nothing changed)."""
    store = CacheStore(tmp_path / "c")
    import_commit_files(store, [write_csv(tmp_path / "first.csv", commit_rows(5))])
    return store, stored(store), commit_versions(store)


def on_fourth_part(monkeypatch: pytest.MonkeyPatch, act: Callable[[], None]) -> list[int]:
    """Run ``act`` when the importer parses its fourth part (the first two are read before the write)."""
    from core.commits import parse_commit_rows as parse

    calls: list[int] = []

    def parse_then_act(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 4:
            act()
        return parse(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(importer, "parse_commit_rows", parse_then_act)
    return calls


def test_a_malformed_line_late_in_the_file_stores_nothing(tmp_path: Path, tiny_parts: None) -> None:
    store, before, versions = cache_with_one_import(tmp_path)
    bad = write_csv(tmp_path / "bad.csv", commit_rows(50, offset=10))
    with bad.open("a", encoding="utf-8") as handle:
        handle.write("fam,github,o/r,feed,2024-02-01T00:00:00Z,dev,t,m,f,one,field,too,many\n")
    with pytest.raises(InputError, match=r"Cannot read CSV file.*bad\.csv"):
        import_commit_files(store, [bad])
    assert stored(store).equals(before)
    assert commit_versions(store) == versions


def test_a_part_that_raises_part_way_through_stores_nothing(
    tmp_path: Path, tiny_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, before, versions = cache_with_one_import(tmp_path)

    def interrupt() -> None:
        raise KeyboardInterrupt

    on_fourth_part(monkeypatch, interrupt)
    with pytest.raises(KeyboardInterrupt):
        import_commit_files(store, [write_csv(tmp_path / "big.csv", commit_rows(60, offset=10))])
    assert stored(store).equals(before)
    assert commit_versions(store) == versions


def test_ctrl_c_while_the_parts_are_written_stops_before_the_commit(
    tmp_path: Path, tiny_parts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real SIGINT, sent while deltalake's thread reads the fourth part: nothing is committed."""
    store, before, versions = cache_with_one_import(tmp_path)
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda number, _frame: caught.append(number))
    calls = on_fourth_part(monkeypatch, lambda: os.kill(os.getpid(), signal.SIGINT))
    try:
        with pytest.raises(KeyboardInterrupt):
            import_commit_files(store, [write_csv(tmp_path / "big.csv", commit_rows(60, offset=10))])
    finally:
        signal.signal(signal.SIGINT, previous)
    assert caught == [signal.SIGINT]  # Python's own handler ran too, on the main thread
    assert 4 <= len(calls) < 10  # stopped at the next part, not at the end of the file
    assert stored(store).equals(before)
    assert commit_versions(store) == versions


def test_rejections_in_later_parts_name_the_files_lines(tmp_path: Path, tiny_parts: None) -> None:
    rows = commit_rows(40)
    rows[3]["platform"] = "gitlab"
    rows[22]["repo"] = "../etc"
    rows[37]["authored_at"] = "yesterday"
    src = write_csv(tmp_path / "a.csv", rows)
    report = import_commit_files(CacheStore(tmp_path / "c"), [src])
    # Every fifth message holds a line end (rows 2, 7, ...) and every fifth a \r\n (rows 3, 8, ...):
    # the file's physical lines, as an editor numbers them, counting only "\n".
    lines = src.read_bytes().split(b"\n")
    starts = [i + 1 for i, line in enumerate(lines) if line.startswith(b"fam,")]
    assert [r.line for r in report.rejections] == [starts[3], starts[22], starts[37]]
    assert report.taken == 37


def test_a_parquet_file_in_parts_gives_the_same_rows(tmp_path: Path, tiny_parts: None) -> None:
    rows = commit_rows(30)
    frame = pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String)).with_columns(
        pl.col("authored_at").str.to_datetime(time_zone="UTC")
    )
    src = tmp_path / "a.parquet"
    frame.write_parquet(src)
    store = CacheStore(tmp_path / "c")
    report = import_commit_files(store, [src])
    assert report.merge is not None and report.merge.added == 30
    assert stored(store)["title"].to_list() == [r["title"] for r in rows]

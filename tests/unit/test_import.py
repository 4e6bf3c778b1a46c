"""ptlm-tui import: parsing, rejections with file and line, re-import, strict mode."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from core.errors import InputError
from core.io.importer import import_commit_files

HEADER = "family,platform,repo,sha,authored_at,author,title,message,files\n"


def write(path: Path, body: str) -> Path:
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_good_rows_are_imported_with_utc_times(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    src = write(
        tmp_path / "a.csv",
        'f,github,o/r,abc,2024-01-02T23:30:00-02:00,me,Fix,"Fix\n\nbody, with comma",M:a.py|A:b.py\n'
        "f,huggingface,o/m,def,2024-01-03,hf,Upload,,README.md\n",
    )
    report = import_commit_files(store, [src])
    assert (report.taken, report.rejections) == (2, [])
    commits = store.collect(store.commits()).sort("platform")
    assert commits["authored_at"].to_list() == [
        dt.datetime(2024, 1, 3, 1, 30, tzinfo=dt.UTC),
        dt.datetime(2024, 1, 3, tzinfo=dt.UTC),
    ]
    assert commits["message"][0] == "Fix\n\nbody, with comma"
    assert store.families()["gh_repo"].to_list() == ["o/r"]
    assert store.variants()["model"].to_list() == ["o/m"]


def test_bad_rows_are_rejected_with_their_line_numbers(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    src = write(
        tmp_path / "bad.csv",
        "f,github,o/r,1,2024-01-02T00:00:00Z,,ok,ok,\n"  # line 2
        'f,gitlab,o/r,2,2024-01-02T00:00:00Z,,t,"multi\nline",\n'  # line 3 (spans 4)
        "f,github,o/r,3,yesterday,,t,t,\n"  # line 5
        ",github,o/r,4,2024-01-02T00:00:00Z,,t,t,\n"  # line 6
        "f,github,../etc,5,2024-01-02T00:00:00Z,,t,t,\n"  # line 7
        "f,github,o/r,6,2024-01-02T10:00:00,,t,t,\n"  # line 8: no zone
        "f,huggingface,o/m,7,2024-01-02,,t,t,\n",  # line 9
    )
    report = import_commit_files(store, [src])
    assert [(r.line, r.reason.split(" (")[0]) for r in report.rejections] == [
        (3, "unknown platform 'gitlab'"),
        (5, "bad time 'yesterday'"),
        (6, "missing family"),
        (7, "bad repo '../etc'"),
        (8, "bad time '2024-01-02T10:00:00'"),
    ]
    assert report.rejections[0].message().startswith(f"{src}:3: unknown platform")
    assert report.taken == 2
    assert store.collect(store.commits()).height == 2


def test_line_numbers_without_multiline_fields_use_the_fast_path(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    rows = "".join(f"f,github,o/r,{i},2024-01-02T00:00:00Z,,t,t,\n" for i in range(50))
    src = write(tmp_path / "x.csv", rows + "f,github,o/r,z,not-a-time,,t,t,\n")
    assert [r.line for r in import_commit_files(store, [src]).rejections] == [52]


def test_strict_takes_nothing_when_a_row_is_bad(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    src = write(tmp_path / "a.csv", "f,github,o/r,1,2024-01-02T00:00:00Z,,t,t,\nf,github,o/r,2,bad,,t,t,\n")
    report = import_commit_files(store, [src], strict=True)
    assert report.strict_refused and report.taken == 0
    assert not store.has_commits()
    assert "--strict" in report.summary()


def test_reimport_replaces_instead_of_duplicating(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    write(
        tmp_path / "a.csv",
        "f,github,o/r,1,2024-01-02T00:00:00Z,,old,old,\nf,github,o/r,,2024-01-03T00:00:00Z,,nosha,,\n",
    )
    import_commit_files(store, [tmp_path / "a.csv"])
    write(
        tmp_path / "b.csv",
        "f,github,o/r,1,2024-01-02T00:00:00Z,,new,new,\nf,github,o/r,,2024-01-03T00:00:00Z,,nosha,,\n",
    )
    report = import_commit_files(store, [tmp_path / "b.csv"])
    assert report.merge is not None and (report.merge.added, report.merge.replaced) == (0, 2)
    commits = store.collect(store.commits()).sort("authored_at")
    assert commits["title"].to_list() == ["new", "nosha"]


def test_parquet_input_is_read_like_csv(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    frame = pl.DataFrame(
        {
            "family": ["f", "f"],
            "platform": ["github", "huggingface"],
            "repo": ["o/r", "o/m"],
            "sha": ["a", "b"],
            "authored_at": [dt.datetime(2024, 1, 2, 5, tzinfo=dt.UTC), dt.datetime(2024, 1, 4, tzinfo=dt.UTC)],
        }
    )
    path = tmp_path / "c.parquet"
    frame.write_parquet(path)
    report = import_commit_files(store, [path])
    assert report.taken == 2
    assert store.collect(store.commits()).sort("authored_at")["authored_at"].to_list() == frame["authored_at"].to_list()


def test_parquet_rejections_name_the_row(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    path = tmp_path / "c.parquet"
    pl.DataFrame(
        {
            "family": ["f", "f"],
            "platform": ["github", "svn"],
            "repo": ["o/r", "o/r"],
            "authored_at": ["2024-01-02", "2024-01-02"],
        }
    ).write_parquet(path)
    (rejection,) = import_commit_files(store, [path]).rejections
    assert rejection.message() == f"{path} row 2: unknown platform 'svn' (expected github or huggingface)"


def test_a_file_without_required_columns_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,when\na,b\n")
    with pytest.raises(InputError, match="lacks column"):
        import_commit_files(CacheStore(tmp_path / "c"), [path])


def test_a_corrupt_parquet_input_gives_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match="Cannot read Parquet file"):
        import_commit_files(CacheStore(tmp_path / "c"), [path])

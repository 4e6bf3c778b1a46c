"""The cache store: atomic writes, schema version, corrupt tables reported by name."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest

from cache.schema import CACHE_VERSION, TABLES
from cache.store import CacheStore
from core.errors import CacheError
from tests.helpers import T0, commits_frame, gh


def test_missing_table_reads_empty_with_schema(tmp_path: Path) -> None:
    frame = CacheStore(tmp_path).read("commits")
    assert frame.is_empty() and dict(frame.schema) == TABLES["commits"]
    assert not (tmp_path / "commits.parquet").exists()


def test_write_then_read_round_trips_and_records_the_version(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    frame = commits_frame([gh("f", T0)])
    store.write("commits", frame)
    assert store.read("commits").equals(frame)
    manifest = json.loads((tmp_path / "c" / "cache.json").read_text())
    assert manifest["schema_version"] == CACHE_VERSION
    assert manifest["tables"]["commits"]["rows"] == 1


def test_a_newer_schema_version_is_refused(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    (tmp_path / "cache.json").write_text(json.dumps({"schema_version": CACHE_VERSION + 1}))
    with pytest.raises(CacheError, match="upgrade ptlm-tui"):
        store.read("commits")


def test_a_corrupt_table_is_reported_by_name_and_kept(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    store.write("commits", commits_frame([gh("f", T0)]))
    path = tmp_path / "commits.parquet"
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(CacheError) as info:
        store.read("commits")
    assert "'commits'" in info.value.one_line() and str(path) in info.value.one_line()
    assert "sync" in info.value.hint
    assert path.exists() and len(path.read_bytes()) == 40  # never replaced or dropped


def test_a_table_with_a_wrong_column_type_is_reported(tmp_path: Path) -> None:
    pl.DataFrame({"family": [1], "platform": ["github"]}).write_parquet(tmp_path / "commits.parquet")
    with pytest.raises(CacheError, match="family is Int64"):
        CacheStore(tmp_path).read("commits")


def test_columns_added_later_read_as_nulls(tmp_path: Path) -> None:
    frame = commits_frame([gh("f", T0)]).drop("source")
    frame.write_parquet(tmp_path / "commits.parquet")
    assert CacheStore(tmp_path).read("commits")["source"].to_list() == [None]


def test_an_interrupted_write_leaves_the_previous_table_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = CacheStore(tmp_path)
    old = commits_frame([gh("f", T0)])
    store.write("commits", old)

    def crash(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(CacheError, match="check free disk space"):
        store.write("commits", commits_frame([gh("f", T0), gh("g", T0)]))
    monkeypatch.undo()
    assert store.read("commits").equals(old)
    assert [p.name for p in tmp_path.iterdir() if ".tmp-" in p.name] == []


def test_a_write_killed_midway_leaves_the_previous_table_intact(tmp_path: Path) -> None:
    """A real process killed while writing: readers still see the complete old table."""
    import subprocess
    import sys

    store = CacheStore(tmp_path)
    old = commits_frame([gh("f", T0)])
    store.write("commits", old)
    script = f"""
import os, polars as pl
from cache.store import CacheStore
from tests.helpers import T0, commits_frame, gh
real = pl.DataFrame.write_parquet
def half_then_die(self, file, **kw):
    real(self, file, **kw)
    data = open(file, "rb").read()
    open(file, "wb").write(data[: len(data) // 2])
    os._exit(9)  # killed before the rename
pl.DataFrame.write_parquet = half_then_die
CacheStore({str(tmp_path)!r}).write("commits", commits_frame([gh("f", T0)] * 1000))
"""
    run = subprocess.run([sys.executable, "-c", script], cwd=Path(__file__).resolve().parents[2], capture_output=True)
    assert run.returncode == 9, run.stderr
    assert store.read("commits").equals(old)


def test_writing_a_frame_with_the_wrong_schema_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CacheError, match="Refusing"):
        CacheStore(tmp_path).write("commits", pl.DataFrame({"family": ["x"]}))

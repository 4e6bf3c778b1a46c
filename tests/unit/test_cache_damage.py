"""Damage is refused, never propagated: every case is one line, exit 1, and not a byte of the table changes."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from deltalake import write_deltalake

from cache.schema import SPECS
from cache.store import CacheStore
from core.commits import store_commits
from tests.helpers import T0, commits_frame, days, gh, hf
from tui.cli.main import main

SHA = "c" * 40


def build(root: Path) -> CacheStore:
    store = CacheStore(root)
    rows = [gh("fam", T0 + days(i)) for i in range(30)] + [hf("fam", T0 + days(i) + days(0.5)) for i in range(30)]
    store_commits(store, commits_frame(rows), source="test")
    store_commits(
        store, commits_frame([gh("fam", T0 + days(40))]).with_columns(pl.lit(SHA).alias("sha")), source="test"
    )
    return store


def data_files(table: Path) -> list[Path]:
    return sorted(table.glob("*.parquet"))


def foreign_columns(table: Path, drop: str | None, extra: str | None) -> None:
    frame = pl.read_delta(str(table))
    if drop:
        frame = frame.rename({drop: drop + "_renamed"})
    if extra:
        frame = frame.with_columns(pl.lit("x").alias(extra))
    shutil.rmtree(table)
    write_deltalake(str(table), frame, mode="append")


def corrupt_page(table: Path) -> None:
    path = data_files(table)[0]
    data = bytearray(path.read_bytes())
    data[4:20] = b"\xff" * 16  # the first page header: same size, unreadable
    path.write_bytes(bytes(data))


def foreign_file(table: Path) -> None:
    data_files(table)[0].write_text("family,platform\nx,github\n")


def truncated_file(table: Path) -> None:
    last = data_files(table)[-1]
    last.write_bytes(last.read_bytes()[:100])


def not_a_delta_table(table: Path) -> None:
    shutil.rmtree(table)
    table.mkdir()
    (table / "notes.txt").write_text("mine")


def corrupt_log(table: Path) -> None:
    sorted((table / "_delta_log").glob("*.json"))[-1].write_text("{not json")


DAMAGE: dict[str, Callable[[Path], None]] = {
    "missing column": lambda t: foreign_columns(t, "authored_at", None),
    "foreign column": lambda t: foreign_columns(t, None, "surprise"),
    "foreign file": foreign_file,
    "truncated file": truncated_file,
    "not a delta table": not_a_delta_table,
    "corrupt data page": corrupt_page,
    "corrupt log": corrupt_log,
}


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("case", list(DAMAGE))
def test_damage_is_refused_by_every_command_and_nothing_changes(
    tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "cache"
    build(root)
    table = root / "commits"
    DAMAGE[case](table)
    before = digest(table)
    csv = tmp_path / "new.csv"
    csv.write_text("family,platform,repo,sha,authored_at,title\nfam,github,org/code,,2024-01-01T00:00:00Z,x\n")
    commands = [
        ["analyze"],
        ["import", str(csv)],
        ["label", "org/code", SHA[:8], "bug fix"],
        ["classify"],
        ["sync", "--offline"],
        ["cache", "compact"],
    ]
    for command in commands:
        code = main(["--cache-dir", str(root), *command])
        _, err = capsys.readouterr()
        assert code == 1, (command, err)
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "'commits'" in lines[0], (command, err)
        assert "ptlm-tui cache check" in lines[0] or "not a Delta table" in lines[0], (command, err)
        assert digest(table) == before, command
    assert main(["--cache-dir", str(root), "cache", "check"]) == 1
    out, err = capsys.readouterr()
    assert "DAMAGED" in out and "commits" in err


def test_a_damaged_version_is_fixed_by_restoring_the_one_before(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "cache"
    store = build(root)
    last = store.versions()["commits"]
    newest = max(data_files(root / "commits"), key=lambda p: p.stat().st_mtime_ns)
    newest.write_bytes(newest.read_bytes()[:50])
    assert main(["--cache-dir", str(root), "analyze"]) == 1
    assert main(["--cache-dir", str(root), "cache", "history", "commits"]) == 0
    assert main(["--cache-dir", str(root), "cache", "restore", "commits", str(last - 1)]) == 0
    capsys.readouterr()
    assert main(["--cache-dir", str(root), "analyze", "--format", "csv"]) == 0
    out, _ = capsys.readouterr()
    assert out.count("\n") == 2  # header + the family, from the 60 commits of the first version
    assert CacheStore(root).commit_count() == 60


def test_an_output_file_is_never_written_into_the_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "cache"
    build(root)
    before = digest(root)
    for target in (root / "commits" / "x.parquet", root / "patterns.csv", root):
        code = main(["--cache-dir", str(root), "analyze", "--format", "parquet", "-o", str(target)])
        _, err = capsys.readouterr()
        assert code == 1 and "into the cache directory" in err
    assert digest(root) == before


def test_every_table_schema_is_checked(tmp_path: Path) -> None:
    store = build(tmp_path / "cache")
    for name in ("families", "variants"):
        foreign_columns(tmp_path / "cache" / name, None, "surprise")
    with pytest.raises(Exception, match="'families' is damaged.*foreign columns surprise"):
        store.families()
    assert sorted(c.table for c in store.check() if not c.ok) == ["families", "variants"]
    assert set(SPECS) >= {"families", "variants"}


@pytest.mark.parametrize(
    "command",
    [
        ["analyze", "--format", "csv"],
        ["transitions", "--format", "csv"],
        ["report", "--format", "json"],
        ["status", "--format", "csv"],
        ["labels", "--format", "csv"],
        ["compare", "--format", "csv"],
        ["screenshot", "--demo"],
    ],
)
def test_no_command_writes_its_output_into_the_cache(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "cache"
    root.mkdir()
    code = main(["--cache-dir", str(root), *command, "-o", str(root / "out.file")])
    _, err = capsys.readouterr()
    assert code == 1 and "into the cache directory" in err
    assert not (root / "out.file").exists()

"""A cache written by the Parquet release opens once through a migration that loses nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from tests.conftest import REPO_ROOT
from tui.cli.main import main

OLD = REPO_ROOT / "tests" / "data" / "old_cache_v1"
EXPECTED = REPO_ROOT / "tests" / "data" / "old_cache_v1_expected"


@pytest.fixture
def old_cache(tmp_path: Path) -> Path:
    root = tmp_path / "cache"
    shutil.copytree(OLD, root)
    return root


def run(root: Path, *args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["--cache-dir", str(root), *args])
    out, err = capsys.readouterr()
    return code, out, err


# Columns added at the end since the old release: drift's behind columns, each variant's latest proposal.
ADDED_SINCE = {"analyze": ["behind", "behind_variant"], "status": ["proposal"]}


@pytest.mark.parametrize("command", ["analyze", "transitions", "labels", "status", "compare"])
def test_the_migrated_cache_prints_what_the_old_release_printed(
    old_cache: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(old_cache, command, "--format", "csv", capsys=capsys)
    assert code == 0, err
    expected = (EXPECTED / f"{command}.csv").read_text("utf-8")
    if command == "labels":  # same labels; rows of equal time may come in another order
        assert sorted(out.splitlines()) == sorted(expected.splitlines())
    elif command in ADDED_SINCE:  # the same columns, then those added since
        import io

        import polars as pl

        old = pl.read_csv(io.StringIO(expected), infer_schema=False)
        new = pl.read_csv(io.StringIO(out), infer_schema=False)
        assert new.columns[: old.width] == old.columns and new.columns[old.width :] == ADDED_SINCE[command]
        assert new.select(old.columns).equals(old)
    else:
        assert out == expected


def test_the_migration_is_logged_once_and_keeps_the_old_files(
    old_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = {p.name: p.read_bytes() for p in OLD.iterdir() if p.name != ".lock"}
    code, _, err = run(old_cache, "status", capsys=capsys)
    assert code == 0 and "migrated the cache" in err and "v1-backup" in err
    backup = old_cache / "v1-backup"
    assert {p.name: p.read_bytes() for p in backup.iterdir() if p.name != "MIGRATION.txt"} == before
    assert "migrated the cache" in (backup / "MIGRATION.txt").read_text()
    assert not list(old_cache.glob("*.parquet"))
    code, _, err = run(old_cache, "status", capsys=capsys)
    assert code == 0 and "migrated" not in err


def test_hand_labels_move_to_their_own_table_and_still_win(old_cache: Path) -> None:
    store = CacheStore(old_cache)
    manual = store.manual_labels().sort("repo")
    assert manual.select("repo", "label").rows() == [
        ("imp/code", "external documentation"),
        ("lumen-lab/lumen", "bug fix"),
    ]
    old = pl.read_parquet(OLD / "labels.parquet")
    assert store.collect(store.labels()).height == old.height
    assert store.collect(store.commits()).height == pl.read_parquet(OLD / "commits.parquet").height
    assert store.published().height == 1 and store.model_cards().height == 1


def test_a_migration_killed_half_way_finishes_next_time(old_cache: Path) -> None:
    script = f"""
import os
import cache.migrate as m
real = m.write_manifest
def die(root):  # killed after the tables moved in, before the manifest
    os._exit(9)
m.write_manifest = die
from cache.store import CacheStore
CacheStore({str(old_cache)!r}).ensure_ready()
"""
    run_ = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True)
    assert run_.returncode == 9, run_.stderr
    store = CacheStore(old_cache)
    assert store.ensure_ready()  # finished now
    assert store.collect(store.commits()).height == pl.read_parquet(OLD / "commits.parquet").height
    assert not (old_cache / ".migrate-v2").exists()


def test_an_unreadable_old_table_stops_the_migration_and_changes_nothing(old_cache: Path) -> None:
    (old_cache / "labels.parquet").write_bytes(b"PAR1 broken")
    before = sorted(p.name for p in old_cache.iterdir())
    store = CacheStore(old_cache)
    with pytest.raises(Exception, match="labels"):
        store.ensure_ready()
    assert sorted(p.name for p in old_cache.iterdir() if p.name != ".migrate.lock") == before

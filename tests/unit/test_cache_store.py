"""The cache store: appends, newest row per key, tombstones, upserts, labels, versions, compaction."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from pathlib import Path

import polars as pl
import pytest

from cache.delta import write_rows
from cache.schema import CACHE_VERSION, CLEAN, SPECS, TABLES
from cache.store import CacheStore
from core.commits import store_commits
from core.errors import CacheError
from tests.helpers import T0, commit, commits_frame, days, gh, hf


def commits_of(store: CacheStore) -> pl.DataFrame:
    return store.collect(store.commits()).sort("platform", "repo", "sha")


def test_a_missing_table_reads_empty_with_its_schema_and_creates_nothing(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    frame = store.collect(store.commits())
    assert frame.is_empty() and dict(frame.schema) == TABLES["commits"]
    assert store.families().is_empty() and store.is_empty() and not (tmp_path / "c").exists()


def test_appended_commits_read_back_and_the_manifest_names_the_version(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    frame = commits_frame([gh("f", T0), hf("f", T0 + days(1))])
    written = store.append_commits(frame)
    assert (written.added, written.replaced) == (2, 0)
    assert commits_of(store).equals(frame.sort("platform", "repo", "sha"))
    assert json.loads((tmp_path / "cache.json").read_text())["schema_version"] == CACHE_VERSION
    assert (tmp_path / "commits" / "_delta_log").is_dir()


def test_the_newest_row_of_a_commit_wins_and_nothing_is_rewritten(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    first = commits_frame([gh("f", T0), gh("f", T0 + days(1))])
    store.append_commits(first)
    files = sorted((tmp_path / "commits").glob("*.parquet"))
    changed = first.head(1).with_columns(pl.lit("New title").alias("title"))
    written = store.append_commits(changed)
    assert (written.added, written.replaced) == (0, 1)
    assert sorted(commits_of(store)["title"].to_list()) == ["New title", "Update"]
    assert store.commit_count() == 2
    assert set(files) < set((tmp_path / "commits").glob("*.parquet"))  # old files untouched, one added


def test_a_sha_less_commit_is_keyed_by_time_and_title(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    row = commit("f", "github", "o/r", T0, title="No sha")
    store.append_commits(pl.DataFrame([row], schema=TABLES["commits"]))
    again = store.append_commits(pl.DataFrame([row | {"author": "someone"}], schema=TABLES["commits"]))
    assert (again.added, again.replaced) == (0, 1)
    assert commits_of(store)["author"].to_list() == ["someone"]


def test_a_replaced_history_tombstones_the_commits_it_no_longer_has(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    old = commits_frame([gh("f", T0), gh("f", T0 + days(1)), hf("f", T0)])
    store.append_commits(old)
    keep = old.filter(pl.col("platform") == "github").head(1)
    replace = pl.DataFrame({"platform": ["github"], "repo": ["org/code"]})
    written = store.append_commits(keep, replace=replace)
    assert written.removed == 1 and store.commit_count() == 2
    assert commits_of(store)["sha"].to_list() == sorted([keep["sha"][0], old["sha"][2]])


def test_compaction_keeps_the_live_rows_in_one_file_and_later_appends_still_win(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    store.append_commits(commits_frame([gh("f", T0 + days(i)) for i in range(5)]))
    for i in range(3):
        store.append_commits(commits_of(store).head(1).with_columns(pl.lit(f"v{i}").alias("title")))
    before = commits_of(store)
    (done,) = store.compact(["commits"])
    assert (done.files_before, done.files_after, done.rows_after) == (4, 1, 5)
    assert commits_of(store).equals(before)
    assert store._snapshot("commits").all_clean
    store.append_commits(before.tail(1).with_columns(pl.lit("after").alias("title")))
    assert sorted(commits_of(store)["title"].to_list()) == ["Update", "Update", "Update", "after", "v2"]


def test_an_append_committed_during_a_compaction_is_kept(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    store.append_commits(commits_frame([gh("f", T0)]))
    store.append_commits(commits_frame([gh("f", T0 + days(1))]).with_columns(pl.lit("b" * 40).alias("sha")))
    snapshot = store._snapshot("commits")  # what a compaction read
    rows = store.collect(store._live("commits", [*TABLES["commits"], "_seq"], snapshot=snapshot))
    other = CacheStore(tmp_path)  # another process appends meanwhile
    other.append_commits(commits_frame([gh("f", T0 + days(2))]).with_columns(pl.lit("c" * 40).alias("sha")))
    physical = rows.with_columns(pl.lit(False).alias("_deleted"), pl.lit(True).alias(CLEAN))
    spec = SPECS["commits"]
    write_rows(store.location, spec, physical.select(list(spec.physical)), operation="compact", mode="overwrite",
               snapshot=snapshot)  # fmt: skip
    assert store.commit_count() == 3 and "c" * 40 in commits_of(store)["sha"].to_list()


def test_two_compactions_of_one_snapshot_do_not_duplicate_rows(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    store.append_commits(commits_frame([gh("f", T0)]))
    store.append_commits(commits_frame([gh("f", T0 + days(1))]).with_columns(pl.lit("b" * 40).alias("sha")))
    snapshot, same = store._snapshot("commits"), CacheStore(tmp_path)._snapshot("commits")  # two processes
    spec = SPECS["commits"]
    rows = store.collect(store._live("commits", [*TABLES["commits"], "_seq"], snapshot=snapshot))
    physical = rows.with_columns(pl.lit(False).alias("_deleted"), pl.lit(True).alias(CLEAN)).select(list(spec.physical))
    write_rows(store.location, spec, physical, operation="compact", mode="overwrite", snapshot=snapshot)
    with pytest.raises(CacheError, match="changed while it was being written"):
        write_rows(store.location, spec, physical, operation="compact", mode="overwrite", snapshot=same)
    assert store.commit_count() == 2


def test_families_upsert_never_erases_a_value_and_fill_only_fills_gaps(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    row = {"family": "f", "gh_repo": "o/r", "monorepo": False, "source": "discover", "added_at": T0, "note": "n"}
    store.upsert_families(pl.DataFrame([row], schema=TABLES["families"]))
    store.upsert_families(pl.DataFrame([{"family": "f", "gh_repo": "o/r2"}], schema=TABLES["families"]))
    got = store.families().row(0, named=True)
    assert (got["gh_repo"], got["note"], got["source"]) == ("o/r2", "n", "discover")
    derived = {"family": "f", "gh_repo": "x/y", "source": "import", "note": None}
    store.upsert_families(pl.DataFrame([derived], schema=TABLES["families"]), fill_only=True)
    assert store.families().row(0, named=True)["gh_repo"] == "o/r2"
    assert store.families().height == 1


def test_a_failed_sync_keeps_the_last_successful_head(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    ok = {"platform": "github", "repo": "o/r", "family": "f", "status": "ok", "head": "a" * 40, "last_success": T0}
    store.record_sync_outcomes(pl.DataFrame([ok], schema=TABLES["sync_state"]))
    failed = {"platform": "github", "repo": "o/r", "family": "f", "status": "timeout", "last_attempt": T0 + days(1)}
    store.record_sync_outcomes(pl.DataFrame([failed], schema=TABLES["sync_state"]))
    got = store.sync_states().row(0, named=True)
    assert (got["status"], got["head"], got["last_success"]) == ("timeout", "a" * 40, T0)


def label(sha: str, value: str, source: str = "rule", **extra: object) -> dict[str, object]:
    return {"platform": "github", "repo": "o/r", "sha": sha, "label": value, "source": source} | extra


def test_labels_that_did_not_change_are_not_written_again(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    rows = pl.DataFrame([label("a", "bug fix", labelled_at=T0), label("b", "unclear")], schema=TABLES["labels"])
    store.record_labels(rows)
    version = store.versions()["labels"]
    store.record_labels(rows.with_columns(pl.lit(T0 + days(1)).alias("labelled_at")))
    assert store.versions()["labels"] == version
    store.record_labels(rows.head(1).with_columns(pl.lit("preprocessing").alias("label")))
    labels = store.collect(store.labels()).sort("sha")
    assert labels["label"].to_list() == ["preprocessing", "unclear"] and store.versions()["labels"] == version + 1


def test_a_hand_label_is_set_cleared_and_kept_apart_from_the_classifiers(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    store.record_labels(pl.DataFrame([label("a", "bug fix")], schema=TABLES["labels"]))
    store.set_manual_label(platform="github", repo="o/r", sha="a", label="model structure", linked_sha="c" * 7)
    both = store.collect(store.labels()).sort("source")
    assert both.select("source", "label").rows() == [("manual", "model structure"), ("rule", "bug fix")]
    assert store.manual_labels()["linked_sha"].to_list() == ["c" * 7]
    assert store.clear_manual_label(platform="github", repo="o/r", sha="a")
    assert not store.clear_manual_label(platform="github", repo="o/r", sha="a")
    assert store.collect(store.labels())["source"].to_list() == ["rule"]


def test_renamed_and_forgotten_families_leave_no_trace(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    store_commits(store, commits_frame([gh("old", T0), hf("old", T0), gh("other", T0, repo="x/y")]), source="test")
    store.rename_families({"old": "new"})
    assert sorted(store.families()["family"].to_list()) == ["new", "other"]
    assert set(store.collect(store.commits(["family"]))["family"]) == {"new", "other"}
    assert store.variants()["family"].to_list() == ["new"]
    store.forget_families(["new"])
    assert store.families()["family"].to_list() == ["other"]
    assert store.collect(store.commits(["family"]))["family"].to_list() == ["other"]
    assert store.variants().is_empty()


def test_file_changes_and_proposals_round_trip(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    change = {"platform": "github", "repo": "o/r", "sha": "a" * 40, "path": "config.json", "status": "M"}
    store.append_file_changes(pl.DataFrame([change, change | {"path": "x.py"}], schema=TABLES["file_changes"]))
    store.append_file_changes(pl.DataFrame([change | {"new_blob": "b" * 40}], schema=TABLES["file_changes"]))
    got = store.collect(store.file_changes(repos=["o/r"])).sort("path")
    assert got.select("path", "new_blob").rows() == [("config.json", "b" * 40), ("x.py", None)]
    proposal = {"proposal_id": "p1", "family": "f", "variant": "o/m", "state": "planned", "created_at": T0}
    store.record_proposals(pl.DataFrame([proposal], schema=TABLES["proposals"]))
    store.record_proposals(pl.DataFrame([proposal | {"state": "open", "pr_url": "u"}], schema=TABLES["proposals"]))
    assert store.proposals().select("state", "pr_url").rows() == [("open", "u")]


def test_a_newer_cache_version_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cache.json").write_text(json.dumps({"schema_version": CACHE_VERSION + 1}))
    store = CacheStore(tmp_path)
    with pytest.raises(CacheError, match="upgrade ptlm-tui"):
        store.collect(store.commits())


def test_rows_of_the_wrong_type_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    with pytest.raises(CacheError, match="Refusing"):
        store.append_commits(pl.DataFrame({"family": ["x"], "authored_at": ["not a time"]}))
    assert not (tmp_path / "commits").exists()


def test_a_full_disk_is_said_in_one_line_and_the_table_keeps_its_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import deltalake

    store = CacheStore(tmp_path)
    store.append_commits(commits_frame([gh("f", T0)]))

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(deltalake, "write_deltalake", full)
    with pytest.raises(CacheError) as info:
        store.append_commits(commits_frame([gh("g", T0, repo="x/y")]))
    assert info.value.title.startswith("Disk full") and "\n" not in info.value.one_line()
    monkeypatch.undo()
    assert store.commit_count() == 1 and store.versions()["commits"] == 0


def test_a_first_write_killed_before_its_commit_reads_as_empty_and_is_cleaned(tmp_path: Path) -> None:
    for age, cleaned in ((2 * 3600, True), (5, False)):  # a young one may be another writer's first write
        root = tmp_path / str(age)
        table = root / "commits"
        (table / "_delta_log").mkdir(parents=True)
        part = table / "part-00000-0000-c000.snappy.parquet"
        part.write_bytes(b"PAR1 half")
        (table / "part-00001-0000-c000.snappy.parquet#1").write_bytes(b"PAR1")  # killed while staging
        (table / "_delta_log" / "_commit_0a1b.json.tmp").write_bytes(b"{")
        then = time.time() - age
        for path in [*table.rglob("*"), table]:
            os.utime(path, (then, then))
        store = CacheStore(root)
        assert store.commit_count() == 0
        store.append_commits(commits_frame([gh("f", T0)]))
        assert store.commit_count() == 1 and part.exists() is not cleaned


def test_versions_history_and_restore(tmp_path: Path) -> None:
    store = CacheStore(tmp_path)
    assert store.versions()["commits"] == -1
    store.append_commits(commits_frame([gh("f", T0)]))
    middle = dt.datetime.now(dt.UTC)
    store.append_commits(commits_frame([gh("g", T0, repo="x/y")]).with_columns(pl.lit("b" * 40).alias("sha")))
    assert store.versions()["commits"] == 1 and store.commits_written_at() is not None
    history = store.history("commits")
    assert history.select("version", "operation", "rows").rows() == [(1, "append commits", 1), (0, "append commits", 1)]
    assert store.restore("commits", 0) == 2
    assert store.commit_count() == 1
    store.restore("commits", 1)
    assert store.commit_count() == 2
    store.restore_at(middle)
    assert store.commit_count() == 1 and store.families().is_empty()
    with pytest.raises(CacheError, match="no version 9"):
        store.restore("commits", 9)


def test_outputs_are_refused_inside_the_cache(tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "c")
    with pytest.raises(CacheError, match="into the cache directory"):
        store.refuse_inside(tmp_path / "c" / "commits" / "x.parquet")
    with pytest.raises(CacheError):
        store.refuse_inside(tmp_path / "c" / ".." / "c" / "y.csv")
    store.refuse_inside(tmp_path / "elsewhere.csv")


def test_leftovers_of_killed_runs_are_cleaned_by_compaction(tmp_path: Path) -> None:
    import time

    store = CacheStore(tmp_path)
    store.append_commits(commits_frame([gh("f", T0)]))
    old = time.time() - 3 * 3600
    leftovers = [
        tmp_path / ".commits.parquet.tmp-123",  # the Parquet release's atomic write
        tmp_path / ".migrate-v2",
        tmp_path / "commits" / "part-00000-0000-orphan-c000.snappy.parquet",  # an append never committed
    ]
    leftovers[1].mkdir()
    for path in (leftovers[0], leftovers[2]):
        path.write_bytes(b"x")
    fresh = tmp_path / "commits" / "part-00000-0001-inflight-c000.snappy.parquet"  # another writer's, now
    fresh.write_bytes(b"y")
    for path in leftovers:
        os.utime(path, (old, old))
    assert sorted(p.name for p in store.leftovers()) == [".commits.parquet.tmp-123", ".migrate-v2"]
    store.compact()
    assert not any(p.exists() for p in leftovers)
    assert fresh.exists() and store.commit_count() == 1


def test_a_held_lock_times_out_naming_its_holder(tmp_path: Path) -> None:
    import threading

    from cache.lock import held_lock

    lock = tmp_path / "job.lock"
    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with held_lock(lock, "a job"):
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=hold)
    thread.start()
    inside.wait(10)
    try:
        with pytest.raises(CacheError) as info, held_lock(lock, "a job", wait=0.2):
            pass
        text = info.value.one_line()
        assert "Timed out" in text and f"pid {os.getpid()}" in text and "since 20" in text
    finally:
        release.set()
        thread.join()
    with held_lock(lock, "a job", wait=0.2):  # free again
        pass

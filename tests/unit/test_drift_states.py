"""Drift on built repositories: every state, moves, merges (first parent), LFS pointers and empty files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from core.drift.compare import adhoc_drift, drift_between
from core.drift.events import EMPTY_BLOBS
from core.drift.family import family_drift
from core.drift.pairs import DRIFT_SCHEMA
from core.drift.repos import Repository
from core.drift.summary import family_file_counts, hf_file_states, variant_file_counts
from core.mining.git_log import parse_history, read_log
from tests.fakes.git_repos import LFS_POINTER, DriftRepos, drift_repos

FORMATS_COLUMNS = [
    *("family", "gh_repo", "hf_repo", "gh_path", "hf_path", "state", "gh_head", "hf_head", "common_blob"),
    *("common_gh_sha", "missing_gh_commits", "missing_gh_shas", "first_missing_date", "hf_extra_commits"),
]


def blob_id(content: bytes) -> str:
    """Git's id of a blob, computed by hand."""
    import hashlib

    return hashlib.sha1(b"blob %d\x00" % len(content) + content).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DriftRepos:
    return drift_repos(tmp_path_factory.mktemp("drift"))


@pytest.fixture(scope="module")
def table(built: DriftRepos) -> pl.DataFrame:
    with adhoc_drift(str(built.gh), [str(built.hf), str(built.hf_lone)], family="fam") as run:
        return run.table


def test_columns_are_formats_md_in_order(table: pl.DataFrame) -> None:
    assert table.columns == FORMATS_COLUMNS == list(DRIFT_SCHEMA)
    assert table["family"].unique().to_list() == ["fam"]


def test_every_state_with_missing_and_extra_commits(built: DriftRepos, table: pl.DataFrame) -> None:
    got = {
        (r["hf_path"], r["gh_path"]): (r["state"], r["missing_gh_commits"], r["hf_extra_commits"])
        for r in table.iter_rows(named=True)
    }
    assert got == built.expected


def test_lfs_pointers_and_empty_files_never_link(table: pl.DataFrame) -> None:
    paths = set(table["hf_path"]) | set(table["gh_path"])
    assert "model.safetensors" not in paths and "__init__.py" not in paths
    assert not table["common_blob"].is_in(list(EMPTY_BLOBS)).any()
    assert str(Path("hf_lone")) not in " ".join(table["hf_repo"].unique().to_list())  # shares nothing real


def test_missing_commits_are_the_github_events_after_the_common_version(built: DriftRepos, table: pl.DataFrame) -> None:
    row = table.filter(pl.col("hf_path") == "config.json").row(0, named=True)
    assert row["common_gh_sha"] == built.gh_shas["initial"] and row["common_blob"] == row["hf_head"]
    shas = row["missing_gh_shas"].split("|")
    assert shas[0] == built.gh_shas["config2"] and shas[-1] == built.gh_shas["config4"] and len(shas) == 3
    assert row["first_missing_date"].isoformat() == "2023-01-03T12:00:00+00:00"
    gone = table.filter(pl.col("hf_path") == "gone_gh.txt").row(0, named=True)
    assert gone["missing_gh_shas"] == built.gh_shas["delete"] and gone["gh_head"] is None
    # The merge brought the side branch's result as one first-parent event.
    merged = table.filter(pl.col("hf_path") == "merged.json").row(0, named=True)
    assert merged["missing_gh_shas"] == built.gh_shas["merge"]
    synced = table.filter(pl.col("state") == "in_sync")
    assert (synced["missing_gh_commits"] == 0).all() and synced["first_missing_date"].is_null().all()
    assert (synced["gh_head"] == synced["hf_head"]).all() and (synced["missing_gh_shas"] == "").all()


def test_blob_ids_are_full_and_heads_are_what_git_ls_tree_says(built: DriftRepos, table: pl.DataFrame) -> None:
    import git

    for side, column, path_column in ((built.gh, "gh_head", "gh_path"), (built.hf, "hf_head", "hf_path")):
        tree = {line.split("\t")[1]: line.split()[2] for line in git.Repo(side).git.ls_tree("-r", "HEAD").splitlines()}
        for row in table.iter_rows(named=True):
            assert row[column] == tree.get(row[path_column])
    ids = pl.concat([table["common_blob"], table["common_gh_sha"], table["gh_head"].drop_nulls()])
    assert ids.str.contains(r"^[0-9a-f]{40}$").all()


def test_a_file_github_moved_and_hf_has_under_the_new_name_is_up_to_date(table: pl.DataFrame) -> None:
    files = hf_file_states(table.filter(pl.col("hf_repo").str.ends_with("hf")))
    state = dict(zip(files["hf_path"], files["state"], strict=True))
    assert state["conf.yaml"] == "in_sync"  # one pair removed_on_gh, the other in sync
    assert state["config.json"] == "hf_behind" and state["model.py"] == "diverged"
    counts = variant_file_counts(table).row(0, named=True)
    assert (counts["files_behind"], counts["files_diverged"], counts["files"]) == (1, 2, 3)
    assert family_file_counts(table)["files"].to_list() == [3]


def test_the_cache_interface_gives_the_same_table_from_full_histories(built: DriftRepos, table: pl.DataFrame) -> None:
    """family_drift orders the first-parent chain from parents (all commits, merges included)."""
    histories = [
        parse_history(read_log(built.gh), family="fam", repo=str(built.gh), platform="github"),
        parse_history(read_log(built.hf), family="fam", repo=str(built.hf), platform="huggingface"),
    ]
    commits = pl.concat([h.commits for h in histories])
    changes = pl.concat([h.changes for h in histories])
    # The side branch's commits are in the history (and their changes), but not events.
    assert commits.height == 11 + 5 and changes["sha"].n_unique() == 16
    pointer = blob_id(LFS_POINTER.encode())
    got = family_drift("fam", str(built.gh), commits, changes, never_link=[pointer])
    assert got.equals(table.filter(pl.col("hf_repo") == str(built.hf)))
    # A commit listed twice (a hand-made table) changes nothing.
    twice = family_drift("fam", str(built.gh), pl.concat([commits, commits]), changes, never_link=[pointer])
    assert twice.equals(got)
    # Without the pointer list, the shared pointer would link: the caller must give it.
    assert "model.safetensors" in family_drift("fam", str(built.gh), commits, changes)["hf_path"].to_list()


def test_a_github_repository_and_a_model_may_share_a_name(built: DriftRepos) -> None:
    histories = [
        parse_history(read_log(built.gh), family="fam", repo="acme/bert", platform="github"),
        parse_history(read_log(built.hf), family="fam", repo="acme/bert", platform="huggingface"),
    ]
    got = family_drift(
        "fam",
        "acme/bert",
        pl.concat([h.commits for h in histories]),
        pl.concat([h.changes for h in histories]),
        never_link=[blob_id(LFS_POINTER.encode())],
    )
    assert got.height == len(built.expected) and set(got["hf_repo"]) == {"acme/bert"}


def test_drift_between_reads_repositories_in_place(built: DriftRepos) -> None:
    gh = Repository("acme/code", built.gh, cloned=False)
    hf = Repository("acme/model", built.hf, cloned=False)
    got = drift_between(gh, [hf], family="acme_code")
    assert got["gh_repo"].unique().to_list() == ["acme/code"] and got.height == len(built.expected)

"""Incremental: a second fetch reads only the new commits, and drift from both reads equals a full run."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import git
import polars as pl

from core.drift.compare import drift_between
from core.drift.family import family_drift
from core.drift.repos import Repository
from core.mining.git_clones import BLOBLESS, SMALL_BLOBS, update_clone
from core.mining.git_log import History, parse_history, read_log
from core.mining.git_run import git_env
from tests.fakes.git_repos import LFS_POINTER, Builder, drift_repos, git_stamp

ENV = git_env("file://", None)


def _read(path: Path, repo: str, platform: str, since: str | None = None) -> History:
    return parse_history(read_log(path, since=since), family="fam", repo=repo, platform=platform)


def _pointer_blob() -> str:
    import hashlib

    data = LFS_POINTER.encode()
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def test_second_fetch_reads_only_new_commits_and_drift_matches_a_full_run(tmp_path: Path) -> None:
    built = drift_repos(tmp_path / "src")
    gh_clone, hf_clone = tmp_path / "cache" / "gh.git", tmp_path / "cache" / "hf.git"
    first_gh = update_clone(built.gh.as_uri(), gh_clone, env=ENV, timeout=60, filter_spec=BLOBLESS)
    first_hf = update_clone(built.hf.as_uri(), hf_clone, env=ENV, timeout=60, filter_spec=SMALL_BLOBS)
    reads = [_read(gh_clone, "acme/code", "github"), _read(hf_clone, "acme/model", "huggingface")]

    # Both sides move on; GitHub with a merge whose side branch changes tokenizer.json.
    t = dt.datetime(2023, 3, 1, tzinfo=dt.UTC)
    gh = Builder(git.Repo(built.gh))
    new_gh = [gh.commit("Retune", t, write={"config.json": '{"hidden": 1024}\n'})]
    gh.repo.git.checkout("-b", "later")
    new_gh.append(gh.commit("Tokenizer on a branch", t + dt.timedelta(days=1), write={"tokenizer.json": "{}\n"}))
    gh.repo.git.checkout("main")
    new_gh.append(gh.commit("Main side", t + dt.timedelta(days=2), write={"extra.txt": "x\n"}))
    stamp = git_stamp(t + dt.timedelta(days=3))
    gh.repo.git.merge(
        "later", "--no-ff", "-m", "Merge later", env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    )
    new_gh.append(gh.repo.head.commit.hexsha)
    hf = Builder(git.Repo(built.hf))
    new_hf = [hf.commit("Catch up config", t + dt.timedelta(days=4), write={"config.json": '{"hidden": 1024}\n'})]

    second_gh = update_clone(built.gh.as_uri(), gh_clone, env=ENV, timeout=60)
    second_hf = update_clone(built.hf.as_uri(), hf_clone, env=ENV, timeout=60, filter_spec=SMALL_BLOBS)
    assert not second_gh.cloned and second_gh.before == first_gh.after
    more = [
        _read(gh_clone, "acme/code", "github", since=first_gh.after),
        _read(hf_clone, "acme/model", "huggingface", since=first_hf.after),
    ]
    assert set(more[0].commits["sha"]) == set(new_gh) and set(more[1].commits["sha"]) == set(new_hf)
    assert set(more[0].changes["sha"]) <= set(new_gh)
    assert second_hf.after == new_hf[0]

    commits = pl.concat([r.commits for r in reads + more])
    changes = pl.concat([r.changes for r in reads + more])
    incremental = family_drift("fam", "acme/code", commits, changes, never_link=[_pointer_blob()])
    full = drift_between(
        Repository("acme/code", gh_clone, cloned=True, env=ENV),
        [Repository("acme/model", hf_clone, cloned=True, env=ENV)],
        family="fam",
    )
    assert incremental.equals(full)
    config = full.filter(pl.col("hf_path") == "config.json").row(0, named=True)
    assert config["state"] == "in_sync" and config["common_gh_sha"] == new_gh[0]
    tokenizer = full.filter(pl.col("hf_path") == "tokenizer.json").row(0, named=True)
    # HF was ahead; GitHub changed the file on a branch and merged it: now both changed it.
    assert tokenizer["state"] == "diverged" and tokenizer["missing_gh_shas"] == new_gh[-1]


def test_lfs_pointers_are_known_from_the_small_blobs_a_clone_keeps(tmp_path: Path) -> None:
    from core.mining.git_blobs import kept_blob_limit, lfs_pointer_blobs, local_blob_sizes

    built = drift_repos(tmp_path / "src")
    hf_clone = tmp_path / "hf.git"
    update_clone(built.hf.as_uri(), hf_clone, env=ENV, timeout=60, filter_spec=SMALL_BLOBS)
    assert kept_blob_limit(hf_clone, ENV) == 1024
    local = local_blob_sizes(hf_clone, ENV)
    assert local and max(local.values()) < 1024 and _pointer_blob() in local
    before = set(local)
    candidates = {_pointer_blob(), *list(before)[:3]}
    assert lfs_pointer_blobs(hf_clone, candidates, ENV) == {_pointer_blob()}
    assert set(local_blob_sizes(hf_clone, ENV)) == before  # nothing was fetched
    gh_clone = tmp_path / "gh.git"
    update_clone(built.gh.as_uri(), gh_clone, env=ENV, timeout=60)
    assert kept_blob_limit(gh_clone, ENV) == 0 and local_blob_sizes(gh_clone, ENV) == {}
    # A blob-less clone knows no sizes: the candidates are fetched, then read.
    assert lfs_pointer_blobs(gh_clone, [_pointer_blob()], ENV) == {_pointer_blob()}
    assert set(local_blob_sizes(gh_clone, ENV)) == {_pointer_blob()}
    # A full repository is read in place: sizes first, only small blobs read.
    assert lfs_pointer_blobs(built.hf, candidates, ENV) == {_pointer_blob()}
    assert kept_blob_limit(built.hf, ENV) is None


def test_an_old_blobless_hf_clone_is_refetched_with_small_blobs(tmp_path: Path) -> None:
    from core.mining.git_blobs import kept_blob_limit, local_blob_sizes

    built = drift_repos(tmp_path / "src")
    clone = tmp_path / "hf.git"
    update_clone(built.hf.as_uri(), clone, env=ENV, timeout=60, filter_spec=BLOBLESS)
    assert local_blob_sizes(clone, ENV) == {}
    update_clone(built.hf.as_uri(), clone, env=ENV, timeout=60, filter_spec=SMALL_BLOBS)
    assert kept_blob_limit(clone, ENV) == 1024 and _pointer_blob() in local_blob_sizes(clone, ENV)

"""GitHub side: bare blob-less clones of local repositories (file://), fetch, and git log parsing."""

from __future__ import annotations

import base64
import datetime as dt
import subprocess
import time
from pathlib import Path

import git
import polars as pl
import pytest

from core.errors import Cancelled, InputError
from core.mining.failures import SourceFailure
from core.mining.git_clones import CloneState, remote_url, update_clone
from core.mining.git_log import parse_log, read_log
from core.mining.git_run import git_env
from core.paths import git_clone_dir
from core.progress import CancelToken
from tests.fakes.fake_hub import FakeHub, Reply
from tests.fakes.git_repos import add_commits, bulk_repo, feature_repo, init_repo
from tests.fakes.mining import hub

__all__ = ["hub"]


def clone(root: Path, repo: str, cache: Path) -> CloneState:
    base = root.as_uri()
    return update_clone(
        remote_url(base, repo), git_clone_dir(cache, "github", repo), env=git_env(base, None), timeout=60
    )


def test_feature_repo_history(tmp_path: Path) -> None:
    src = feature_repo(tmp_path / "gh" / "acme" / "code")
    state = clone(tmp_path / "gh", "acme/code", tmp_path / "cache")
    assert state.cloned and state.after == src.shas[-1]
    frame = parse_log(read_log(state.path), family="fam", repo="acme/code")
    assert frame.height == len(src.shas) == 9
    assert set(frame["sha"]) == set(src.shas)
    row = {r["sha"]: r for r in frame.iter_rows(named=True)}
    merge = row[src.merge]
    assert len(merge["parents"].split()) == 2 and merge["files"] == "" and merge["title"] == "Merge branch 'feature'"
    assert row[src.rename]["files"] == "A:scripts/train.py|D:train.py"  # no rename detection
    assert row[src.delete]["files"] == "D:feat.py"
    assert row[src.latin1]["title"] == "Café résumé"
    # Not UTF-8 and no encoding declared: read byte for byte as Latin-1, nothing replaced.
    assert row[src.invalid]["title"] == "Broken \xff\xfe bytes"
    assert row[src.invalid]["title"].encode("latin-1") == b"Broken \xff\xfe bytes"
    zoned = row[src.zoned]
    # Recorded as 15:30 +05:30; the cache holds the instant in UTC.
    assert zoned["authored_at"] == dt.datetime(2021, 3, 2, 10, 0, tzinfo=dt.UTC)
    shown = git.Repo(src.path).git.show("-s", "--format=%ai", src.zoned)
    assert shown == "2021-03-02 15:30:00 +0530"
    assert zoned["title"] == "Tune config" and zoned["message"] == "Tune config\n\nLonger body\nwith lines"
    assert frame.schema["authored_at"] == pl.Datetime("us", "UTC")
    assert row[src.shas[0]]["parents"] == ""


def test_the_clone_is_bare_and_holds_no_file_contents(tmp_path: Path) -> None:
    feature_repo(tmp_path / "gh" / "acme" / "code")
    state = clone(tmp_path / "gh", "acme/code", tmp_path / "cache")
    path: Path = state.path
    objects = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch-check=%(objecttype)"],
        cwd=path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "commit" in objects and "tree" in objects and "blob" not in objects
    repo = git.Repo(path)
    assert (
        repo.bare and repo.config_reader().get_value('remote "origin"', "fetch") == "+refs/heads/main:refs/heads/main"
    )
    read_log(path)  # reading the history with --name-status fetched no blob either
    objects_after = subprocess.run(
        ["git", "cat-file", "--batch-all-objects", "--batch-check=%(objecttype)"],
        cwd=path,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "blob" not in objects_after


def test_fetch_brings_only_new_commits(tmp_path: Path) -> None:
    root = tmp_path / "gh"
    bulk_repo(root / "acme" / "big", 1000)
    first = clone(root, "acme/big", tmp_path / "cache")
    frame = parse_log(read_log(first.path), family="f", repo="acme/big")
    assert frame.height == 1000 and frame["sha"].n_unique() == 1000
    assert frame["authored_at"].is_sorted(descending=True)
    assert frame["files"].str.contains(r"^[AMD]:src/").all()
    same = clone(root, "acme/big", tmp_path / "cache")
    assert not same.cloned and same.before == same.after == first.after
    new = add_commits(root / "acme" / "big", 3)
    moved = clone(root, "acme/big", tmp_path / "cache")
    assert moved.before == first.after and moved.after == new[-1]
    since = parse_log(read_log(moved.path, since=moved.before), family="f", repo="acme/big")
    assert since["sha"].to_list() == new[::-1]


def test_missing_repository_is_not_found(tmp_path: Path) -> None:
    (tmp_path / "gh").mkdir()
    with pytest.raises(SourceFailure) as caught:
        clone(tmp_path / "gh", "acme/missing", tmp_path / "cache")
    assert caught.value.status == "not_found"
    assert not list((tmp_path / "cache").rglob("*.partial-*"))


def test_a_repository_needing_credentials_fails_without_prompting(hub: FakeHub, tmp_path: Path) -> None:
    hub.script(r"/info/refs", Reply(401, headers={"WWW-Authenticate": 'Basic realm="GitHub"'}), times=10)
    base = hub.url
    started = time.monotonic()
    with pytest.raises(SourceFailure) as caught:
        update_clone(
            remote_url(base, "acme/private"), tmp_path / "c" / "private.git", env=git_env(base, None), timeout=20
        )
    assert caught.value.status == "unauthorized" and "GITHUB_TOKEN" in caught.value.hint
    assert time.monotonic() - started < 10


def test_the_token_travels_in_a_header_never_in_the_url_or_command_line(hub: FakeHub, tmp_path: Path) -> None:
    token = "ghp_0123456789abcdefghijklmnopqrstu"
    hub.script(r"/info/refs", Reply(403, body="denied"), times=10)
    env = git_env(hub.url, token)
    assert token not in " ".join(k for k in env if k.startswith("GIT_CONFIG_KEY"))
    with pytest.raises(SourceFailure) as caught:
        update_clone(remote_url(hub.url, "acme/private"), tmp_path / "c" / "p.git", env=env, timeout=20)
    sent = {r.authorization for r in hub.requests}
    expected = "Basic " + base64.b64encode(f"x-access-token:{token}".encode()).decode()
    assert expected in sent
    assert token not in str(caught.value) and token not in caught.value.hint
    assert not (tmp_path / "c" / "p.git").exists()
    # Not sent to other hosts: the header is scoped to the base URL.
    assert env[f"GIT_CONFIG_KEY_{int(env['GIT_CONFIG_COUNT']) - 1}"] == f"http.{hub.url}/.extraHeader"


def test_a_slow_server_times_out(hub: FakeHub, tmp_path: Path) -> None:
    hub.script(r"/info/refs", Reply(delay=5, status=200), times=1)
    started = time.monotonic()
    with pytest.raises(SourceFailure) as caught:
        update_clone(
            remote_url(hub.url, "acme/slow"), tmp_path / "c" / "slow.git", env=git_env(hub.url, None), timeout=0.5
        )
    assert caught.value.status == "timeout" and time.monotonic() - started < 4


def test_cancel_kills_git(hub: FakeHub, tmp_path: Path) -> None:
    import threading

    hub.script(r"/info/refs", Reply(delay=5, status=200), times=1)
    token = CancelToken()
    threading.Timer(0.3, token.cancel).start()
    with pytest.raises(Cancelled):
        update_clone(
            remote_url(hub.url, "acme/slow"),
            tmp_path / "c" / "slow.git",
            env=git_env(hub.url, None),
            timeout=30,
            cancel=token,
        )
    assert not list((tmp_path / "c").glob("slow.git*partial*"))


def test_leftovers_of_an_interrupted_run_are_cleaned(tmp_path: Path) -> None:
    root = tmp_path / "gh"
    bulk_repo(root / "acme" / "big", 20)
    path = git_clone_dir(tmp_path / "cache", "github", "acme/big")
    path.parent.mkdir(parents=True)
    (path.parent / "big.git.partial-99999").mkdir()  # a clone killed half way
    first = clone(root, "acme/big", tmp_path / "cache")
    assert not (path.parent / "big.git.partial-99999").exists()
    (path / "packed-refs.lock").write_text("")  # a fetch killed half way
    add_commits(root / "acme" / "big", 1)
    second = clone(root, "acme/big", tmp_path / "cache")
    assert second.after != first.after


def test_unsafe_ids_never_reach_git(tmp_path: Path) -> None:
    for bad in ("../../etc", "-oProxyCommand=evil/x", "acme/..", "acme/x;rm -rf", ".hidden/x"):
        with pytest.raises(InputError):
            remote_url("https://github.com", bad)
    with pytest.raises(ValueError, match="escapes"):
        git_clone_dir(tmp_path, "github", "../escape")


def test_raw_history_gives_modes_blobs_and_awkward_paths(tmp_path: Path) -> None:
    """--raw: every change with modes and full blob ids; quoted, non-ASCII and non-UTF-8 paths kept."""
    import os

    from core.mining.git_log import parse_history

    repo = init_repo(tmp_path / "r")
    root = tmp_path / "r"
    names = ["café.txt", 'we"ird.txt', "tab\there.txt"]
    for name in names:
        (root / name).write_text(name + "\n")
    os.symlink("café.txt", root / "link")
    raw_name = b"latin\xe9.txt"
    with open(os.path.join(os.fsencode(root), raw_name), "wb") as handle:
        handle.write(b"x\n")
    repo.git.add("-A")
    repo.git.commit("-m", "files")
    (root / "café.txt").chmod(0o755)  # a mode-only change
    repo.git.commit("-am", "mode")
    history = parse_history(read_log(root), family="f", repo="o/r")
    changes = history.changes
    first = changes.filter(pl.col("sha") == history.commits["sha"][1])
    listed = subprocess.run(["git", "ls-tree", "-r", "-z", "--name-only", "HEAD~1"], cwd=root, capture_output=True)
    assert [n for n in listed.stdout.split(b"\0") if n] == sorted([n.encode() for n in names] + [b"link", raw_name])
    assert set(first["path"]) == {*names, "link", "latin\xe9.txt"}  # the Latin-1 name read byte for byte
    blobs = dict(zip(first["path"], first["new_blob"], strict=True))
    assert blobs["tab\there.txt"] == repo.git.rev_parse("HEAD~1:tab\there.txt")
    assert first.filter(pl.col("path") == "link")["new_mode"].item() == "120000"
    assert first["old_blob"].is_null().all() and (first["status"] == "A").all()
    mode_only = changes.filter(pl.col("sha") == history.commits["sha"][0]).row(0, named=True)
    assert (mode_only["old_mode"], mode_only["new_mode"]) == ("100644", "100755")
    assert mode_only["old_blob"] == mode_only["new_blob"] and mode_only["status"] == "M"


def test_raw_lines_off_the_fixed_layout_still_parse_in_order() -> None:
    from core.mining.git_log import parse_history

    a, b = "a" * 40, "b" * 40
    raw = (
        f"\x00{'1' * 40}\x1f\x1fDev\x1f1700000000\x1ftitle\n\x00\n\n"
        f":100644 100644 {a} {b} M\tfirst.txt\n"
        f":100644 100644 {a} {b} R100\told.txt\tnew.txt\n"
        f":000000 100644 {'0' * 40} {b} A\tlast.txt\n"
    ).encode()
    changes = parse_history(raw, family="f", repo="o/r").changes
    assert changes["path"].to_list() == ["first.txt", "old.txt\tnew.txt", "last.txt"]
    assert changes["status"].to_list() == ["M", "R", "A"] and changes["old_blob"].to_list() == [a, a, None]

"""`ptlm-tui propose` / `proposals`: the plan, the Hub pull request through the real client and the fake Hub, tokens,
network failures, LFS and size limits, the --to-github patch applied with `git am`, and the record."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from tests.fakes.fake_hub import FakeHub, Reply
from tests.fakes.propose_world import (
    FAMILY,
    GH_REPO,
    READ,
    SCOPED,
    VARIANT,
    WRITE,
    ProposeWorld,
    build_world,
    copy_cache,
    world_hub,
)
from tests.helpers import run_cli


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> ProposeWorld:
    return build_world(tmp_path_factory.mktemp("propose-world"))


@pytest.fixture(scope="module")
def hub(world: ProposeWorld) -> Iterator[FakeHub]:
    with world_hub(world) as fake:
        yield fake


@pytest.fixture
def cache(world: ProposeWorld, hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the world's cache; settings point at the fake Hub and the world's GitHub; no token."""
    hub.commits.reset()
    hub.reset_log()
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    monkeypatch.setenv("PTLM_GITHUB__BASE_URL", world.gh_root.as_uri())
    monkeypatch.setenv("PTLM_PROPOSE__MAX_FILE_MB", "1")
    return copy_cache(world, tmp_path / "cache")


def propose(capsys: pytest.CaptureFixture[str], cache: Path, *more: str) -> tuple[int, str, str]:
    return run_cli(["--cache-dir", str(cache), "propose", FAMILY, VARIANT, *more], capsys)


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True).stdout


def test_dry_run_shows_diffs_message_and_left_out_files_and_sends_nothing(
    world: ProposeWorld, hub: FakeHub, cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = propose(capsys, cache)
    assert code == 3  # done, with files left out
    assert out.startswith(f"Proposal to {VARIANT} (family {FAMILY}) from GitHub {GH_REPO} ")
    assert "== config.json <- GitHub config.json  [hf_behind, 2 commits]" in out
    assert '-  "hidden": 512,' in out and '+  "hidden": 768,' in out and "+ dropout: 0.1" in out
    assert "~ hidden: 512 -> 768" in out
    assert "== logo.png <- GitHub logo.png  [hf_behind, 1 commit, binary" in out and "Binary files hf/logo.png" in out
    assert "big.txt: skipped: 1.2 MB, over the 1 MB limit (setting propose.max_file_mb)" in out
    assert "data.csv: skipped: tracked by git LFS on GitHub" in out
    assert "tok.model: skipped: tracked by git LFS on HF" in out
    assert "model.py: not proposed: diverged from GitHub's `model.py`" in out and "--diverged" in out
    assert "tokenizer.json" not in out  # hf_ahead: the other direction
    message = out.split("Commit message:\n", 1)[1]
    assert message.splitlines()[0] == "    Update 2 files from GitHub acme/code"
    base = world.gh_root.as_uri()
    for name, title in (("wider", "Wider"), ("dropout", "Dropout"), ("logo", "New logo")):
        sha = world.gh_shas[name]
        assert f"- {sha[:7]} " in message and f" {title} ({base}/{GH_REPO}/commit/{sha})" in message
    assert "dry run: nothing was sent" in err and "--open-pr" in err
    assert hub.requests == [] and hub.commits.received == []


def test_open_pr_sends_exactly_the_plan_and_is_remembered(
    world: ProposeWorld, hub: FakeHub, cache: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", WRITE)
    code, out, err = propose(capsys, cache, "--open-pr", "--format", "json")
    assert code == 3, err
    plan = json.loads(out)
    (sent,) = hub.commits.received
    assert sent.repo == VARIANT and sent.revision == "main" and sent.create_pr
    assert sent.summary == plan["title"] == "Update 2 files from GitHub acme/code"
    assert sent.description == plan["body"]
    assert sent.parent == git(world.hf, "rev-parse", "HEAD").decode().strip()
    assert sent.files == {
        "config.json": git(world.gh, "show", "HEAD:config.json"),
        "logo.png": git(world.gh, "show", "HEAD:logo.png"),
    }
    assert sent.lfs_paths == ["logo.png"]  # binary: the Hub asked for its large-file storage
    assert plan["result"]["state"] == "open" and plan["result"]["pr_url"] == sent.pr_url
    assert sent.pr_url == f"{hub.url}/{VARIANT}/discussions/1"
    assert [p["create_pr"] for p in hub.commits.preuploads] == [True]
    # The record, `proposals` and `status`.
    code, out, _ = run_cli(["--cache-dir", str(cache), "proposals", "--format", "csv"], capsys)
    (row,) = pl.read_csv(out.encode()).iter_rows(named=True)
    assert row["state"] == "open" and row["pr_url"] == sent.pr_url and row["direction"] == "to_hub"
    assert set(row["gh_commits"].split()) == {world.gh_shas[n] for n in ("wider", "dropout", "logo")}
    assert {f["hf_path"] for f in json.loads(row["files"])} == {"config.json", "logo.png"}
    assert {s["hf_path"] for s in json.loads(row["skipped"])} == {"big.txt", "data.csv", "tok.model"}
    code, out, _ = run_cli(["--cache-dir", str(cache), "status", "--format", "csv"], capsys)
    status = pl.read_csv(out.encode()).filter(pl.col("repo") == VARIANT)
    assert status["proposal"].to_list() == [f"PR open: {sent.pr_url}"]
    # The Drift view's "PR open" marker: per variant and file, for the GitHub version the pull request brings.
    from cache.store import CacheStore
    from core.propose.record import mark_open_prs, open_pr_by_variant

    store = CacheStore(cache)
    config_blob = git(world.gh, "rev-parse", "HEAD:config.json").decode().strip()
    rows = pl.DataFrame(
        {
            "hf_repo": [VARIANT] * 3,
            "hf_path": ["config.json", "logo.png", "big.txt"],
            "gh_head": [config_blob, "0" * 40, "1" * 40],
        }
    )
    assert mark_open_prs(store, rows)["pr_url"].to_list() == [sent.pr_url, None, None]  # GitHub moved on: not open
    assert mark_open_prs(store, rows.drop("gh_head"), FAMILY)["pr_url"].to_list() == [sent.pr_url, sent.pr_url, None]
    assert open_pr_by_variant(store, FAMILY).rows() == [(VARIANT, 2, [sent.pr_url])]
    # Proposing the same files again sends nothing; --force does.
    code, out, err = propose(capsys, cache, "--open-pr")
    assert f"config.json: PR open: {sent.pr_url}" in err and "nothing left to propose" in err
    assert len(hub.commits.received) == 1
    code, out, err = propose(capsys, cache, "config.json", "--open-pr", "--force")
    assert code == 0 and len(hub.commits.received) == 2
    assert out.rstrip().endswith(f"Pull request: {hub.url}/{VARIANT}/discussions/2")
    # Someone closes the first pull request on the Hub and merges the second: a refresh records it,
    # and logo.png (only in the closed one) can be proposed again without --force.
    hub.commits.set_status(VARIANT, 1, "closed")
    hub.commits.set_status(VARIANT, 2, "merged")
    code, out, err = run_cli(["--cache-dir", str(cache), "proposals", "--refresh", "--format", "csv"], capsys)
    assert code == 0 and "refreshed 2 open pull requests: 2 merged or closed since" in err
    assert pl.read_csv(out.encode())["state"].to_list() == ["merged", "closed"]
    code, out, err = propose(capsys, cache, "logo.png")
    assert code == 0 and "== logo.png" in out and "PR open" not in err


@pytest.mark.parametrize(
    ("token", "message", "requests"),
    [
        (None, "no Hub token: set HF_TOKEN", 0),
        ("hf_unknown", "the Hub does not accept this token (401 Unauthorized)", 1),
        (READ, "the token of alice is read-only (role read)", 1),
        (SCOPED, "the Hub refused the upload (403)", 2),  # fine-grained: whoami passes, preupload refuses
    ],
)
def test_tokens_that_cannot_write_send_nothing(
    hub: FakeHub,
    cache: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    token: str | None,
    message: str,
    requests: int,
) -> None:
    if token:
        monkeypatch.setenv("HF_TOKEN", token)
    code, out, err = propose(capsys, cache, "config.json", "--open-pr")
    assert code == 1 and err.count("\n") == 1 and err.startswith("ptlm-tui: error: Pull request not opened: ")
    assert message in err and ("nothing was sent" in err or "nothing was committed" in err)
    assert hub.commits.received == [] and hub.commits.lfs_objects == {}
    assert len([r for r in hub.requests if r.path.startswith("/api/") and "agent-harnesses" not in r.path]) == requests
    if token:
        assert token not in err
    code, out, _ = run_cli(["--cache-dir", str(cache), "proposals", "--format", "json"], capsys)
    (row,) = json.loads(out)
    assert row["state"] == "failed" and message in row["error"]


def test_network_failures_are_reported_and_nothing_is_half_sent(
    hub: FakeHub, cache: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", WRITE)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    code, _, err = propose(capsys, cache, "config.json", "--open-pr")
    assert code == 1 and "cannot reach the Hub at http://127.0.0.1:9" in err and "nothing was sent" in err
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    hub.script(r"/commit/", Reply(drop=True))  # the connection breaks during the commit request
    code, _, err = propose(capsys, cache, "config.json", "--open-pr")
    assert code == 1 and "no answer from the Hub to the commit request" in err and "may or may not exist" in err
    hub.script(r"/commit/", Reply(status=500, body="internal error"))  # the commit call is not retried
    code, _, err = propose(capsys, cache, "config.json", "--open-pr")
    assert code == 1 and "the Hub refused the commit (500)" in err and "nothing was committed" in err
    assert hub.commits.received == []
    code, out, _ = run_cli(["--cache-dir", str(cache), "proposals", "--format", "csv"], capsys)
    assert pl.read_csv(out.encode())["state"].to_list() == ["failed", "unknown", "failed"]


def test_offline_plans_from_what_the_clones_hold_and_never_sends(
    hub: FakeHub, cache: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from core.paths import git_clone_dir

    monkeypatch.setenv("HF_TOKEN", WRITE)
    clone = git_clone_dir(cache, "github", GH_REPO)
    local = git(clone, "remote", "get-url", "origin").decode().strip()
    git(clone, "remote", "set-url", "origin", "https://127.0.0.1:9/acme/code")  # as a real clone's: the network
    code, out, _ = propose(capsys, cache, "config.json", "--offline")
    # The GitHub clone holds no file contents yet: offline, nothing is fetched to find out.
    assert code == 3 and "config.json: skipped: cannot tell whether git LFS tracks it on GitHub" in out
    assert "drop --offline" in out
    git(clone, "remote", "set-url", "origin", local)
    assert propose(capsys, cache, "config.json")[0] == 0  # online: the version is fetched once, then kept
    git(clone, "remote", "set-url", "origin", "https://127.0.0.1:9/acme/code")
    code, out, _ = propose(capsys, cache, "config.json", "--offline")
    assert code == 0 and '+  "hidden": 768,' in out
    code, _, err = propose(capsys, cache, "config.json", "--offline", "--open-pr")
    assert code == 1 and "Offline mode is on" in err and "nothing was sent" in err
    assert hub.requests == []


def test_named_paths_and_diverged(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = propose(capsys, cache, "config.json", "tokenizer.json")
    assert code == 0 and "== config.json" in out and "logo.png" not in out
    assert "tokenizer.json: not proposed: HF is ahead of GitHub's `tokenizer.json`: `--to-github`" in out
    code, out, _ = propose(capsys, cache, "model.py", "--diverged")
    assert code == 0 and "== model.py <- GitHub model.py  [diverged, 1 commit]" in out
    assert "-    return x + 0" in out and "+    return x * 1" in out
    code, out, err = propose(capsys, cache, "nope.txt")
    assert code == 1 and out == "" and "Not a linked file of this variant: nope.txt" in err


def test_to_github_patch_applies_with_git_am(
    world: ProposeWorld,
    cache: Path,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = propose(capsys, cache, "--to-github")
    assert code == 3  # weights.pt: an LFS pointer on HF
    patch = tmp_path / "0001-Update-tokenizer.json-from-Hugging-Face-acme-model.patch"
    assert f"patch written: {patch}" in err and "git am" in err
    assert "weights.pt: skipped: a git LFS pointer on HF" in out
    text = patch.read_text()
    assert text.startswith("From ") and "From: Bob Hub <bob@example.org>" in text
    assert "Subject: [PATCH] Update `tokenizer.json` from Hugging Face acme/model" in text
    assert f"{world.hf_shas['vocab'][:7]} 2023-03-10 Bigger vocab" in text
    clone = tmp_path / "gh-clone"
    subprocess.run(["git", "clone", "--quiet", str(world.gh), str(clone)], check=True)
    env = {"GIT_COMMITTER_NAME": "Maintainer", "GIT_COMMITTER_EMAIL": "m@example.org", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "am", "--quiet", str(patch)], cwd=clone, check=True, env=env)
    assert (clone / "tokenizer.json").read_bytes() == git(world.hf, "show", "HEAD:tokenizer.json")
    assert git(clone, "log", "-1", "--format=%an|%s").decode().strip() == (
        "Bob Hub|Update `tokenizer.json` from Hugging Face acme/model"
    )
    code, out, _ = run_cli(["--cache-dir", str(cache), "proposals", "--format", "json"], capsys)
    (row,) = json.loads(out)
    assert row["state"] == "written" and row["patch_file"] == str(patch)
    assert row["hf_commits"] == world.hf_shas["vocab"]
    # Never into the cache; -o - writes the patch itself to stdout.
    code, _, err = propose(capsys, cache, "--to-github", "-o", str(cache / "x.patch"))
    assert code == 1 and "Refusing to write" in err and not (cache / "x.patch").exists()
    code, out, _ = propose(capsys, cache, "--to-github", "-o", "-")
    assert code == 3 and out.startswith("From ") and "GIT binary patch" not in out and '+  "vocab": 200' in out


def test_usage_and_unknown_variant(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as usage:
        run_cli(["--cache-dir", str(cache), "proposals", "--state", "pending"], capsys)
    assert usage.value.code == 2
    code, _, err = propose(capsys, cache, "--open-pr", "--to-github")
    assert code == 2 and "--open-pr and --to-github exclude each other" in err
    code, _, err = run_cli(["--cache-dir", str(cache), "propose", FAMILY, "acme/other"], capsys)
    assert code == 1 and "acme/other is not a variant of acme_code" in err
    code, _, err = run_cli(["--cache-dir", str(cache), "propose", "nope", VARIANT], capsys)
    assert code == 1 and "Unknown family" in err

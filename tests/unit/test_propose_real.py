"""`ptlm-tui propose` end to end on the real QwenLM/Qwen ↔ Qwen/Qwen-7B repositories of ../shared/data/repos.

The variant is served by the fake Hub (its real git history); the cache holds the clones and the
histories sync would keep. Expectations come from plain git on the bundles, not from ptlm-tui.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import shared_path
from tests.fakes.fake_hub import FakeHub
from tests.fakes.propose_world import mine_into_cache
from tests.helpers import run_cli

FAMILY, GH_REPO, VARIANT = "Qwen_Qwen", "QwenLM/Qwen", "Qwen/Qwen-7B"
TOKEN = "hf_qwen_write"


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True).stdout


@dataclass(frozen=True)
class Qwen:
    gh: Path  # a full bare clone of the GitHub bundle (what plain git reads)
    hf: Path  # the variant's repository as the fake Hub serves it
    cache: Path
    hub: FakeHub


@pytest.fixture(scope="module")
def qwen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Qwen]:
    from cache.store import CacheStore
    from tests.fakes.mining import seed_family

    bundles = shared_path("data", "repos")
    root = tmp_path_factory.mktemp("propose-qwen")
    gh, hf = root / "github" / "QwenLM" / "Qwen.git", root / "hubgit" / "Qwen" / "Qwen-7B"
    for bundle, target in (("gh_QwenLM__Qwen.bundle", gh), ("hf_Qwen__Qwen-7B.bundle", hf)):
        subprocess.run(["git", "clone", "--quiet", "--bare", str(bundles / bundle), str(target)], check=True)
        for key in ("uploadpack.allowFilter", "uploadpack.allowAnySHA1InWant"):
            git(target, "config", key, "true")
    store = CacheStore(root / "cache")
    seed_family(store, FAMILY, GH_REPO, [VARIANT])
    mine_into_cache(store, FAMILY, (GH_REPO, gh.as_uri()), (VARIANT, hf.as_uri()))
    with FakeHub(git_root=root / "hubgit") as hub:
        hub.add_model_from_git(VARIANT, hf)
        hub.commits.add_token(TOKEN, user="maintainer", role="write")
        yield Qwen(gh, hf, store.root, hub)


@pytest.fixture
def env(qwen: Qwen, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_ENDPOINT", qwen.hub.url)


def test_only_wechat_png_is_behind_and_licence_is_up_to_date(
    qwen: Qwen, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["--cache-dir", str(qwen.cache), "propose", FAMILY, VARIANT, "--format", "json"], capsys)
    assert code == 0, err
    plan = json.loads(out)
    (png,) = plan["files"]
    assert png["target"] == "assets/wechat.png" and png["state"] == "hf_behind" and png["binary"]
    assert png["new_blob"] == git(qwen.gh, "rev-parse", "HEAD:assets/wechat.png").decode().strip()
    assert png["old_blob"] == git(qwen.hf, "rev-parse", "HEAD:assets/wechat.png").decode().strip()
    # Plain git: the GitHub commits that changed the file since the version HF holds last appeared.
    common = next(
        sha
        for sha in git(qwen.gh, "rev-list", "--first-parent", "HEAD", "--", "assets/wechat.png").decode().split()
        if git(qwen.gh, "ls-tree", sha, "assets/wechat.png").decode().split()[2:3] == [png["old_blob"]]
    )
    missing = git(qwen.gh, "rev-list", "--first-parent", "--reverse", f"{common}..HEAD", "--", "assets/wechat.png")
    assert [c["sha"] for c in plan["commits"]] == missing.decode().split() and len(plan["commits"]) == 33
    assert plan["commits"][0]["url"] == f"https://github.com/{GH_REPO}/commit/{plan['commits'][0]['sha']}"
    assert plan["title"] == f"Update `assets/wechat.png` from GitHub {GH_REPO}"
    # LICENSE: its pair with GitHub's LICENSE is hf_behind, but GitHub moved that text to another file
    # and HF holds it: proposing GitHub's new LICENSE would replace the model's licence.
    code, out, _ = run_cli(["--cache-dir", str(qwen.cache), "propose", FAMILY, VARIANT, "LICENSE"], capsys)
    assert code == 0
    assert "LICENSE: not proposed: up to date: the same as GitHub's `Tongyi Qianwen LICENSE AGREEMENT`" in out
    assert qwen.hub.commits.received == []


def test_the_png_that_arrives_is_githubs_byte_for_byte(
    qwen: Qwen, env: None, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    code, out, err = run_cli(["--cache-dir", str(qwen.cache), "propose", FAMILY, VARIANT, "--open-pr"], capsys)
    assert code == 0, err
    (sent,) = qwen.hub.commits.received
    assert sent.create_pr and sent.parent == git(qwen.hf, "rev-parse", "HEAD").decode().strip()
    assert sent.files == {"assets/wechat.png": git(qwen.gh, "cat-file", "blob", "HEAD:assets/wechat.png")}
    assert sent.lfs_paths == ["assets/wechat.png"]  # a PNG: the Hub takes it into its large-file storage
    assert sent.description.count(f"(https://github.com/{GH_REPO}/commit/") == 33
    assert f"Pull request: {qwen.hub.url}/{VARIANT}/discussions/1" in out

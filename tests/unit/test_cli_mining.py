"""The verbs discover, link, sync and status, through main() and through real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from tests.conftest import REPO_ROOT
from tests.fakes.fake_hub import FakeHub, Reply
from tests.fakes.mining import fast_retries, gh_root, hub, make_gh_repo
from tui.cli.main import main

__all__ = ["fast_retries", "gh_root", "hub"]

HF_TOKEN = "hf_SECRETSECRETSECRETSECRET1234"
GH_TOKEN = "ghp_SECRETSECRETSECRETSECRET5678"


def write_config(path: Path, hub: FakeHub, gh_root: Path, extra: str = "") -> Path:
    path.write_text(
        "# my config\n"
        f'[hub]\nendpoint = "{hub.url}"\nmax_retries = 1\ntimeout = 5\n\n'
        f'[github]\nbase_url = "{gh_root.as_uri()}"\n\n'
        "[links]\n# keep me\n" + extra
    )
    return path


@pytest.fixture
def setup(hub: FakeHub, gh_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[FakeHub, Path, Path]:
    hub.add_model("acme/bert-small", downloads=90_000, card="Code: https://github.com/acme/bert\n", commits=3)
    hub.add_model("solo/mystery", downloads=50_000, card="Nothing here.\n", commits=2)
    make_gh_repo(gh_root, "acme/bert", commits=4)
    make_gh_repo(gh_root, "solo/mystery-code", commits=2)
    config = write_config(tmp_path / "config.toml", hub, gh_root)
    monkeypatch.setenv("PTLM_CONFIG_FILE", str(config))
    monkeypatch.setenv("PTLM_CACHE_DIR", str(tmp_path / "cache"))
    return hub, config, tmp_path / "cache"


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_discover_link_sync_status(setup: tuple[FakeHub, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    hub, config, cache = setup
    code, out, err = run(["discover", "--format", "json"], capsys)
    assert code == 0, err
    assert [f["family"] for f in json.loads(out)] == ["acme_bert"]
    assert "ptlm-tui link solo/mystery OWNER/REPO" in err and "1 without a GitHub link" in err
    code, _, err = run(["link", "solo/mystery", "solo/mystery-code"], capsys)
    assert code == 0 and "now in family solo_mystery-code" in err
    assert "# my config" in config.read_text() and "# keep me" in config.read_text()
    code, _, err = run(["sync"], capsys)
    assert code == 0 and "synced 4 repositories" in err and "4 ok" in err, err
    code, out, _ = run(["status", "--format", "csv"], capsys)
    import io

    status = pl.read_csv(io.StringIO(out))
    assert status["status"].to_list() == ["ok"] * 4
    assert dict(zip(status["repo"], status["commits"], strict=True)) == {
        "acme/bert": 4,
        "acme/bert-small": 3,
        "solo/mystery-code": 2,
        "solo/mystery": 2,
    }
    code, out, err = run(["status"], capsys)
    assert code == 0 and "acme_bert" in out and "ok" in out
    code, out, err = run(["status", "--failed"], capsys)
    assert "no repositories to show" in err
    hub.add_model("late/model", downloads=5, commits=1)  # below the threshold: never listed
    code, _, err = run(["link", "late/model", "acme/bert"], capsys)
    assert "not in the cache yet" in err
    code, out, err = run(["discover", "--watchlist", "--format", "csv"], capsys)
    assert code == 0 and "late/model" in out.split("acme_bert", 1)[1].splitlines()[0], out


def test_offline_verbs_make_no_request(setup: tuple[FakeHub, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    hub, _, _ = setup
    run(["discover"], capsys)
    hub.reset_log()
    code, _, err = run(["--offline", "sync"], capsys)
    assert code == 0 and "no request made" in err
    code, _, err = run(["discover", "--offline"], capsys)
    assert code == 0 and "no request made" in err
    assert hub.count() == 0


def test_bad_input_is_one_line(setup: tuple[FakeHub, Path, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["link", "acme/x", "../../etc"], capsys)
    assert code == 1 and err.startswith("ptlm-tui: error: Invalid GitHub repository id") and err.count("\n") == 1
    code, _, err = run(["sync", "no_such_family"], capsys)
    assert code == 1 and "Unknown family" in err
    with pytest.raises(SystemExit):
        main(["discover", "--limit", "0"])


def test_tokens_never_reach_the_cache_or_the_output(
    setup: tuple[FakeHub, Path, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    fast_retries: None,
) -> None:
    hub, _, cache = setup
    hub.token = HF_TOKEN
    monkeypatch.setenv("HF_TOKEN", HF_TOKEN)
    monkeypatch.setenv("GITHUB_TOKEN", GH_TOKEN)
    run(["discover"], capsys)
    assert any(r.authorization == f"Bearer {HF_TOKEN}" for r in hub.requests)
    hub.script(r"/commits/", Reply(400, body="echo:", echo_auth=True), times=5)
    hub.script(r"^/api/models/solo", Reply(418, body="teapot", echo_auth=True), times=5)
    code, out, err = run(["sync"], capsys)
    code2, out2, err2 = run(["status", "--format", "json"], capsys)
    assert "***" in out2  # the echoed header was recorded, redacted
    for text in (out, err, out2, err2):
        assert HF_TOKEN not in text and GH_TOKEN not in text
    for path in cache.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert HF_TOKEN.encode() not in data and GH_TOKEN.encode() not in data, path


def _cli(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "tui", *args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGKILL])
def test_an_interrupted_process_leaves_a_consistent_cache(
    setup: tuple[FakeHub, Path, Path], capsys: pytest.CaptureFixture[str], sig: signal.Signals
) -> None:
    hub, config, cache = setup
    run(["discover"], capsys)
    run(["link", "solo/mystery", "solo/mystery-code"], capsys)
    hub.script(r"^/api/models/solo/mystery$", Reply(delay=30))  # hangs until we interrupt
    env = {**os.environ, "PTLM_SYNC__WORKERS": "1"}
    proc = _cli("sync", env=env)
    deadline = time.monotonic() + 60
    while hub.count(r"^/api/models/solo/mystery$") == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    if sig == signal.SIGINT:
        assert proc.returncode == 130 and "work finished so far is kept" in err, err
    store = CacheStore(cache)
    kept = store.collect(store.commits())  # readable, whatever the moment of the interruption
    if sig == signal.SIGINT:
        assert set(kept["repo"]) >= {"acme/bert", "solo/mystery-code", "acme/bert-small"}
    hub.reset_log()
    code, _, err = run(["sync"], capsys)
    assert code == 0 and "4 ok" in err, err
    assert store.collect(store.commits()).height == 11
    assert not list(cache.rglob("*.partial-*")) and not list(cache.rglob(".*.tmp-*"))

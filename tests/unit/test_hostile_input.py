"""Hostile input the headless commands must neutralise or refuse, end to end (issue 14, item 3).

Every test drives the real code against loopback fakes started here: the fake Hub (the real
huggingface_hub client talks to it), a second fake Hub standing for "another host", a recording
proxy standing for the internet, real git over HTTP and real processes on a pseudo-terminal.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from core.config import load_settings
from core.errors import ConfigError
from core.mining.failures import SourceFailure
from core.mining.hub import HubClient
from core.mining.sync import sync
from tests.conftest import REPO_ROOT
from tests.fakes.fake_hub import FakeHub, Reply
from tests.fakes.fake_proxy import FakeProxy
from tests.fakes.mining import fast_retries, gh_root, hub, make_gh_repo, make_settings, seed_family
from tests.helpers import run_cli as cli
from tests.terminal import run_on_terminal

__all__ = ["fast_retries", "gh_root", "hub"]

TOKEN = "hf_hostiletestTOKENabcdefghij0123"
# Retitles the terminal (OSC 0), writes the clipboard (OSC 52), clears the screen (CSI 2J) and
# reverses what follows (RLO): what `labels --format csv` printed raw into tmux.
EVIL_TITLE = "fix \x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202eevil\x9b31m end"


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_DISABLE_TELEMETRY", "HF_ENDPOINT")}
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env | extra


def on_terminal(argv: list[str], env: dict[str, str]) -> bytes:
    """Exactly the bytes ``argv`` wrote on a pseudo-terminal (it must succeed)."""
    code, out = run_on_terminal(argv, env)
    assert code == 0, out.decode(errors="replace")
    return out


@pytest.fixture
def evil_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    cache = tmp_path / "cache"
    table = pl.DataFrame(
        {
            "family": ["fam", "fam"],
            "platform": ["github", "huggingface"],
            "repo": ["o/code", "o/model"],
            "sha": ["a" * 40, "b" * 40],
            "authored_at": ["2022-01-01T00:00:00Z", "2022-01-02T00:00:00Z"],
            "author": ["x", "y"],
            "title": [EVIL_TITLE, "Upload README.md"],
            "message": [EVIL_TITLE, "Upload README.md"],
            "files": ["M:train.py", "M:README.md"],
        }
    )
    table.write_parquet(tmp_path / "evil.parquet")
    assert cli(["--cache-dir", str(cache), "import", str(tmp_path / "evil.parquet")], capsys)[0] == 0
    return cache


def test_csv_and_json_on_a_terminal_show_control_characters_as_escapes(evil_cache: Path) -> None:
    base = [sys.executable, "-m", "tui", "--cache-dir", str(evil_cache), "labels"]
    shown = on_terminal([*base, "--format", "csv"], child_env())
    assert b"\x1b" not in shown and b"\x07" not in shown and b"\xc2\x9b" not in shown
    assert "\u202e" not in shown.decode()
    assert b"\\x1b]52;c;ZXZpbA==\\x07" in shown and b"\\u202e" in shown  # visible, so the reader sees them
    as_json = on_terminal([*base, "--format", "json"], child_env()).replace(b"\r\n", b"\n")
    assert b"\x1b" not in as_json and "\u202e" not in as_json.decode()
    assert {row["title"] for row in json.loads(as_json)} >= {EVIL_TITLE}  # still valid JSON, exact text


def test_files_and_pipes_keep_the_exact_text(evil_cache: Path, tmp_path: Path) -> None:
    base = [sys.executable, "-m", "tui", "--cache-dir", str(evil_cache), "labels", "--format", "csv"]
    piped = subprocess.run(base, capture_output=True, env=child_env(), check=True).stdout
    assert EVIL_TITLE.encode() in piped
    subprocess.run([*base, "-o", str(tmp_path / "labels.csv")], env=child_env(), check=True)
    assert pl.read_csv(tmp_path / "labels.csv").filter(pl.col("repo") == "o/code")["title"].item() == EVIL_TITLE


def test_a_next_page_link_to_another_host_is_refused(hub: FakeHub) -> None:
    hub.add_model("acme/bert", commits=2)
    with FakeHub() as elsewhere:
        link = f'<{elsewhere.url}/api/models/acme/bert/commits/main?p=1>; rel="next"'
        hub.script(r"/commits/main$", Reply(200, headers={"Link": link, "Content-Type": "application/json"}, body="[]"))
        with pytest.raises(SourceFailure) as caught:
            HubClient(hub.url, TOKEN, timeout=5, max_retries=0).commits("acme/bert", set())
        assert elsewhere.requests == []  # neither the token nor the request went there
    assert "another host" in caught.value.detail and TOKEN not in str(caught.value)


def test_a_redirect_to_another_host_is_refused_and_one_on_the_hub_followed(hub: FakeHub) -> None:
    hub.add_model("acme/bert", commits=1)
    hub.add_model("acme/bert-renamed", commits=1)
    api = HubClient(hub.url, TOKEN, timeout=5, max_retries=0)
    with FakeHub() as elsewhere:
        elsewhere.add_model("acme/bert", commits=1)
        hub.script(
            r"^/api/models/acme/bert$", Reply(307, headers={"Location": f"{elsewhere.url}/api/models/acme/bert"})
        )
        with pytest.raises(SourceFailure) as caught:
            api.model_info("acme/bert")
        assert elsewhere.requests == [] and "another host" in caught.value.detail
    # A renamed repository answers 307 to its new name on the same Hub: that is followed, token and all.
    hub.script(r"^/api/models/acme/bert$", Reply(307, headers={"Location": "/api/models/acme/bert-renamed"}))
    assert api.model_info("acme/bert").id == "acme/bert-renamed"
    assert hub.requests[-1].authorization == f"Bearer {TOKEN}"


def test_an_endpoint_set_only_in_the_config_keeps_the_library_off_the_public_hub(hub: FakeHub, tmp_path: Path) -> None:
    """huggingface_hub fetches {HF_ENDPOINT}/api/agent-harnesses by itself; with an endpoint in the
    config file only, that request used to go to huggingface.co (and, where DNS hangs, cost seconds)."""
    hub.add_model("acme/bert", commits=1, card="code: https://github.com/acme/bert\n")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[cache]\ndir = "{tmp_path / "cache"}"\n[hub]\nendpoint = "{hub.url}"\n[[watchlist]]\nmodel = "acme/bert"\n'
    )
    with FakeProxy() as internet:
        env = child_env(PTLM_CONFIG_FILE=str(config), **internet.environment())
        done = subprocess.run(
            [sys.executable, "-m", "tui", "discover", "--watchlist"], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        assert internet.targets == []  # nothing tried to leave the machine
    assert hub.count("/api/models/acme/bert") >= 1


def test_retry_after_is_capped_by_the_setting(hub: FakeHub, gh_root: Path, tmp_path: Path) -> None:
    hub.add_model("acme/bert-small", commits=2)
    store = CacheStore(tmp_path / "cache")
    seed_family(store, "acme_bert", None, ["acme/bert-small"])
    too_long = Reply(429, headers={"Retry-After": "100000"})
    hub.script(r"^/api/models/acme/bert-small$", too_long, times=1)
    settings = make_settings(hub, gh_root, store.root)
    sync(store, settings.model_copy(update={"hub": settings.hub.model_copy(update={"max_retries": 0})}))
    state = store.sync_states().row(0, named=True)
    assert state["status"] == "rate_limited"
    # 100,000 s (28 hours) asked; the default cap is 15 minutes.
    assert state["retry_after"] - dt.datetime.now(dt.UTC) <= dt.timedelta(minutes=15, seconds=5)
    # With a one-second cap the sync simply waits a second and goes on.
    hub.script(r"^/api/models/acme/bert-small$", too_long, times=1)
    capped = settings.hub.model_copy(update={"max_retries": 1, "max_retry_after": 1})
    report = sync(store, settings.model_copy(update={"hub": capped}))
    assert [o.status for o in report.outcomes] == ["ok"], report.summary()


def test_times_outside_1970_2100_are_rejected_on_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "commits.csv"
    path.write_text(
        "family,platform,repo,sha,authored_at\n"
        "fam,github,o/code,a1,2022-01-01T00:00:00Z\n"
        "fam,github,o/code,a2,9999-12-31T00:00:00Z\n"
        "fam,huggingface,o/model,b1,1969-12-31T23:59:59Z\n"
        "fam,huggingface,o/model,b2,2101-01-01\n"
        "fam,huggingface,o/model,b3,2100-12-31\n"
    )
    code, _, err = cli(["--cache-dir", str(tmp_path / "c"), "import", str(path)], capsys)
    assert code == 3, err  # partly imported
    assert "commits.csv:3: time '9999-12-31T00:00:00Z' is outside the years 1970-2100" in err
    assert "commits.csv:4:" in err and "commits.csv:5:" in err and "imported 2 of 5 rows" in err
    assert CacheStore(tmp_path / "c").collect(CacheStore(tmp_path / "c").commits())["sha"].sort().to_list() == [
        "a1",
        "b3",
    ]


@pytest.mark.parametrize(
    ("config", "env", "message"),
    [
        (
            '[ui.keymap]\nno-such-thing = "z"\n',
            {},
            "Invalid setting ui.keymap: 'no-such-thing' is not a key binding id",
        ),
        ('[ui.keymap]\nsynk-family = "z"\n', {}, "did you mean sync-family?"),
        ('[links]\n"acme/bert" = "not a repository"\n', {}, "Invalid setting links:"),
        ('[links]\n"acme/bert" = "https://github.com/acme/bert"\n', {}, "must be a GitHub repository as owner/name"),
        ("", {"PTLM_OFFLINE": "maybe"}, "Invalid setting offline: 'maybe' is not true or false"),
        (b'[hub]\nendpoint = "http://h\xe9llo"\n', {}, "Config file is not UTF-8 text"),
        ('[github]\nbase_url = "https://me:s3cret@github.example.com"\n', {}, "the URL holds credentials"),
        ("[analysis]\nbin_dayz = 7\n", {}, "unknown setting (did you mean bin_days?)"),
    ],
)
def test_bad_settings_are_one_clear_line(
    config: str | bytes,
    env: dict[str, str],
    message: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(config.encode() if isinstance(config, str) else config)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code, _, err = cli(["--config", str(path), "locate", "cache"], capsys)
    assert code == 1 and message in err, err
    assert len(err.strip().splitlines()) == 1 and "internal error" not in err and "s3cret" not in err


def test_a_missing_config_file_given_on_the_command_line_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(["--config", str(tmp_path / "nope.toml"), "locate", "cache"], capsys)
    assert code == 1 and "Config file not found" in err and "nope.toml" in err
    # The default location (or PTLM_CONFIG_FILE) may be absent: nothing to configure is fine.
    assert cli(["locate", "cache"], capsys)[0] == 0


def test_credentials_in_github_base_url_never_reach_a_clone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    served = tmp_path / "served"
    make_gh_repo(served, "acme/bert", commits=3)
    with FakeHub(git_root=served) as git_host:
        host = git_host.url.removeprefix("http://")
        store = CacheStore(tmp_path / "cache")
        seed_family(store, "acme_bert", "acme/bert", [])
        config = tmp_path / "config.toml"
        config.write_text(f'[cache]\ndir = "{store.root}"\n[github]\nbase_url = "http://me:s3cret@{host}"\n')
        monkeypatch.setenv("PTLM_CONFIG_FILE", str(config))
        code, _, err = cli(["sync"], capsys)
        assert code == 1 and "github.base_url" in err and "s3cret" not in err
        assert git_host.count("/info/refs") == 0
    leaked = [p for p in store.root.rglob("*") if p.is_file() and b"s3cret" in p.read_bytes()]
    assert leaked == []
    with pytest.raises(ConfigError):
        load_settings(environ={"PTLM_GITHUB__BASE_URL": "https://x-access-token:ghp_abc@github.com"})


def test_a_missing_repository_answered_401_is_not_found_or_private(
    hub: FakeHub, gh_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = CacheStore(tmp_path / "cache")
    seed_family(store, "ghost", None, ["ghost/missing-model"])
    report = sync(store, make_settings(hub, gh_root, store.root))
    assert hub.requests[0].path == "/api/models/ghost/missing-model"  # answered 401, as the real Hub does
    outcome = report.outcomes[0]
    assert outcome.status == "not_found" and "not found or private" in outcome.detail
    assert outcome.hint.startswith("check the model id")
    code, out, _ = cli(["--cache-dir", str(store.root), "status", "--failed", "--format", "csv"], capsys)
    row = pl.read_csv(out.encode()).row(0, named=True)
    assert code == 0 and row["status"] == "not_found" and "not found or private" in row["detail"]

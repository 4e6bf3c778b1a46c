"""The cache on S3-compatible storage: a loopback moto server the tests start, concurrent appends included.

moto runs in its own process: deltalake holds the GIL while it waits for S3, so a server thread
in the test process could never answer.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from cache.store import CacheStore
from core.commits import store_commits
from tests.conftest import REPO_ROOT
from tests.helpers import T0, commits_frame, days, gh, hf
from tui.cli.main import main

pytest.importorskip("moto", reason="moto[server] (a dev dependency) provides the loopback S3")
BUCKET = "ptlm-test"


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, str]]:
    """A moto S3 server on 127.0.0.1 with an empty bucket; yields the storage options."""
    import boto3

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        client = boto3.client(
            "s3", endpoint_url=endpoint, aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1"
        )
        client.create_bucket(Bucket=BUCKET)
        yield {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "x",
            "AWS_SECRET_ACCESS_KEY": "x",
            "AWS_REGION": "us-east-1",
            "AWS_ALLOW_HTTP": "true",
            "conditional_put": "etag",  # safe concurrent commits on S3
        }
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_the_cache_works_on_s3(s3: dict[str, str], tmp_path: Path) -> None:
    store = CacheStore(tmp_path, uri=f"s3://{BUCKET}/one", storage_options=s3)
    store_commits(store, commits_frame([gh("f", T0), hf("f", T0 + days(1))]), source="test")
    store.set_manual_label(platform="github", repo="org/code", sha="0" * 40, label="bug fix")
    assert store.commit_count() == 2 and store.families()["family"].to_list() == ["f"]
    assert store.versions()["commits"] == 0
    store.compact()
    assert all(check.ok for check in store.check())
    assert store.collect(store.labels())["label"].to_list() == ["bug fix"]
    assert not list(tmp_path.iterdir())  # nothing of the tables on the local disk


WRITER = """
import sys, json, datetime as dt, polars as pl
from cache.schema import TABLES
from cache.store import CacheStore
uri, name, options = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
store = CacheStore(".", uri=uri, storage_options=options)
t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
for i in range(6):
    row = {"family": name, "platform": "github", "repo": f"{name}/code", "sha": f"{name}{i:03d}",
           "authored_at": t0, "title": "x"}
    store.append_commits(pl.DataFrame([row]).with_columns(pl.col("authored_at").cast(TABLES["commits"]["authored_at"])))
"""


@pytest.mark.slow
def test_three_processes_append_to_s3_at_once_and_lose_nothing(s3: dict[str, str], tmp_path: Path) -> None:
    import json

    uri = f"s3://{BUCKET}/shared"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, uri, name, json.dumps(s3)],
            cwd=REPO_ROOT,
            stderr=subprocess.PIPE,
        )
        for name in ("a", "b", "c")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    store = CacheStore(tmp_path, uri=uri, storage_options=s3)
    commits = store.collect(store.commits(["repo"]))
    assert commits.group_by("repo").len().sort("repo").rows() == [("a/code", 6), ("b/code", 6), ("c/code", 6)]


def test_the_cli_takes_the_cache_uri_and_storage_options_from_the_config(
    s3: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    options = ", ".join(f'{k} = "{v}"' for k, v in s3.items())
    config = tmp_path / "config.toml"
    config.write_text(
        f'[cache]\ndir = "{tmp_path / "local"}"\nuri = "s3://{BUCKET}/cli"\nstorage_options = {{ {options} }}\n'
    )
    monkeypatch.setenv("PTLM_CONFIG_FILE", str(config))
    csv = tmp_path / "c.csv"
    csv.write_text(
        "family,platform,repo,sha,authored_at,title\n"
        "f,github,o/code,a1,2024-01-01T00:00:00Z,x\nf,huggingface,o/model,b1,2024-01-02T00:00:00Z,y\n"
    )
    assert main(["import", str(csv)]) == 0
    assert main(["analyze", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[1].startswith("f,"), err
    assert CacheStore(tmp_path, uri=f"s3://{BUCKET}/cli", storage_options=s3).commit_count() == 2

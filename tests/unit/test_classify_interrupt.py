"""Ctrl+C during `ptlm-tui classify --backend ollama` (a real process) keeps every answer finished so far."""

from __future__ import annotations

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
from tests.fakes.fake_ollama import running_fake_ollama

HEADER = "family,platform,repo,sha,authored_at,author,title,message,files\n"


@pytest.mark.slow
def test_ctrl_c_keeps_finished_answers(tmp_path: Path) -> None:
    rows = "".join(f"fam,github,o/code,s{i},2022-01-{i + 1:02d}T12:00:00Z,a,wip {i},wip {i},\n" for i in range(12))
    data = tmp_path / "commits.csv"
    data.write_text(HEADER + rows)
    cache = tmp_path / "cache"
    cli = [sys.executable, "-m", "tui", "--cache-dir", str(cache)]
    subprocess.run([*cli, "import", str(data)], check=True, capture_output=True, cwd=REPO_ROOT)
    with running_fake_ollama(behaviour="slow", delay=0.3) as fake:
        proc = subprocess.Popen(
            [*cli, "classify", "--backend", "ollama", "--host", fake.host, "--concurrency", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO_ROOT,
            env=os.environ | {"PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + 60
        while len(fake.chats()) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "interrupted; work finished so far is kept" in err
    store = CacheStore(cache)
    labels = store.collect(store.labels())
    answered = labels.filter(pl.col("source") == "llm").height
    assert 3 <= answered < 12  # everything answered before Ctrl+C, nothing after
    assert labels.filter(pl.col("source") == "rule").height == 12

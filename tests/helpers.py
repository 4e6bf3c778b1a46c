"""Small builders shared by tests: commit rows and frames."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl
import pytest

from cache.schema import TABLES

T0 = dt.datetime(2022, 1, 1, 12, 0, tzinfo=dt.UTC)


def commit(
    family: str,
    platform: str,
    repo: str,
    when: dt.datetime,
    *,
    sha: str = "",
    title: str = "Update",
    files: str = "",
    message: str = "",
) -> dict[str, object]:
    """Return one cache-schema commit row."""
    return {
        "family": family,
        "platform": platform,
        "repo": repo,
        "sha": sha,
        "authored_at": when,
        "author": "dev",
        "title": title,
        "message": message or title,
        "files": files,
        "parents": None,
        "source": "test",
    }


def commits_frame(rows: Iterable[dict[str, object]]) -> pl.DataFrame:
    """Return rows as a frame in the cache's commits schema, giving each row a unique sha."""
    rows = list(rows)
    for i, row in enumerate(rows):
        if not row["sha"]:
            row["sha"] = f"{i:040x}"
    return pl.DataFrame(rows, schema=TABLES["commits"])


def gh(family: str, when: dt.datetime, repo: str = "org/code") -> dict[str, object]:
    """A GitHub commit of ``family``."""
    return commit(family, "github", repo, when)


def hf(family: str, when: dt.datetime, repo: str = "org/model") -> dict[str, object]:
    """A Hugging Face commit of ``family``."""
    return commit(family, "huggingface", repo, when)


def days(n: float) -> dt.timedelta:
    """``n`` days."""
    return dt.timedelta(days=n)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run ``ptlm-tui ARGS`` in this process; return its exit status, stdout and stderr."""
    from tui.cli.main import main

    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@contextlib.contextmanager
def served_app(cache: Path) -> Iterator[tuple[str, str]]:
    """Run ``ptlm-tui serve`` on a free loopback port; yield its base URL and its page once it answers."""
    import socket
    import subprocess
    import sys
    import urllib.request

    from tests.conftest import REPO_ROOT

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "tui", "--cache-dir", str(cache), "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/", timeout=5) as response:
                    assert response.status == 200
                    page = response.read().decode()
                    break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "ptlm-tui serve did not answer within 30 s"
                time.sleep(0.3)
        yield base, page
    finally:
        proc.terminate()
        proc.wait(timeout=10)

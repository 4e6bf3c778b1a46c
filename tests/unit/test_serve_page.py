"""``ptlm-tui serve``: the page loads nothing from another host, and a missing extra gets the right hint."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tui.cli.main import main


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read()


@pytest.mark.slow
def test_the_served_page_fetches_nothing_from_another_host(tmp_path: Path) -> None:
    pytest.importorskip("textual_serve")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "tui", "--cache-dir", str(tmp_path / "c"), "serve", "--host", "127.0.0.1"]
    proc = subprocess.Popen([*cmd, "--port", str(port)], cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(f"{base}/")
                break
            except OSError:
                assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
                assert time.monotonic() < deadline, "ptlm-tui serve did not answer within 30 s"
                time.sleep(0.3)
        page = body.decode()
        assert status == 200 and 'class="textual-terminal"' in page and f"ws://127.0.0.1:{port}/ws" in page
        addresses = re.findall(r"""(?:src|href)=["']([^"']+)["']|url\(["']?([^"')]+)""", page)
        urls = [a or b for a, b in addresses]
        assert any(u.endswith(".ttf") for u in urls), "the page declares its font"
        for url in urls:
            assert url.startswith(f"{base}/"), f"the page loads {url} from elsewhere"
            assert _get(url)[0] == 200, url  # and this server has it
        assert not re.search(r"https?://(?!127\.0\.0\.1)", page)  # no other host anywhere in the page
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_without_the_extra_a_clone_is_told_to_run_it_with_the_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # as if the extra were not installed
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert "uv run --extra serve ptlm-tui serve" in err and str(REPO_ROOT) in err
    assert "ptlm-tui[serve]'" not in err  # no package of that name to install from the index

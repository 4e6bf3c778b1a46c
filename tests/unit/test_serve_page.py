"""``ptlm-tui serve``: the page loads nothing from another host, and a missing extra gets the right hint."""

from __future__ import annotations

import re
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT
from tests.helpers import served_app
from tui.cli.main import main


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:
        return int(response.status)


@pytest.mark.slow
def test_the_served_page_fetches_nothing_from_another_host(tmp_path: Path) -> None:
    pytest.importorskip("textual_serve")
    with served_app(tmp_path / "c") as (base, page):
        assert 'class="textual-terminal"' in page and f"ws://{base.removeprefix('http://')}/ws" in page
        addresses = re.findall(r"""(?:src|href)=["']([^"']+)["']|url\(["']?([^"')]+)""", page)
        urls = [a or b for a, b in addresses]
        assert any(u.endswith(".ttf") for u in urls), "the page declares its font"
        for url in urls:
            assert url.startswith(f"{base}/"), f"the page loads {url} from elsewhere"
            assert _get(url) == 200, url  # and this server has it
        assert not re.search(r"https?://(?!127\.0\.0\.1)", page)  # no other host anywhere in the page


def test_without_the_extra_a_clone_is_told_to_run_it_with_the_extra(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "textual_serve", None)  # as if the extra were not installed
    monkeypatch.setitem(sys.modules, "textual_serve.server", None)
    assert main(["serve"]) == 1
    err = capsys.readouterr().err
    assert "uv run --extra serve ptlm-tui serve" in err and str(REPO_ROOT) in err
    assert "ptlm-tui[serve]'" not in err  # no package of that name to install from the index

"""Isolation for every test: no user config, cache or network, and data helpers."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
SHARED_REASON = (
    f"{SHARED} is absent (it holds the study's data and sits beside the repository in CI); "
    "these tests check ptlm-tui against that real data"
)


def shared_path(*parts: str) -> Path:
    """Return a path under ../shared, skipping the test with a clear reason when it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(SHARED_REASON)
    return path


_HOME_DIRS = {
    "XDG_CONFIG_HOME": "config",
    "XDG_CACHE_HOME": "cache",
    "XDG_DATA_HOME": "data",
    "XDG_STATE_HOME": "state",
    "HF_HOME": "hf",
}
_REMOVED = (
    "PTLM_CACHE_DIR",
    "PTLM_OFFLINE",
    "PTLM_DEBUG",
    "HF_TOKEN",
    "HUGGING_FACE_HUB_TOKEN",
    "HF_ENDPOINT",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "OLLAMA_HOST",
    "COLORTERM",
)


@pytest.fixture(scope="session")
def _isolated_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point every location at one temporary home and remove variables that change behaviour.

    Set once for the session, before any test starts a thread: changing the process environment
    while a native thread reads it (polars and deltalake do) can crash the process, so tests get
    a fresh home by emptying this one, not by new variables.
    """
    home = tmp_path_factory.mktemp("home")
    with pytest.MonkeyPatch.context() as patch:
        for var, sub in _HOME_DIRS.items():
            patch.setenv(var, str(home / sub))
        patch.setenv("HOME", str(home))
        patch.setenv("PTLM_CONFIG_FILE", str(home / "config.toml"))
        for var in _REMOVED:
            patch.delenv(var, raising=False)
        patch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
        patch.setenv("GIT_TERMINAL_PROMPT", "0")
        patch.setenv("TEXTUAL_SMOOTH_SCROLL", "0")
        yield home


@pytest.fixture(autouse=True)
def _isolated(_isolated_home: Path) -> None:
    """Give every test an empty home (its config, caches and Hub login start from nothing)."""
    shutil.rmtree(_isolated_home, ignore_errors=True)
    _isolated_home.mkdir()


@pytest.fixture(autouse=True)
def _no_internet(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse connections to anything but loopback, unless a test is marked online."""
    if request.node.get_closest_marker("online"):
        return
    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else address
        if self.family == socket.AF_UNIX or str(host) in ("127.0.0.1", "::1", "localhost"):
            return real_connect(self, address)  # type: ignore[arg-type]
        raise OSError(f"test tried to reach {address!r}: tests must not use the internet")

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    """An empty cache directory."""
    return tmp_path / "cache"

"""Isolation for every test: no user config, cache or network, and data helpers."""

from __future__ import annotations

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


@pytest.fixture(autouse=True)
def _isolated(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point every location at a temporary directory and remove variables that change behaviour."""
    home = tmp_path_factory.mktemp("home")
    for var, sub in (
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_STATE_HOME", "state"),
        ("HF_HOME", "hf"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("PTLM_CONFIG_FILE", str(home / "config.toml"))
    for var in (
        "PTLM_CACHE_DIR",
        "PTLM_OFFLINE",
        "PTLM_DEBUG",
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "OLLAMA_HOST",
        "COLORTERM",
    ):
        monkeypatch.delenv(var, raising=False)
    # The Hub client sets HF_ENDPOINT for huggingface_hub (core.mining.hub.use_endpoint_in_library):
    # recorded here as unset so that teardown removes whatever a test's client set.
    monkeypatch.setenv("HF_ENDPOINT", "unset-by-conftest")
    monkeypatch.delenv("HF_ENDPOINT")
    monkeypatch.setenv("HF_HUB_DISABLE_TELEMETRY", "1")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.setenv("TEXTUAL_SMOOTH_SCROLL", "0")
    yield


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

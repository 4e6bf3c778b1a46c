"""Provides every on-disk location ptlm-tui uses; nothing else in the code builds such paths.

Locations follow the platform's conventions (platformdirs) and can be moved with
``PTLM_CACHE_DIR`` / ``--cache-dir`` and ``PTLM_CONFIG_FILE`` / ``--config``.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "ptlm-tui"


def _user_dir(kind: str) -> Path:
    import platformdirs  # late: only needed when a default location is asked for

    getter = {
        "cache": platformdirs.user_cache_dir,
        "config": platformdirs.user_config_dir,
        "log": platformdirs.user_log_dir,
    }[kind]
    return Path(getter(APP_NAME, appauthor=False))


def default_cache_dir() -> Path:
    """Return the platform's user cache directory for ptlm-tui (not created)."""
    return _user_dir("cache")


def cache_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the cache directory: ``override``, else ``PTLM_CACHE_DIR``, else the default.

    The directory is not created here; the cache store creates it on first write so that
    browsing an empty location never leaves a stray directory behind.
    """
    if override:
        return Path(override).expanduser()
    env = os.environ.get("PTLM_CACHE_DIR")
    if env:
        return Path(env).expanduser()
    return default_cache_dir()


def config_file(override: str | os.PathLike[str] | None = None) -> Path:
    """Return the configuration file path: ``override``, else ``PTLM_CONFIG_FILE``, else default."""
    if override:
        return Path(override).expanduser()
    env = os.environ.get("PTLM_CONFIG_FILE")
    if env:
        return Path(env).expanduser()
    return _user_dir("config") / "config.toml"


def demo_cache_dir() -> Path:
    """Return where the generated demo cache lives (kept apart from real data)."""
    return _user_dir("cache") / "demo"


def log_dir() -> Path:
    """Return the log directory, creating it: tracebacks of unexpected errors are written here."""
    path = _user_dir("log")
    path.mkdir(parents=True, exist_ok=True)
    return path


def git_clone_dir(cache: Path, platform: str, repo: str) -> Path:
    """Return the bare clone location for ``repo`` inside ``cache``.

    ``repo`` must already be validated (``core.mining.repo_ids``); the result is checked to stay
    inside the cache directory anyway, because a clone outside it could overwrite user files.
    """
    owner, _, name = repo.partition("/")
    root = (cache / "git" / platform).resolve()
    path = (root / owner / f"{name}.git").resolve()
    if root not in path.parents:
        raise ValueError(f"clone path for {repo!r} escapes the cache directory")
    return path

"""Fixtures for mining tests: a started fake Hub, fast retries, settings pointing at the fakes.

Test modules import the fixtures they use by name (``from tests.fakes.mining import hub``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from cache.schema import TABLES
from cache.store import CacheStore
from core.config import Settings
from core.mining import polite
from tests.fakes.fake_hub import FakeHub
from tests.fakes.git_repos import bulk_repo, feature_repo


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    """A started fake Hub with no models."""
    with FakeHub() as fake:
        yield fake


@pytest.fixture
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries back off in milliseconds instead of seconds (rate-limit waits stay real)."""
    monkeypatch.setattr(polite, "BACKOFF_BASE_SECONDS", 0.01)
    monkeypatch.setattr(polite, "BACKOFF_MAX_SECONDS", 0.05)


@pytest.fixture
def gh_root(tmp_path: Path) -> Path:
    """Where test "GitHub" repositories live (reached as file://)."""
    path = tmp_path / "github"
    path.mkdir()
    return path


def make_settings(hub: FakeHub | None, gh_root: Path, cache: Path, **fields: Any) -> Settings:
    """Settings that point the Hub at the fake, "GitHub" at ``gh_root`` and the cache at ``cache``."""
    data: dict[str, Any] = {
        "cache": {"dir": str(cache)},
        "hub": {"endpoint": hub.url if hub else "http://127.0.0.1:9", "timeout": 5, "max_retries": 3},
        "github": {"base_url": gh_root.as_uri(), "timeout": 60},
        "sync": {"workers": 4},
    }
    for key, value in fields.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return Settings.model_validate(data)


def seed_family(
    store: CacheStore, family: str, gh_repo: str | None, models: list[str], *, monorepo: bool = False
) -> None:
    """Write a family and its variants as discovery would."""
    now = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    row = {"family": family, "gh_repo": gh_repo, "monorepo": monorepo, "source": "test", "added_at": now, "note": None}
    store.upsert_families(pl.DataFrame([row], schema=TABLES["families"]))
    rows = [
        {
            "family": family,
            "model": m,
            "downloads": 1000,
            "likes": 1,
            "pipeline_tag": "fill-mask",
            "created_at": now,
            "last_modified": now,
            "gh_link": gh_repo,
            "link_source": "test",
            "gated": None,
            "added_at": now,
        }
        for m in models
    ]
    store.upsert_variants(pl.DataFrame(rows, schema=TABLES["variants"]))


def make_gh_repo(gh_root: Path, repo: str, *, commits: int = 5, features: bool = False) -> Path:
    """Create ``gh_root/owner/name`` with ``commits`` commits (or the feature repository)."""
    path = gh_root / repo
    if features:
        feature_repo(path)
    else:
        bulk_repo(path, commits)
    return path

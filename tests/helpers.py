"""Small builders shared by tests: commit rows and frames."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

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

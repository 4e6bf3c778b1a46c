"""The Drift view's data (core.views.drift): files by the per-variant rule, commits they lack, the marks."""

from __future__ import annotations

import datetime as dt

import polars as pl

from core.drift.pairs import DRIFT_SCHEMA
from core.views.drift import commits_lacking, commits_since, file_rows, mark_last_updates

T0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def _pair(hf_path: str, gh_path: str, state: str, missing: int = 0, shas: str = "") -> dict[str, object]:
    return {
        "family": "f",
        "gh_repo": "o/code",
        "hf_repo": "o/model",
        "gh_path": gh_path,
        "hf_path": hf_path,
        "state": state,
        "missing_gh_commits": missing,
        "missing_gh_shas": shas,
        "hf_extra_commits": 0,
    }


def _commits() -> pl.DataFrame:
    rows = [
        ("github", "o/code", "g1", 0),
        ("huggingface", "o/model", "h1", 1),
        ("github", "o/code", "g2", 2),
        ("huggingface", "o/model", "h2", 3),  # the variant's newest HF commit
        ("huggingface", "o/other", "h3", 4),
        ("github", "o/code", "g3", 5),
        ("github", "o/code", "g4", 6),
    ]
    return pl.DataFrame(
        [(p, r, s, T0 + dt.timedelta(days=d)) for p, r, s, d in rows],
        schema={"platform": pl.String, "repo": pl.String, "sha": pl.String, "authored_at": pl.Datetime("us", "UTC")},
        orient="row",
    )


def test_one_row_per_hf_file_by_the_per_variant_rule_attention_first() -> None:
    pairs = pl.DataFrame(
        [
            _pair("config.json", "a/config.json", "hf_behind", 1, "g3"),
            _pair("config.json", "b/config.json", "hf_behind", 2, "g3|g4"),  # most missing among equals
            _pair("model.py", "old/model.py", "removed_on_gh", 1, "g2"),
            _pair("model.py", "new/model.py", "in_sync"),  # moved on GitHub, HF has the new version
            _pair("tok.json", "tok.json", "diverged", 1, "g4"),
        ],
        schema=DRIFT_SCHEMA,
    )
    rows = file_rows(pairs)
    assert rows.select("hf_path", "state", "gh_path", "missing_gh_commits", "pairs").rows() == [
        ("config.json", "hf_behind", "b/config.json", 2, 2),
        ("tok.json", "diverged", "tok.json", 1, 1),
        ("model.py", "in_sync", "new/model.py", 0, 2),
    ]


def test_commits_a_file_lacks_and_commits_since_the_variant_moved() -> None:
    commits = _commits()
    assert commits_lacking(commits, "g4|g2")["sha"].to_list() == ["g4", "g2"]  # as listed: oldest first
    assert commits_lacking(commits, "h1|").is_empty()  # only GitHub commits
    assert commits_since(commits, "o/model")["sha"].to_list() == ["g3", "g4"]
    assert commits_since(commits, "o/never").is_empty()


def test_each_variant_s_newest_hf_commit_is_marked() -> None:
    marked = mark_last_updates(_commits())
    assert marked.filter(pl.col("last_update"))["sha"].to_list() == ["h2", "h3"]
    assert marked["sha"].to_list() == _commits()["sha"].to_list()  # order kept
    assert mark_last_updates(_commits().clear())["last_update"].to_list() == []

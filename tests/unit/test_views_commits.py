"""A family's commit list, one commit's details, links between platforms, web URLs and manual labels."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from core.classify.service import set_manual_label
from core.config import Settings
from core.errors import InputError
from core.views.commits import commit_detail, commit_url, family_commits, parse_files
from tests.app_data import build_cache


def test_family_commits_merge_both_platforms_newest_first_with_labels(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    commits = family_commits(store, "acme_bert")
    assert commits.height == 8
    assert commits["authored_at"].is_sorted(descending=True)
    assert set(commits["platform"]) == {"github", "huggingface"}
    labels = dict(zip(commits["title"], commits["label"], strict=True))
    assert labels["Fix tokenizer"] == "preprocessing"
    assert labels["Update README.md"] == "external documentation"
    assert labels["Initial commit"] is None  # not labelled yet: shown as "—"
    assert "message" not in commits.columns  # the list stays light


def test_family_commits_respect_the_cut_off(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    assert family_commits(store, "acme_bert", until=dt.date(2022, 2, 1)).height == 5


def test_commit_detail_with_files_labels_and_the_linked_github_commit(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    commits = family_commits(store, "acme_bert")
    auto = commits.filter(pl.col("title").str.starts_with("Auto Sync")).row(0, named=True)
    detail = commit_detail(store, auto["platform"], auto["repo"], auto["sha"])
    assert detail is not None
    assert detail.files == (("M", "README.md"),)
    assert [(c.platform, c.sha, c.how) for c in detail.linked] == [("github", "c" * 40, "message")]
    back = commit_detail(store, "github", "acme/bert", "c" * 40)
    assert back is not None and back.label is not None and back.label.label == "preprocessing"
    assert [(c.repo, c.how) for c in back.linked] == [("acme/bert-base", "message")]


def test_linked_sha_from_a_label_is_used(tmp_path: Path) -> None:
    from tests.app_data import write_labels

    store = build_cache(tmp_path / "c")
    commits = family_commits(store, "acme_bert")
    upload = commits.filter(pl.col("title") == "Upload model").row(0, named=True)
    gh = commits.filter(pl.col("title") == "Add training script").row(0, named=True)
    write_labels(
        store,
        [
            {
                "platform": "huggingface",
                "repo": upload["repo"],
                "sha": upload["sha"],
                "label": "sharing",
                "source": "rule",
                "linked_sha": gh["sha"],
                "labelled_at": dt.datetime(2022, 8, 1, tzinfo=dt.UTC),
            }
        ],
    )
    detail = commit_detail(store, "huggingface", upload["repo"], upload["sha"])
    assert detail is not None and [(c.sha, c.how) for c in detail.linked] == [(gh["sha"], "label")]
    back = commit_detail(store, "github", "acme/bert", gh["sha"])
    assert back is not None and [(c.sha, c.how) for c in back.linked] == [(upload["sha"], "label")]


def test_unknown_commit_is_none(tmp_path: Path) -> None:
    assert commit_detail(build_cache(tmp_path / "c"), "github", "acme/bert", "f" * 40) is None


def test_parse_files_keeps_odd_entries() -> None:
    assert parse_files("M:a.py|A:b/c.txt|weird|D:x:y") == (("M", "a.py"), ("A", "b/c.txt"), ("", "weird"), ("D", "x:y"))
    assert parse_files(None) == ()


def test_commit_urls_are_built_only_from_safe_parts() -> None:
    settings = Settings()
    assert commit_url(settings, "github", "acme/bert", "c" * 40) == "https://github.com/acme/bert/commit/" + "c" * 40
    assert commit_url(settings, "huggingface", "acme/m", "abc1234") == "https://huggingface.co/acme/m/commit/abc1234"
    assert commit_url(settings, "github", "acme/bert", "not a sha") is None
    assert commit_url(settings, "github", "../etc/passwd", "c" * 40) is None
    assert commit_url(settings, "github", "acme/bert", "c" * 7 + "\x1b]8;;x") is None
    local = Settings.model_validate({"github": {"base_url": "file:///srv/mirrors"}})
    assert commit_url(local, "github", "acme/bert", "c" * 40) is None


def test_manual_label_wins_and_keeps_the_link(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    set_manual_label(store, platform="github", repo="acme/bert", sha="c" * 40, label="bug fix")
    set_manual_label(store, platform="github", repo="acme/bert", sha="c" * 40, label="model structure")
    labels = store.collect(store.labels()).filter(pl.col("sha") == "c" * 40)
    assert sorted(labels["source"]) == ["manual", "rule"]  # a second manual label replaces the first
    commits = family_commits(store, "acme_bert")
    row = commits.filter(pl.col("sha") == "c" * 40).row(0, named=True)
    assert (row["label"], row["label_source"], row["confidence"]) == ("model structure", "manual", 1.0)


def test_manual_label_refuses_unknown_labels_and_commits(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    with pytest.raises(InputError, match="Unknown label"):
        set_manual_label(store, platform="github", repo="acme/bert", sha="c" * 40, label="vibes")
    with pytest.raises(InputError, match="No such commit"):
        set_manual_label(store, platform="github", repo="acme/bert", sha="f" * 40, label="sharing")


def test_effective_label_precedence_manual_then_llm_then_rule_newest_first() -> None:
    import polars as pl

    from cache.schema import TABLES
    from core.labels import effective_labels

    t = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    rows = [
        ("a", "rule", t + dt.timedelta(days=3), "sharing"),
        ("a", "llm", t, "preprocessing"),
        ("a", "llm", t + dt.timedelta(days=1), "model structure"),
        ("b", "rule", t, "sharing"),
        ("b", "rule", t + dt.timedelta(days=1), "input data"),
        ("c", "manual", t, "bug fix"),
        ("c", "llm", t + dt.timedelta(days=9), "sharing"),
        ("d", "rule", None, "output data"),
    ]
    frame = pl.DataFrame(
        [
            {name: None for name in TABLES["labels"]}
            | {"platform": "github", "repo": "o/r", "sha": sha, "source": src, "labelled_at": at, "label": label}
            for sha, src, at, label in rows
        ],
        schema=TABLES["labels"],
    )
    winners = effective_labels(frame.lazy()).collect().sort("sha")
    assert winners.select("sha", "label").rows() == [
        ("a", "model structure"),
        ("b", "input data"),
        ("c", "bug fix"),
        ("d", "output data"),
    ]

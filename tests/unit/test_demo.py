"""The built-in demo: every pattern, lag and change type, by construction, identical on every run."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from core.analysis import service
from core.config import AnalysisSettings
from core.demo import DEMO_VERSION, FAMILIES, REFERENCE, build_demo_cache, demo_tables, is_demo_cache
from core.errors import CacheError
from core.models import CHANGE_TYPES, GITHUB, HUGGINGFACE, LAGS, PATTERN_BY_CODE, PATTERNS
from tests.app_data import demo_cache
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def tables() -> dict[str, pl.DataFrame]:
    return demo_tables()


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> CacheStore:
    return demo_cache(tmp_path_factory.mktemp("demo") / "demo")


def _intended() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "family": [f.family for f in FAMILIES],
            "want_code": [f.code for f in FAMILIES],
            "want_lag": [f.lag for f in FAMILIES],
        }
    )


@pytest.mark.parametrize("hf_day", [True, False], ids=["hf-day", "hf-full-time"])
def test_every_family_gets_its_intended_pattern_and_lag(demo_store: CacheStore, hf_day: bool) -> None:
    patterns = service.patterns(demo_store, AnalysisSettings(truncate_hf_to_day=hf_day))
    joined = patterns.join(_intended(), on="family", how="full", coalesce=True)
    assert joined.height == len(FAMILIES) == 30
    wrong = joined.filter((pl.col("code") != pl.col("want_code")) | (pl.col("lag") != pl.col("want_lag")))
    assert wrong.is_empty(), wrong.select("family", "code", "want_code", "lag", "want_lag")
    assert set(patterns["status"]) == {"ok"}


def test_demo_covers_every_pattern_every_lag_and_every_feasible_pair(demo_store: CacheStore) -> None:
    patterns = service.patterns(demo_store, AnalysisSettings())
    assert set(patterns["pattern"]) == set(PATTERNS)
    assert set(patterns["lag"]) == set(LAGS)
    assert set(patterns["code"]) == set(PATTERN_BY_CODE)  # both AS and VS forms of the disjoint patterns
    pairs = set(patterns.select("pattern", "lag").iter_rows())
    # Complete sync cannot start on HF; no-overlap patterns cannot start on both platforms.
    impossible = {(p, "Hugging Face First") for p in ("Rare", "Intermittent", "Frequent")} | {
        (p, "Simultaneous") for p in ("Sporadic Disjoint", "Rare Disjoint")
    }
    feasible = {(p, lag) for p in PATTERNS for lag in LAGS} - impossible
    assert pairs == feasible and len(pairs) == 19


def test_every_change_type_appears(tables: dict[str, pl.DataFrame]) -> None:
    """The rules find all 15 types in the demo's GitHub history and most of them on the Hub."""
    labels = tables["labels"]
    github = set(labels.filter(pl.col("platform") == GITHUB)["label"])
    hub = set(labels.filter(pl.col("platform") == HUGGINGFACE)["label"])
    assert set(CHANGE_TYPES) <= github, set(CHANGE_TYPES) - github
    assert len(set(CHANGE_TYPES) & hub) >= 12, hub


def test_every_commit_has_one_demo_label(tables: dict[str, pl.DataFrame]) -> None:
    commits, labels = tables["commits"], tables["labels"]
    assert labels.height == commits.height
    assert labels.select("platform", "repo", "sha").is_duplicated().sum() == 0
    assert commits.join(labels, on=["platform", "repo", "sha"], how="anti").is_empty()
    assert set(labels["source"]) == {"rule"} and set(labels["model"]) == {"rules"}
    assert (labels["reason"].str.len_chars() > 0).all()  # the rule that fired
    assert labels["confidence"].is_between(0, 1).all()


def test_demo_is_identical_across_runs_and_processes(tables: dict[str, pl.DataFrame]) -> None:
    again = demo_tables()
    for name, frame in tables.items():
        assert frame.equals(again[name]), name

    def digest(frames: dict[str, pl.DataFrame]) -> str:
        h = hashlib.sha256()
        for name in sorted(frames):
            h.update(frames[name].write_csv().encode())
        return h.hexdigest()

    code = (
        "import hashlib; from core.demo import demo_tables; t = demo_tables(); h = hashlib.sha256()\n"
        "for n in sorted(t): h.update(t[n].write_csv().encode())\nprint(h.hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == digest(tables)


def test_history_is_consistent(tables: dict[str, pl.DataFrame]) -> None:
    commits = tables["commits"]
    assert (commits["authored_at"] < REFERENCE).all()
    edges = (
        commits.select("repo", "sha", "authored_at", pl.col("parents").str.split(" ").alias("parent"))
        .explode("parent")
        .filter(pl.col("parent") != "")
        .join(
            commits.select("repo", pl.col("sha").alias("parent"), pl.col("authored_at").alias("parent_at")),
            on=["repo", "parent"],
            how="left",
        )
    )
    assert edges["parent_at"].null_count() == 0  # every parent exists in the same repository
    assert (edges["parent_at"] <= edges["authored_at"]).all()
    merges = commits.filter(pl.col("parents").str.contains(" "))
    assert merges.height > 50 and (merges["platform"] == GITHUB).all()
    assert merges["title"].str.starts_with("Merge pull request #").all() and (merges["files"] == "").all()
    # Like sync's, a merge's file changes are those of its first-parent diff: what its branch changed.
    changes = tables["file_changes"]
    branch = merges.select("sha", pl.col("parents").str.split(" ").list.get(1).alias("branch"))
    for sha, side in branch.iter_rows():
        assert set(changes.filter(pl.col("sha") == sha)["path"]) == set(changes.filter(pl.col("sha") == side)["path"])
    roots = commits.filter(pl.col("parents") == "")
    # One root per repository (the variant listed but never uploaded to has no commit).
    assert roots.height == commits.select("repo").n_unique()


def test_auto_sync_commits_name_a_real_older_github_commit(tables: dict[str, pl.DataFrame]) -> None:
    commits, labels = tables["commits"], tables["labels"]
    syncs = commits.filter(pl.col("title").str.starts_with("Auto Sync from git://github.com/"))
    assert syncs.height >= 20
    parsed = syncs.select(
        "family",
        "authored_at",
        pl.col("title").str.extract(r"github\.com/(.+)\.git/commit/([0-9a-f]{40})$", 1).alias("gh_repo"),
        pl.col("title").str.extract(r"/commit/([0-9a-f]{40})$", 1).alias("gh_sha"),
        "sha",
    )
    gh = commits.filter(pl.col("platform") == GITHUB).select(
        "family", pl.col("repo").alias("gh_repo"), pl.col("sha").alias("gh_sha"), pl.col("authored_at").alias("gh_at")
    )
    found = parsed.join(gh, on=["family", "gh_repo", "gh_sha"], how="left")
    assert found["gh_at"].null_count() == 0
    assert (found["gh_at"] <= found["authored_at"]).all()
    linked = found.join(labels.select("sha", "label", "linked_sha"), on="sha")
    assert (linked["label"] == "sharing").all() and (linked["linked_sha"] == linked["gh_sha"]).all()


def test_believable_texts_on_both_sides(tables: dict[str, pl.DataFrame]) -> None:
    commits = tables["commits"]
    hf_titles = set(commits.filter(pl.col("platform") == HUGGINGFACE)["title"])
    for title in ("Update README.md", "Upload config.json", "Upload tokenizer", "initial commit"):
        assert title in hf_titles
    assert any(t.startswith("Adding `safetensors` variant of this model (#") for t in hf_titles)
    gh_files = "|".join(commits.filter(pl.col("platform") == GITHUB)["files"])
    for path in ("train.py", "requirements.txt", "README.md", "eval/"):
        assert path in gh_files
    assert commits["files"].str.contains(r"^$|^[AMDT]:[^|]+(\|[AMDT]:[^|]+)*$").all()  # FORMATS.md files


def test_metadata_tables_have_content(tables: dict[str, pl.DataFrame]) -> None:
    variants, families, sync = tables["variants"], tables["families"], tables["sync_state"]
    per_family = variants.group_by("family").len()
    # The flagship's 14 checkpoints, and one variant announced on the Hub but never uploaded to.
    assert per_family.filter(pl.col("len") >= 5).height >= 6 and per_family["len"].max() == 15
    assert (variants["downloads"] >= 10_000).all() and variants["pipeline_tag"].null_count() == 0
    assert families["note"].null_count() == 0 and families["monorepo"].sum() == 1
    assert set(sync["status"]) == {"ok", "rate_limited", "not_found"}
    assert (sync["status"] == "ok").sum() == sync.height - 2
    # Every family id is unique and every org is invented (no real company names to confuse a newcomer).
    assert families["family"].n_unique() == 30


def test_build_is_atomic_idempotent_and_versioned(tmp_path: Path) -> None:
    root = tmp_path / "demo"
    build_demo_cache(root)
    store = CacheStore(root)
    assert is_demo_cache(store) and not is_demo_cache(CacheStore(tmp_path / "other"))
    versions = store.versions()
    build_demo_cache(root)  # current version: nothing rewritten
    assert store.versions() == versions
    (root / "demo.json").write_text(json.dumps({"demo_version": DEMO_VERSION - 1}))
    build_demo_cache(root)  # older demo: rebuilt
    assert json.loads((root / "demo.json").read_text())["demo_version"] == DEMO_VERSION
    assert store.collect(store.commits()).height == demo_tables()["commits"].height
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".demo.")] == [".demo.lock"]


def test_build_refuses_to_replace_real_data(tmp_path: Path) -> None:
    root = tmp_path / "real"
    root.mkdir()
    (root / "precious.txt").write_bytes(b"precious")
    with pytest.raises(CacheError, match="not a demo cache"):
        build_demo_cache(root)
    assert (root / "precious.txt").read_bytes() == b"precious"


def test_demo_report_has_every_table(demo_store: CacheStore) -> None:
    from core.analysis.report import build_report

    report = build_report(service.analyze(demo_store, AnalysisSettings()))
    assert report["summary"]["families_analysed"] == 30
    assert report["summary"]["variants"] == 126
    assert 0 < report["summary"]["jaccard"]["mean"] < 1
    assert report["summary"]["transitions"] > 100
    assert {r["label"] for r in report["tables"]["change_types"]} >= set(CHANGE_TYPES)

"""METHOD.md §8.1: GitHub commits since each variant last moved, per variant and family, and in `analyze`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.drift.behind import NEVER_UPDATED, behind_by_variant, commits_behind, family_behind
from core.mining.git_log import parse_history, read_log
from tests.fakes.git_repos import DriftRepos, drift_repos


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DriftRepos:
    return drift_repos(tmp_path_factory.mktemp("behind"))


@pytest.fixture(scope="module")
def commits(built: DriftRepos) -> pl.DataFrame:
    """The family's commits as sync reads them: every GitHub commit, merges and side branch included."""
    return pl.concat(
        [
            parse_history(read_log(built.gh), family="fam", repo="acme/code", platform="github").commits,
            parse_history(read_log(built.hf), family="fam", repo="acme/model", platform="huggingface").commits,
            parse_history(read_log(built.hf_lone), family="fam", repo="acme/lone", platform="huggingface").commits,
        ]
    )


def test_behind_counts_github_commits_after_each_variants_last_commit(commits: pl.DataFrame) -> None:
    variants = pl.DataFrame({"family": ["fam"] * 3, "model": ["acme/model", "acme/lone", "acme/never"]})
    got = {r["hf_repo"]: r for r in behind_by_variant(commits, variants).iter_rows(named=True)}
    gh_times = commits.filter(pl.col("platform") == "github")["authored_at"]
    lone_last = commits.filter(pl.col("repo") == "acme/lone")["authored_at"].max()
    assert got["acme/lone"]["behind"] == (gh_times > lone_last).sum() == 10  # all but the first release
    assert got["acme/lone"]["status"] == "behind"
    assert got["acme/model"]["behind"] == 0 and got["acme/model"]["status"] == "up to date"
    never = got["acme/never"]
    assert never["behind"] is None and never["status"] == NEVER_UPDATED and never["last_hf_commit"] is None


def test_the_family_figure_is_the_most_behind_variant(commits: pl.DataFrame) -> None:
    assert family_behind(commits).rows() == [("fam", 10, "acme/lone")]
    no_hf = commits.filter(pl.col("platform") == "github")
    assert family_behind(no_hf).is_empty()  # no variant has an HF commit: nothing to report


def test_full_time_not_the_day_and_strictly_after() -> None:
    t = dt.datetime(2024, 3, 1, 18, 0, tzinfo=dt.UTC)
    frame = pl.DataFrame(
        {
            "family": ["f"] * 4,
            "platform": ["huggingface", "github", "github", "github"],
            "repo": ["o/m", "o/code", "o/code", "o/code"],
            "authored_at": [t, t, t + dt.timedelta(hours=1), t - dt.timedelta(hours=1)],
        }
    )
    # Same UTC day, but only the commit an hour later is after the HF commit (the one at the same instant is not).
    assert family_behind(frame)["behind"].to_list() == [1]


def test_change_types_and_the_commit_list(commits: pl.DataFrame) -> None:
    labels = {"Wider": "parameter tuning", "Deeper": "model structure", "Dropout": "parameter tuning"}
    labelled = commits.with_columns(pl.col("title").replace_strict(labels, default=None).alias("label"))
    row = behind_by_variant(labelled).filter(pl.col("hf_repo") == "acme/lone").row(0, named=True)
    assert row["change_types"] == "parameter tuning 2, model structure 1"
    listed = commits_behind(labelled, "fam", "acme/lone")
    assert listed.height == 10 and listed["authored_at"].is_sorted()
    assert listed["title"].to_list()[:2] == ["Wider", "Deeper"]
    assert commits_behind(labelled, "fam", "acme/never").is_empty()


def test_analyze_gains_behind_columns_at_the_end(commits: pl.DataFrame, tmp_path: Path) -> None:
    from cache.store import CacheStore
    from core.analysis import service
    from core.config import AnalysisSettings
    from tui.cli.main import main

    store = CacheStore(tmp_path / "cache")
    store.append_commits(commits)
    frame = service.patterns(store, AnalysisSettings())
    assert frame.columns[-2:] == ["behind", "behind_variant"]
    assert frame.select("behind", "behind_variant").rows() == [(10, "acme/lone")]
    out = tmp_path / "a.csv"
    assert main(["--cache-dir", str(store.root), "analyze", "--format", "csv", "-o", str(out)]) == 0
    written = pl.read_csv(out)
    assert written.columns[:6] == ["family", "lag", "sync", "intensity", "code", "pattern"]
    assert written.select("behind", "behind_variant").rows() == [(10, "acme/lone")]


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["f1", "f2", "f3"]),
            st.sampled_from(["github", "huggingface"]),
            st.sampled_from(["o/a", "o/b", "o/c"]),
            st.integers(min_value=0, max_value=6),  # few distinct hours: many ties
        ),
        max_size=40,
    )
)
def test_behind_is_the_count_of_later_github_commits_of_the_family(rows: list[tuple[str, str, str, int]]) -> None:
    t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    commits = pl.DataFrame(
        [(f, p, r, t0 + dt.timedelta(hours=h)) for f, p, r, h in rows],
        schema={"family": pl.String, "platform": pl.String, "repo": pl.String, "authored_at": pl.Datetime("us", "UTC")},
        orient="row",
    )
    got = behind_by_variant(commits)
    expected = []
    for family, repo in sorted({(f, r) for f, p, r, _ in rows if p == "huggingface"}):
        last = max(h for f, p, r, h in rows if (f, p, r) == (family, "huggingface", repo))
        expected.append((family, repo, sum(1 for f, p, _, h in rows if (f, p) == (family, "github") and h > last)))
    assert got.select("family", "hf_repo", "behind").rows() == expected
    # The family's figure (``analyze``, on coded rows): the most behind variant, ties to the first by name.
    most: dict[str, tuple[int, str]] = {}
    for family, repo, behind in expected:
        if family not in most or behind > most[family][0]:
            most[family] = (behind, repo)
    figures = family_behind(commits).sort("family")
    assert figures.rows() == [(family, behind, repo) for family, (behind, repo) in sorted(most.items())]

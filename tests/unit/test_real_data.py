"""ptlm-tui against the study's real data in ../shared (skipped with a reason where it is absent)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from cache.store import CacheStore
from core.analysis import service
from core.config import AnalysisSettings
from core.io.importer import import_commit_files
from tests.conftest import shared_path

CUT = AnalysisSettings(until=dt.date(2024, 10, 10))


def _imported(tmp_path: Path) -> CacheStore:
    store = CacheStore(tmp_path / "cache")
    report = import_commit_files(store, [shared_path("data", "timelines", "commits.csv")])
    assert not report.rejections
    return store


def test_biomednlp_gets_the_studys_pattern_and_transitions(tmp_path: Path) -> None:
    store = _imported(tmp_path)
    row = service.patterns(store, CUT, ["microsoft_BiomedNLP"]).row(0, named=True)
    assert (row["code"], row["pattern"], row["lag"]) == ("ASS", "Sporadic Disjoint", "Hugging Face First")
    assert (row["gh_bins"], row["hf_bins"], row["shared_bins"]) == (2, 5, 0)

    ours = service.transitions(store, CUT, ["microsoft_BiomedNLP"])
    study = pl.read_csv(shared_path("data", "replication", "GH_HF_commit_time_differences.csv")).filter(
        pl.col("family") == "microsoft_BiomedNLP"
    )
    assert ours["days"].to_list() == [685, 62] == study["days_difference"].to_list()
    assert ours.select("source", "target").rows() == study.select("source", "target").rows()
    stamps = ours.select(
        pl.col("prev_commit").dt.strftime("%Y-%m-%d %H:%M:%S"), pl.col("next_commit").dt.strftime("%Y-%m-%d %H:%M:%S")
    ).rows()
    assert stamps == study.select("prev_commit", "next_commit").rows()


def test_every_study_gh_timestamp_appears_as_a_transition_time(tmp_path: Path) -> None:
    """Our GH commit times are author dates in UTC with merges kept, exactly as the study's."""
    store = _imported(tmp_path)
    study = pl.read_csv(shared_path("data", "replication", "GH_HF_commit_time_differences.csv"))
    families = store.collect(store.commits())["family"].unique().to_list()
    gh_study = (
        pl.concat(
            [
                study.filter(pl.col("source") == "GH").select("family", pl.col("prev_commit").alias("t")),
                study.filter(pl.col("target") == "GH").select("family", pl.col("next_commit").alias("t")),
            ]
        )
        .filter(pl.col("family").is_in(families))
        .unique()
    )
    commits = store.collect(store.commits()).filter(pl.col("platform") == "github")
    ours_gh = commits.select("family", pl.col("authored_at").dt.strftime("%Y-%m-%d %H:%M:%S").alias("t")).unique()
    missing = gh_study.join(ours_gh, on=["family", "t"], how="anti")
    assert gh_study.height == 235  # distinct GH times the study recorded for these 11 families
    assert missing.is_empty(), missing


def test_age_matches_the_studys_individual_age(tmp_path: Path) -> None:
    store = _imported(tmp_path)
    analysis = service.analyze(store, CUT, ["google-bert_bert"])
    assert analysis.ages.row(0, named=True)["age_days"] == 1922.0  # complete_dataset.csv: age_days_individual_x

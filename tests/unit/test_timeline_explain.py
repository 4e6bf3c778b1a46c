"""The family timeline (the rules' bin grid, shared bins) and the "why this pattern" explanation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from core.analysis import service
from core.config import AnalysisSettings
from core.explain import explain_pattern
from core.io.importer import import_commit_files
from core.views.timeline import family_timeline
from tests.app_data import build_cache
from tests.conftest import shared_path


def test_timeline_rows_cells_and_shared_bins(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    timeline = family_timeline(store, AnalysisSettings(), "acme_bert")
    assert timeline.start == dt.datetime(2022, 1, 1, 12, tzinfo=dt.UTC)
    assert timeline.n_bins == 15
    assert [(r.platform, r.repo) for r in timeline.rows] == [
        ("github", "acme/bert"),
        ("huggingface", "acme/bert-base"),
        ("huggingface", "acme/bert-large"),
    ]
    gh, base, large = timeline.rows
    assert [b for b in range(15) if gh.active(b)] == [0, 1, 2, 7]
    assert [b for b in range(15) if base.active(b)] == [1, 2, 14]
    assert timeline.shared == frozenset({1, 2, 7})
    assert (base.active_bins, base.shared_bins, large.shared_bins) == (3, 2, 1)
    assert timeline.bin_start(7) == timeline.start + dt.timedelta(days=98)
    assert timeline.bin_of(timeline.start + dt.timedelta(days=29)) == 2


def test_timeline_follows_the_method_settings(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    weekly = family_timeline(store, AnalysisSettings(bin_days=7), "acme_bert")
    assert weekly.n_bins == 29
    cut = family_timeline(store, AnalysisSettings(until=dt.date(2022, 3, 1)), "acme_bert")
    assert cut.n_bins == 3 and cut.shared == frozenset({1, 2})


def test_unknown_family_has_an_empty_timeline(tmp_path: Path) -> None:
    timeline = family_timeline(build_cache(tmp_path / "c"), AnalysisSettings(), "nope")
    assert timeline.rows == () and timeline.start is None and timeline.bin_start(3) is None


def test_explanation_quotes_the_rules_with_the_family_figures(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    row = service.patterns(store, AnalysisSettings()).filter(pl.col("family") == "acme_bert").row(0, named=True)
    explanation = explain_pattern(row, bin_days=14, first_hf_bin=1)
    assert explanation.headline.startswith("PSR Sparse, GitHub First")
    steps = {s.dimension: s for s in explanation.steps}
    assert steps["Lag"].sentence() == "first bin: GitHub only → GitHub First"
    assert steps["Type"].sentence() == "3 of 4 HF bins share GitHub activity → partial (PS)"
    assert steps["Intensity"].outcome == "Rare (R)"
    assert "bert-base is active in 3 bins (≤ 3)" in steps["Intensity"].evidence
    assert steps["Pattern"].sentence().startswith("PS + R = PSR → Sparse")
    assert any("GitHub history starts 1 bin before" in n for n in explanation.notes)


def test_explanation_of_frequent_and_sporadic_families() -> None:
    base = {"family": "f", "status": "ok", "lag": "Simultaneous", "first_bin_gh": True, "first_bin_hf": True}
    frequent = base | {
        "sync": "CS",
        "intensity": "F",
        "code": "CSF",
        "pattern": "Frequent",
        "hf_bins": 9,
        "gh_bins": 20,
        "shared_bins": 9,
        "hf_bins_outside": 0,
        "max_variant_bins": 9,
        "busiest_variant": "o/m",
        "longest_shared_run": 6,
        "longest_run_variant": "o/m",
    }
    steps = {s.dimension: s for s in explain_pattern(frequent).steps}
    assert steps["Lag"].outcome == "Simultaneous"
    assert steps["Type"].sentence() == "all 9 HF bins fall in GitHub's 20 active bins → complete (CS)"
    assert steps["Intensity"].sentence() == "m shares a run of 6 consecutive bins with GitHub (≥ 5) → Frequent (F)"
    sporadic = frequent | {
        "sync": "PS",
        "intensity": "S",
        "code": "PSS",
        "hf_bins_outside": 3,
        "shared_bins": 12,
        "hf_bins": 31,
        "longest_shared_run": 2,
    }
    steps = {s.dimension: s for s in explain_pattern(sporadic).steps}
    assert steps["Type"].sentence() == "12 of 31 HF bins share GitHub activity → partial (PS)"
    assert "longest shared run 2 bins (m) (< 5), not Frequent" in steps["Intensity"].evidence
    vs = sporadic | {"shared_bins": 0, "busy_bins": 4, "sync": "VS", "code": "VSS"}
    assert {s.dimension: s for s in explain_pattern(vs).steps}["Type"].outcome == "variant-driven (VS)"


def test_explanation_without_a_pattern_says_why() -> None:
    explanation = explain_pattern({"family": "solo", "status": "no Hugging Face commits", "code": None})
    assert explanation.headline == "No pattern: no Hugging Face commits"
    assert explanation.steps == ()


@pytest.mark.shared_data
def test_worked_example_of_the_method(tmp_path: Path) -> None:
    """METHOD.md §3: microsoft_BiomedNLP, GH bins {78, 80}, HF bins {0, 20, 21, 29, 84} → ASS, HF first."""
    store = CacheStore(tmp_path / "c")
    import_commit_files(store, [shared_path("data", "timelines", "commits.csv")], strict=False)
    settings = AnalysisSettings(until=dt.date(2024, 10, 10))
    timeline = family_timeline(store, settings, "microsoft_BiomedNLP")
    gh, hf = timeline.rows
    assert [b for b in range(timeline.n_bins) if gh.active(b)] == [78, 80]
    assert [b for b in range(timeline.n_bins) if hf.active(b)] == [0, 20, 21, 29, 84]
    assert timeline.shared == frozenset()
    row = service.patterns(store, settings, ["microsoft_BiomedNLP"]).row(0, named=True)
    sentences = explain_pattern(row).sentences()
    assert sentences[0].startswith("ASS Sporadic Disjoint, Hugging Face First")
    assert "Lag: first bin: Hugging Face only → Hugging Face First" in sentences
    assert any("5 active bins (> 3), not Rare; longest shared run 0 bins (< 5)" in s for s in sentences)

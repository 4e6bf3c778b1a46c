"""The study's published verdicts beside ours: the families view, the filters and the family sentences."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from core.config import AnalysisSettings
from core.filters import parse_filter
from core.views.families import build_view
from core.views.family import family_overview
from core.views.published import published_family, published_sentences
from tests.app_data import NOW, build_cache
from tests.app_published import write_published


def _view(tmp_path: Path) -> pl.DataFrame:
    store = build_cache(tmp_path / "c")
    write_published(store)
    return build_view(store, AnalysisSettings(), NOW)


def test_view_carries_the_study_verdict_and_agreement(tmp_path: Path) -> None:
    view = _view(tmp_path).select("family", "code", "study_code", "study_agrees")
    rows = {r[0]: r[1:] for r in view.rows()}
    assert rows["acme_bert"] == ("PSR", "PSR", True)
    assert rows["zeta_gpt"] == ("ASS", "PSS", False)
    assert rows["orbit_lm"] == (None, "CSF", None)  # study-only: nothing to compare
    assert rows["solo_code"][1] is None


def test_study_and_agree_filters(tmp_path: Path) -> None:
    view = _view(tmp_path)
    assert parse_filter("study:frequent").apply(view)["family"].to_list() == ["orbit_lm"]
    assert parse_filter("study:pss").apply(view)["family"].to_list() == ["zeta_gpt"]
    assert parse_filter("agree:no").apply(view)["family"].to_list() == ["zeta_gpt"]
    assert parse_filter("agree:yes").apply(view)["family"].to_list() == ["acme_bert"]
    assert parse_filter("-agree:yes study:sparse").apply(view).is_empty()


def test_sentences_say_whether_we_agree(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    write_published(store)
    acme = family_overview(store, AnalysisSettings(), "acme_bert")
    text = "\n".join(acme.study_sentences())
    assert "Published by the study (arXiv 2508.10157): PSR Sparse, GitHub First (assigned by hand)." in text
    assert "The pattern computed here agrees: PSR Sparse, GitHub First." in text
    zeta = "\n".join(family_overview(store, AnalysisSettings(), "zeta_gpt").study_sentences())
    assert "The pattern computed here differs: ASS Sporadic Disjoint, Hugging Face First, from 1 of 3" in zeta


def test_a_study_only_family_lists_its_variants_and_transitions(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    write_published(store)
    record = published_family(store, "orbit_lm")
    assert record is not None and record.variants.height == 1 and record.transitions.height == 2
    lines = published_sentences(record, None)
    assert "No commits here yet to compare with: sync or import this family's commits." in lines
    assert "  orbit/lm-7b: 12,345, 2021-03-01 → 2021-05-30" in lines
    assert any(line.startswith("Study transitions: GH→HF 1 (mean 3.0 d") for line in lines)
    assert "Normalised on import: name kept as published" in lines
    assert published_family(store, "acme_nothing") is None


def test_no_published_tables_means_no_study_columns(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    view = build_view(store, AnalysisSettings(), NOW)
    assert view["study_code"].null_count() == view.height
    assert published_family(store, "acme_bert") is None


def test_change_type_summary_per_platform_and_jaccard() -> None:
    from core.views.change_types import change_type_summary

    commits = pl.DataFrame(
        {
            "platform": ["github", "github", "github", "huggingface", "huggingface", "huggingface", "github"],
            "label": [
                "training infrastructure",
                "external documentation",
                "training infrastructure",
                "external documentation",
                "parameter tuning",
                "bug fix",  # left out of the types, as in the study
                None,
            ],
        }
    )
    summary = change_type_summary(commits)
    assert summary.github == [("training infrastructure", 2), ("external documentation", 1)]
    assert summary.huggingface == [("external documentation", 1), ("parameter tuning", 1)]
    assert summary.jaccard == 1 / 3  # {ext doc} / {training, ext doc, parameter tuning}
    assert (summary.labelled, summary.unlabelled) == (6, 1)
    assert "Jaccard similarity of the two sides' types: 0.33" in " ".join(summary.sentences())
    empty = change_type_summary(commits.with_columns(pl.lit(None, dtype=pl.String).alias("label")))
    assert empty.jaccard is None and "press c to classify" in empty.sentences()[0]

"""Agreement figures against values worked out by hand, and label normalisation."""

from __future__ import annotations

import polars as pl
import pytest

from core.classify.labels import normalise_label, normalise_label_expr
from core.classify.metrics import agreement_report


def test_kappa_agreement_and_f1_by_hand() -> None:
    # gold:      a a a b b c     predicted: a a b b c c
    # p_o = 4/6. Marginals gold (3,2,1)/6, predicted (2,2,2)/6 -> p_e = (6+4+2)/36 = 1/3.
    # kappa = (2/3 - 1/3) / (1 - 1/3) = 0.5.
    # a: TP 2, pred 2, gold 3 -> P 1, R 2/3, F1 0.8
    # b: TP 1, pred 2, gold 2 -> P 1/2, R 1/2, F1 0.5
    # c: TP 1, pred 2, gold 1 -> P 1/2, R 1, F1 2/3
    report = agreement_report(list("aaabbc"), list("aabbcc"))
    assert report["n"] == 6
    assert report["agreement"] == pytest.approx(0.6667, abs=1e-4)
    assert report["kappa"] == pytest.approx(0.5)
    assert report["per_class"]["a"] == {"precision": 1.0, "recall": 0.6667, "f1": 0.8, "support": 3, "predicted": 2}
    assert report["per_class"]["b"]["f1"] == 0.5
    assert report["per_class"]["c"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1, "predicted": 2}
    assert report["macro_f1"] == pytest.approx((0.8 + 0.5 + 2 / 3) / 3, abs=1e-4)


def test_a_class_only_predicted_counts_in_macro_f1() -> None:
    # gold a a b b, predicted a x b b: x is a class with F1 0; a: P 1 R 1/2 F1 2/3; b: F1 1.
    report = agreement_report(["a", "a", "b", "b"], ["a", "x", "b", "b"])
    assert report["per_class"]["x"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0, "predicted": 1}
    assert report["macro_f1"] == pytest.approx((2 / 3 + 1 + 0) / 3, abs=1e-4)
    # p_o = 3/4; p_e = (2*1 + 2*2 + 0*1)/16 = 6/16; kappa = (0.75 - 0.375)/0.625 = 0.6
    assert report["kappa"] == pytest.approx(0.6)


def test_perfect_and_chance_level_agreement() -> None:
    assert agreement_report(["a", "b"], ["a", "b"])["kappa"] == 1.0
    # Always predicting the majority class: agreement 0.75 but kappa 0.
    report = agreement_report(["a", "a", "a", "b"], ["a", "a", "a", "a"])
    assert report["agreement"] == 0.75 and report["kappa"] == 0.0


def test_kappa_is_undefined_when_both_sides_use_one_class() -> None:
    report = agreement_report(["a", "a"], ["a", "a"])
    assert report["kappa"] is None and report["agreement"] == 1.0


def test_missing_predictions_are_disagreements() -> None:
    report = agreement_report(["a", "b"], ["a", None])
    assert report["agreement"] == 0.5 and "(none)" in report["per_class"]


def test_empty_and_mismatched_inputs() -> None:
    assert agreement_report([], [])["n"] == 0
    with pytest.raises(ValueError, match="2 gold labels but 1 predictions"):
        agreement_report(["a", "b"], ["a"])


def test_accepts_series() -> None:
    assert agreement_report(pl.Series(["a", "b"]), pl.Series(["a", "a"]))["agreement"] == 0.5


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("pipeline_performance", "pipeline performance"),
        ("  Model Structure ", "model structure"),
        ("external-documentation", "external documentation"),
        ("uncategorized", "unclear"),
        ("bugfix", "bug fix"),
        ("refactoring", None),
        (None, None),
    ],
)
def test_normalise_label(raw: str | None, label: str | None) -> None:
    assert normalise_label(raw) == label
    assert pl.select(normalise_label_expr(pl.lit(raw, dtype=pl.String))).item() == label

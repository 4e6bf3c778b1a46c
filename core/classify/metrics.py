"""Provides agreement_report(): Cohen's κ, raw agreement, macro-F1 and per-class P/R/F1 of two labellings.

Written out here rather than taken from a statistics package: the formulas are short, the
project avoids a heavy dependency for them, and the tests check them against values worked
out by hand.

- Raw agreement p_o: the share of items both labellings give the same label.
- Chance agreement p_e = Σ_k p_gold(k) · p_pred(k), over every label either side uses.
- Cohen's κ = (p_o − p_e) / (1 − p_e); undefined (None) when p_e = 1, i.e. both sides put
  every item in the same single class.
- Per class k: precision = TP / predicted k, recall = TP / gold k, F1 their harmonic mean
  (0 when both are 0); a class never predicted has precision 0, one never in gold recall 0.
- Macro-F1: the unweighted mean of F1 over every class that occurs on either side.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl


def _as_series(values: Sequence[str | None] | pl.Series, name: str) -> pl.Series:
    series = values if isinstance(values, pl.Series) else pl.Series(name, list(values), dtype=pl.String)
    return series.cast(pl.String).alias(name)


def agreement_report(
    gold_labels: Sequence[str | None] | pl.Series, predicted: Sequence[str | None] | pl.Series
) -> dict[str, Any]:
    """Compare predicted labels with gold labels, item by item.

    Args:
        gold_labels: The reference labels.
        predicted: The labels to judge, aligned with ``gold_labels``. A missing prediction
            (None) counts as the class ``"(none)"``, so it is a disagreement, never skipped.

    Returns:
        ``{"n", "kappa", "agreement", "macro_f1", "per_class"}``; ``per_class`` maps each
        label to ``{"precision", "recall", "f1", "support", "predicted"}`` (support = gold
        count). Figures are rounded to 4 decimals; ``kappa`` is None when undefined.

    Raises:
        ValueError: The two sequences differ in length.
    """
    gold = _as_series(gold_labels, "gold")
    pred = _as_series(predicted, "pred")
    if gold.len() != pred.len():
        raise ValueError(f"{gold.len()} gold labels but {pred.len()} predictions")
    pairs = pl.DataFrame([gold, pred]).with_columns(pl.col("gold", "pred").fill_null("(none)"))
    n = pairs.height
    if n == 0:
        return {"n": 0, "kappa": None, "agreement": None, "macro_f1": None, "per_class": {}}
    agreement = pairs.select((pl.col("gold") == pl.col("pred")).mean()).item()
    gold_counts = pairs.group_by("gold").len().rename({"gold": "label", "len": "support"})
    pred_counts = pairs.group_by("pred").len().rename({"pred": "label", "len": "predicted"})
    hits = pairs.filter(pl.col("gold") == pl.col("pred")).group_by("gold").len().rename({"gold": "label", "len": "tp"})
    classes = (
        gold_counts.join(pred_counts, on="label", how="full", coalesce=True)
        .join(hits, on="label", how="left")
        .with_columns(pl.col("support", "predicted", "tp").fill_null(0))
        .with_columns(
            pl.when(pl.col("predicted") > 0).then(pl.col("tp") / pl.col("predicted")).otherwise(0.0).alias("precision"),
            pl.when(pl.col("support") > 0).then(pl.col("tp") / pl.col("support")).otherwise(0.0).alias("recall"),
        )
        .with_columns(
            pl.when(pl.col("precision") + pl.col("recall") > 0)
            .then(2 * pl.col("precision") * pl.col("recall") / (pl.col("precision") + pl.col("recall")))
            .otherwise(0.0)
            .alias("f1")
        )
        .sort("label")
    )
    chance = classes.select((pl.col("support") * pl.col("predicted")).sum()).item() / (n * n)
    kappa = None if chance >= 1.0 else (agreement - chance) / (1.0 - chance)
    per_class = {
        row["label"]: {
            "precision": round(row["precision"], 4),
            "recall": round(row["recall"], 4),
            "f1": round(row["f1"], 4),
            "support": int(row["support"]),
            "predicted": int(row["predicted"]),
        }
        for row in classes.iter_rows(named=True)
    }
    return {
        "n": n,
        "kappa": None if kappa is None else round(kappa, 4),
        "agreement": round(agreement, 4),
        "macro_f1": round(float(classes.select(pl.col("f1").mean()).item()), 4),
        "per_class": per_class,
    }

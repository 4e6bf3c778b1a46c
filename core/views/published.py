"""Provides the study's published results as the app shows them: beside each family and on its screen.

After ``ptlm-tui import-study`` every study family has a published verdict (lag, type,
intensity, pattern), variants with downloads and first/last commit dates, and transitions.
The families view gets the verdict as ``study_*`` columns; the family screen gets the whole
record, and sentences that set it beside the pattern computed from the cache's commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import polars as pl

from cache.store import CacheStore

PUBLISHED_COLUMNS: Final = ("family", "study_lag", "study_code", "study_pattern", "study_variants")
STUDY: Final = "the study (arXiv 2508.10157)"


def family_published(store: CacheStore) -> pl.DataFrame:
    """Return ``PUBLISHED_COLUMNS`` for every family with a published result (empty without import-study)."""
    return store.published(["family", "lag", "code", "pattern", "variants"]).select(
        "family",
        pl.col("lag").alias("study_lag"),
        pl.col("code").alias("study_code"),
        pl.col("pattern").alias("study_pattern"),
        pl.col("variants").alias("study_variants"),
    )


@dataclass(frozen=True)
class PublishedFamily:
    """One family as the study published it."""

    verdict: dict[str, Any]  # a row of the published table
    variants: pl.DataFrame  # model, downloads, likes, first_commit, last_commit (most downloaded first)
    transitions: pl.DataFrame  # source, target, prev_commit, next_commit, days (oldest first)


def published_family(store: CacheStore, family: str) -> PublishedFamily | None:
    """Return ``family``'s published record, or None when the study did not publish it."""
    if not store.has_published():
        return None
    rows, variants, transitions = store.published_family(family)
    if rows.is_empty():
        return None
    variants = variants.select("model", "downloads", "likes", "first_commit", "last_commit").sort(
        ["downloads", "model"], descending=[True, False], nulls_last=True
    )
    transitions = transitions.drop("family").sort("next_commit")
    return PublishedFamily(rows.row(0, named=True), variants, transitions)


def _day(value: object) -> str:
    return value.strftime("%Y-%m-%d") if hasattr(value, "strftime") else "?"


def published_sentences(published: PublishedFamily, computed: Mapping[str, Any] | None, *, limit: int = 8) -> list[str]:
    """Return plain sentences describing the published record and whether our verdict agrees.

    Args:
        published: The family's published record.
        computed: The family's computed pattern row (``compute_patterns``), or None.
        limit: How many variants to list (the most downloaded).
    """
    v = published.verdict
    how = {"manual": "assigned by hand", "automatic": "assigned by the study's algorithm"}.get(
        str(v.get("generated") or ""), "published"
    )
    lines = [f"Published by {STUDY}: {v.get('code')} {v.get('pattern')}, {v.get('lag')} ({how})."]
    if computed and computed.get("code"):
        same = computed.get("pattern") == v.get("pattern") and computed.get("lag") == v.get("lag")
        ours = f"{computed.get('code')} {computed.get('pattern')}, {computed.get('lag')}"
        if same:
            lines.append(f"The pattern computed here agrees: {ours}.")
        else:
            used = computed.get("variants")
            lines.append(
                f"The pattern computed here differs: {ours}, from {used} of {v.get('variants')} variants' commits "
                "(a different cut-off or missing variants change the verdict)."
            )
    else:
        lines.append("No commits here yet to compare with: sync or import this family's commits.")
    if v.get("note"):
        lines.append(f"Normalised on import: {v['note']}")
    extras = []
    if v.get("age_days") is not None:
        extras.append(f"age {float(v['age_days']):.0f} days ({v.get('age_group') or '?'})")
    if v.get("jaccard") is not None:
        extras.append(f"change-type similarity {float(v['jaccard']):.2f}")
    if v.get("early_pattern") or v.get("late_pattern"):
        extras.append(f"early {v.get('early_pattern') or '?'} → late {v.get('late_pattern') or '?'}")
    if extras:
        lines.append("Study figures: " + "; ".join(extras) + ".")
    variants = published.variants
    lines.append(f"{variants.height} published variants (downloads, first → last HF commit):")
    for row in variants.head(limit).iter_rows(named=True):
        downloads = f"{row['downloads']:,}" if row["downloads"] is not None else "?"
        lines.append(f"  {row['model']}: {downloads}, {_day(row['first_commit'])} → {_day(row['last_commit'])}")
    if variants.height > limit:
        lines.append(f"  … and {variants.height - limit} more")
    t = published.transitions
    if t.height:
        stats = t.group_by("source", "target").agg(
            pl.len().alias("n"), pl.col("days").mean().alias("mean"), pl.col("days").median().alias("median")
        )
        parts = [
            f"{r['source']}→{r['target']} {r['n']} (mean {r['mean']:.1f} d, median {r['median']:.0f} d)"
            for r in stats.sort("source").iter_rows(named=True)
        ]
        last = t.row(t.height - 1, named=True)
        lines.append(f"Study transitions: {'; '.join(parts)}.")
        lines.append(
            f"Last: {last['source']}→{last['target']} {_day(last['prev_commit'])} → {_day(last['next_commit'])}"
            f" ({last['days']} days)."
        )
    else:
        lines.append("The study recorded no transitions for this family.")
    return lines

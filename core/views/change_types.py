"""Provides change_type_summary(): what a family's commits changed, per platform, and how alike the two sides are.

The family screen shows it under the pattern's explanation: the most frequent change types on
GitHub and on Hugging Face and the family's change-type Jaccard similarity (docs/method.md §5),
computed by the same function as ``ptlm-tui report``.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from core.analysis.similarity import change_type_similarity
from core.models import CHANGE_TYPES, GITHUB, HUGGINGFACE
from core.words import plural


@dataclass(frozen=True)
class ChangeTypeSummary:
    """A family's change types per platform and their similarity."""

    github: list[tuple[str, int]]  # (change type, commits), most frequent first
    huggingface: list[tuple[str, int]]
    jaccard: float | None  # None when no commit is labelled
    labelled: int
    unlabelled: int

    def sentences(self, top: int = 4) -> list[str]:
        """Return the summary as plain sentences, listing the ``top`` types of each platform."""
        if not self.labelled:
            return [f"No commit labelled yet ({plural(self.unlabelled, 'commit')}): press c to classify this family."]

        def side(name: str, counts: list[tuple[str, int]]) -> str:
            if not counts:
                return f"{name}: none of the 15 types"
            shown = ", ".join(f"{label} {n}" for label, n in counts[:top])
            return f"{name}: {shown}" + (f", +{len(counts) - top} more" if len(counts) > top else "")

        lines = [side("GitHub", self.github), side("Hugging Face", self.huggingface)]
        lines.append(
            f"Jaccard similarity of the two sides' types: {self.jaccard:.2f} (the study's families: mean 0.41)."
        )
        if self.unlabelled:
            lines.append(f"{plural(self.unlabelled, 'commit')} not labelled yet.")
        return lines


def change_type_summary(commits: pl.DataFrame) -> ChangeTypeSummary:
    """Summarise labelled commits (``platform, label`` columns; ``label`` null when unlabelled).

    Types are the study's 15 (bug fix, add model and unclear are left out, as in the study).
    """
    labelled = commits.filter(pl.col("label").is_not_null())
    counts = (
        labelled.filter(pl.col("label").is_in(list(CHANGE_TYPES)))
        .group_by("platform", "label")
        .agg(pl.len().alias("n"))
        .sort(["n", "label"], descending=[True, False])
    )

    def side(platform: str) -> list[tuple[str, int]]:
        return [(str(label), int(n)) for _, label, n in counts.filter(pl.col("platform") == platform).iter_rows()]

    jaccard = None
    if labelled.height:
        scores = change_type_similarity(labelled.select(pl.lit("family").alias("family"), "platform", "label").lazy())
        jaccard = float(scores["jaccard"][0]) if scores.height else 0.0
    return ChangeTypeSummary(
        side(GITHUB), side(HUGGINGFACE), jaccard, labelled.height, commits.height - labelled.height
    )

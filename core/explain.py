"""Provides explain_pattern(): why a family got its pattern, as steps that quote the study's rules.

Each step is one dimension of docs/method.md §3 (lag, synchronization type, intensity) with the
evidence from ``compute_patterns``'s figures and the rule it satisfied, for example "12 of
31 HF bins share GitHub activity → partial (PS)". Notes add the method's known weaknesses
(§7) where they apply to this family, so the user can judge the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from core.analysis.patterns import FREQUENT_RUN, RARE_MAX_BINS, STATUS_OK, VS_MIN_BINS, VS_MIN_VARIANTS
from core.models import GITHUB_FIRST, HUGGINGFACE_FIRST, IN_STEP_MEANING, PATTERN_MEANING, SIMULTANEOUS, in_step


@dataclass(frozen=True)
class Step:
    """One rule applied: which dimension, what the data shows, and the outcome."""

    dimension: str  # Lag, Type, Intensity, Pattern
    evidence: str
    outcome: str

    def sentence(self) -> str:
        """Return ``evidence → outcome``."""
        return f"{self.evidence} → {self.outcome}"


@dataclass(frozen=True)
class Explanation:
    """The verdict and the steps that led to it."""

    family: str
    headline: str
    steps: tuple[Step, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def sentences(self) -> list[str]:
        """Return the explanation as plain sentences (headline, steps, notes)."""
        return [self.headline] + [f"{s.dimension}: {s.sentence()}" for s in self.steps] + list(self.notes)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _short(repo: str | None) -> str:
    return (repo or "?").rpartition("/")[2] or (repo or "?")


def _lag(row: Mapping[str, Any]) -> Step:
    gh, hf = bool(row.get("first_bin_gh")), bool(row.get("first_bin_hf"))
    if gh and hf:
        return Step("Lag", "first bin: GitHub and a Hugging Face variant both active", SIMULTANEOUS)
    if gh:
        return Step("Lag", "first bin: GitHub only", GITHUB_FIRST)
    return Step("Lag", "first bin: Hugging Face only", HUGGINGFACE_FIRST)


def _type(row: Mapping[str, Any]) -> Step:
    hf_bins, gh_bins = int(row.get("hf_bins") or 0), int(row.get("gh_bins") or 0)
    shared, outside = int(row.get("shared_bins") or 0), int(row.get("hf_bins_outside") or 0)
    busy = int(row.get("busy_bins") or 0)
    if outside == 0:
        return Step("Type", f"all {_plural(hf_bins, 'HF bin')} fall in GitHub's {gh_bins} active bins", "complete (CS)")
    if shared > 0:
        return Step("Type", f"{shared} of {_plural(hf_bins, 'HF bin')} share GitHub activity", "partial (PS)")
    crowded = f"{_plural(busy, 'bin')} with ≥ {VS_MIN_VARIANTS} variants active"
    if busy >= VS_MIN_BINS:
        return Step("Type", f"no HF bin shares GitHub activity; {crowded}", "variant-driven (VS)")
    return Step("Type", f"no HF bin shares GitHub activity; {crowded} (VS needs {VS_MIN_BINS})", "asynchronous (AS)")


def _intensity(row: Mapping[str, Any]) -> Step:
    most = int(row.get("max_variant_bins") or 0)
    busiest = _short(row.get("busiest_variant"))
    run = int(row.get("longest_shared_run") or 0)
    run_variant = _short(row.get("longest_run_variant"))
    if most <= RARE_MAX_BINS:
        return Step(
            "Intensity",
            f"busiest variant {busiest} is active in {_plural(most, 'bin')} (≤ {RARE_MAX_BINS})",
            "Rare (R)",
        )
    if run >= FREQUENT_RUN:
        return Step(
            "Intensity",
            f"{run_variant} shares a run of {run} consecutive bins with GitHub (≥ {FREQUENT_RUN})",
            "Frequent (F)",
        )
    run_text = f"longest shared run {_plural(run, 'bin')}" + (f" ({run_variant})" if run else "")
    return Step(
        "Intensity",
        f"busiest variant {busiest}: {most} active bins (> {RARE_MAX_BINS}), not Rare; "
        f"{run_text} (< {FREQUENT_RUN}), not Frequent",
        "Sporadic (S)",
    )


def _notes(row: Mapping[str, Any], first_hf_bin: int | None, monorepo: bool) -> list[str]:
    notes = []
    if row.get("lag") == GITHUB_FIRST and first_hf_bin:
        notes.append(
            f"GitHub history starts {_plural(first_hf_bin, 'bin')} before the first HF commit: "
            "lag leans to GitHub First when the code predates the model."
        )
    if row.get("intensity") == "R":
        notes.append("The Rare rule counts HF bins only; GitHub activity does not change it.")
    outside = int(row.get("variants_outside") or 0)
    if outside and row.get("sync") != "CS":
        notes.append(f"{_plural(outside, 'variant')} of {row.get('variants')} committed outside GitHub's bins.")
    if monorepo:
        notes.append("The GitHub repository is a shared monorepo: its activity is not this model's alone.")
    return notes


def explain_pattern(
    row: Mapping[str, Any], *, bin_days: int = 14, first_hf_bin: int | None = None, monorepo: bool = False
) -> Explanation:
    """Explain one row of ``compute_patterns``.

    Args:
        row: The family's pattern row (every ``RESULT_COLUMNS`` figure).
        bin_days: Bin length the row was computed with (quoted in the headline).
        first_hf_bin: Bin of the first Hugging Face commit, for the GitHub-history note.
        monorepo: True when the family's GitHub repository is a known shared monorepo.

    Returns:
        The explanation; a family without commits on one side gets the reason instead of steps.
    """
    family = str(row.get("family") or "")
    if row.get("status") != STATUS_OK or not row.get("code"):
        reason = str(row.get("status") or "no commits")
        return Explanation(family, f"No pattern: {reason}", notes=("The rules need commits on both platforms.",))
    code, pattern = str(row["code"]), str(row.get("pattern") or "")
    steps = (
        _lag(row),
        _type(row),
        _intensity(row),
        Step(
            "Pattern",
            f"{row.get('sync')} + {row.get('intensity')} = {code}",
            f"{pattern}: {PATTERN_MEANING.get(pattern, '')}",
        ),
    )
    step = in_step(code) or ""
    headline = f"{code} {pattern}, {row.get('lag')}: {step} ({IN_STEP_MEANING.get(step, '')})"
    return Explanation(family, headline, steps, tuple(_notes(row, first_hf_bin, monorepo)))

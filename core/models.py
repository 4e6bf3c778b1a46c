"""Provides the study's vocabulary (platforms, lags, patterns, change types) and small value types."""

from __future__ import annotations

import re
from typing import Final

GITHUB: Final = "github"
HUGGINGFACE: Final = "huggingface"
PLATFORMS: Final = (GITHUB, HUGGINGFACE)
PLATFORM_SHORT: Final = {GITHUB: "GH", HUGGINGFACE: "HF"}

GITHUB_FIRST: Final = "GitHub First"
HUGGINGFACE_FIRST: Final = "Hugging Face First"
SIMULTANEOUS: Final = "Simultaneous"
LAGS: Final = (GITHUB_FIRST, SIMULTANEOUS, HUGGINGFACE_FIRST)

SYNC_TYPES: Final = ("CS", "PS", "VS", "AS")
INTENSITIES: Final = ("R", "S", "F")

# Pattern code (sync type + intensity) to the study's pattern name (docs/method.md §3).
PATTERN_BY_CODE: Final = {
    "CSF": "Frequent",
    "PSF": "Dense",
    "CSS": "Intermittent",
    "CSR": "Rare",
    "PSS": "Disperse",
    "PSR": "Sparse",
    "ASS": "Sporadic Disjoint",
    "VSS": "Sporadic Disjoint",
    "ASR": "Rare Disjoint",
    "VSR": "Rare Disjoint",
}
# The eight patterns in the study's order of prevalence, used for tables and charts.
PATTERNS: Final = (
    "Disperse",
    "Sparse",
    "Rare",
    "Sporadic Disjoint",
    "Rare Disjoint",
    "Intermittent",
    "Frequent",
    "Dense",
)
PATTERN_MEANING: Final = {
    "Frequent": "HF activity inside GitHub's, with ≥ 5 consecutive shared bins",
    "Dense": "partial overlap, with ≥ 5 consecutive shared bins",
    "Intermittent": "HF activity inside GitHub's, sporadic",
    "Rare": "HF activity inside GitHub's, rare",
    "Disperse": "partial overlap, sporadic",
    "Sparse": "partial overlap, rare HF activity",
    "Sporadic Disjoint": "no overlap, sporadic",
    "Rare Disjoint": "no overlap, rare",
}

# Whether a family is in step, in plain words, by synchronization type: complete (CS) means
# every HF update lands in weeks when GitHub moves too; partial (PS) some do; asynchronous and
# variant-driven (AS, VS) none does.
IN_STEP: Final = {"CS": "in step", "PS": "partly in step", "AS": "out of step", "VS": "out of step"}
IN_STEP_MEANING: Final = {
    "in step": "every Hugging Face update lands in weeks when GitHub moves too",
    "partly in step": "some Hugging Face updates land with GitHub's, others on their own",
    "out of step": "Hugging Face and GitHub never move in the same weeks",
}


def in_step(code: str | None) -> str | None:
    """Return ``in step``, ``partly in step`` or ``out of step`` for a pattern code, or None without one."""
    return IN_STEP.get((code or "")[:2])


# The 15 change types of docs/method.md §5, in the study's order of GitHub share.
CHANGE_TYPES: Final = (
    "model structure",
    "external documentation",
    "training infrastructure",
    "validation infrastructure",
    "preprocessing",
    "internal documentation",
    "sharing",
    "project metadata",
    "pipeline performance",
    "parameter tuning",
    "input data",
    "update dependency",
    "add dependency",
    "remove dependency",
    "output data",
)
# Labels a classifier may give that the analyses leave out, as the study did.
EXCLUDED_LABELS: Final = ("bug fix", "add model", "unclear", "uncategorized")
ALL_LABELS: Final = CHANGE_TYPES + ("bug fix", "add model", "unclear")

# owner/name as GitHub and the Hub allow them: letters, digits, '-', '_', '.'; no leading
# '-' or '.', no '..' (path traversal), bounded length.
_REPO_PART = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,99}"
REPO_ID_RE: Final = re.compile(rf"^{_REPO_PART}/{_REPO_PART}$")


def is_valid_repo_id(repo: str) -> bool:
    """Return True if ``repo`` is a safe ``owner/name`` id for URLs, paths and git commands."""
    return bool(REPO_ID_RE.match(repo)) and ".." not in repo and not repo.endswith(".")


def pattern_name(code: str | None) -> str | None:
    """Return the pattern name for a code such as ``PSS``, or None for an impossible code."""
    return PATTERN_BY_CODE.get(code or "")

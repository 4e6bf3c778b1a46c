"""Provides the translation of the study's spellings (pattern names, lags, age groups) to ptlm-tui's.

The replication package names patterns "Dispersed Alignment", "Rare Disjoing" (sic) or "Rare
disjoint pattern" depending on the file, and lags "Upstream First" / "No Lag" / "Downstream
First". ptlm-tui uses the paper's short names and says who moves first.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from core.analysis.maturity import AGE_GROUPS
from core.models import GITHUB_FIRST, HUGGINGFACE_FIRST, SIMULTANEOUS

# Keys are lower-case, without the " Pattern" suffix some files append.
PATTERN_NAMES: Final = {
    "dispersed alignment": "Disperse",
    "sparse alignment": "Sparse",
    "rare alignment": "Rare",
    "sporadic disjoint": "Sporadic Disjoint",
    "rare disjoing": "Rare Disjoint",  # the package's spelling everywhere but RQ2_early_late_pattern.csv
    "rare disjoint": "Rare Disjoint",
    "intermittent alignment": "Intermittent",
    "frequent alignment": "Frequent",
    "dense partial alignment": "Dense",
}
LAG_NAMES: Final = {
    "upstream first": GITHUB_FIRST,
    "no lag": SIMULTANEOUS,
    "downstream first": HUGGINGFACE_FIRST,
}
AGE_GROUP_NAMES: Final = {f"{g.lower()}-families": g for g in AGE_GROUPS}


def _key(column: str) -> pl.Expr:
    return pl.col(column).str.strip_chars().str.to_lowercase().str.replace(r"\s+pattern$", "")


def pattern_name(column: str) -> pl.Expr:
    """Expression: the short pattern name for a study spelling in ``column`` (null if unknown)."""
    return _key(column).replace_strict(PATTERN_NAMES, default=None, return_dtype=pl.String)


def lag_name(column: str) -> pl.Expr:
    """Expression: the lag (GitHub First, Simultaneous, Hugging Face First) for a study spelling."""
    return _key(column).replace_strict(LAG_NAMES, default=None, return_dtype=pl.String)


def age_group_name(column: str) -> pl.Expr:
    """Expression: Recent, Intermediate or Matured for ``Recent-Families`` and the like."""
    return _key(column).replace_strict(AGE_GROUP_NAMES, default=None, return_dtype=pl.String)

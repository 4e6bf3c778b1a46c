"""Provides the label vocabulary of the classifier and the normalisation of label spellings.

The 15 change types are docs/method.md §5's strings; ``bug fix``, ``add model`` and ``unclear``
may also be given (by a model or a person) and are left out of the analyses, as in the study.
Raters and models spell labels loosely (``pipeline_performance``, ``Model Structure``), so every
label that enters ptlm-tui goes through ``normalise_label`` first.
"""

from __future__ import annotations

import re
from typing import Final

import polars as pl

from core.models import ALL_LABELS, CHANGE_TYPES, EXCLUDED_LABELS

LABELS: Final = ALL_LABELS
UNCLEAR: Final = "unclear"

# Spellings seen in the study's files and in model answers that mean one of our labels.
_ALIASES: Final = {
    "uncategorized": UNCLEAR,
    "uncategorised": UNCLEAR,
    "unknown": UNCLEAR,
    "none": UNCLEAR,
    "other": UNCLEAR,
    "bugfix": "bug fix",
    "external docs": "external documentation",
    "internal docs": "internal documentation",
    "documentation": "external documentation",
}
_SEPARATORS = re.compile(r"[\s_\-]+")


def normalise_label(value: str | None) -> str | None:
    """Return ``value`` as one of ``LABELS``, or None if it names none of them.

    Case, surrounding space and ``_``/``-`` separators are ignored
    (``pipeline_performance`` → ``pipeline performance``).
    """
    if value is None:
        return None
    text = _SEPARATORS.sub(" ", value.strip().lower()).strip()
    text = _ALIASES.get(text, text)
    return text if text in LABELS else None


def normalise_label_expr(expr: pl.Expr) -> pl.Expr:
    """The vectorised ``normalise_label``: a String expression, null where no label matches."""
    text = expr.str.to_lowercase().str.replace_all(r"[\s_\-]+", " ").str.strip_chars()
    mapping = {label: label for label in LABELS} | _ALIASES
    return text.replace_strict(mapping, default=None, return_dtype=pl.String)


def is_change_type(label: str | None) -> bool:
    """True for the 15 change types the analyses count (not bug fix, add model, unclear)."""
    return label in CHANGE_TYPES


__all__ = ["CHANGE_TYPES", "EXCLUDED_LABELS", "LABELS", "UNCLEAR", "is_change_type", "normalise_label"]

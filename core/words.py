"""Provides plural(): counts with the right English noun form ("1 family", "2 families"), for every message."""

from __future__ import annotations

_IRREGULAR = {
    "family": "families",
    "repository": "repositories",
    "this": "these",
    "is": "are",
    "was": "were",
    "has": "have",
}


def noun(n: int, word: str, plural_form: str | None = None) -> str:
    """Return ``word`` in the form that goes with ``n``: ``noun(1, "family")`` is ``family``, else ``families``.

    ``plural_form`` spells out a plural the rules below would get wrong.
    """
    if n == 1:
        return word
    if plural_form:
        return plural_form
    head, space, last = word.rpartition(" ")
    if space:
        return f"{head} {noun(n, last)}"  # "monorepo family": only the last word changes
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "sh", "ch")):
        return word + "es"
    return word + "s"


def plural(n: int, word: str, plural_form: str | None = None) -> str:
    """Return the count and the noun: ``1 family``, ``2 families``, ``1,234 commits``."""
    return f"{n:,} {noun(n, word, plural_form)}"

"""Provides the small polars expression helpers the rule and prompt modules share."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import polars as pl


def first_match(cases: Iterable[tuple[pl.Expr, pl.Expr]], otherwise: pl.Expr) -> pl.Expr:
    """Return the value of the first case whose condition is true, else ``otherwise``.

    One chained ``when/then``: polars evaluates every condition over the whole column in native
    code, which is what keeps the rules free of per-row Python.
    """
    chain: Any = pl
    for condition, value in cases:
        chain = chain.when(condition).then(value)
    if chain is pl:
        return otherwise
    result: pl.Expr = chain.otherwise(otherwise)
    return result


def message_body(title: pl.Expr, message: pl.Expr) -> pl.Expr:
    """The message without its first line when that line is the title (git messages repeat it)."""
    repeats = message.str.starts_with(title) & (title != "")
    return pl.when(repeats).then(message.str.slice(title.str.len_chars())).otherwise(message)

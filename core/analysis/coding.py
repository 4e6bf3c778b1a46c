"""Provides CodedEvents: commit events whose string keys (family, repo) are replaced by integer codes.

Grouping, sorting and joining millions of rows on small integers instead of strings is what
keeps a million-commit cache well under a second; the pattern rules and §8.1's ``behind``
share one coding of the same events, so the strings are hashed once per analysis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

import polars as pl

CODE = "_code"
# For queries over frames already in memory: polars' default (streaming) engine costs more to
# set up there than it saves, about twice the time on a million commits.
IN_MEMORY: Final = "in-memory"


@dataclass(frozen=True)
class CodedEvents:
    """Events with integer codes in place of their string keys, and the names to turn codes back."""

    frame: pl.DataFrame
    names: dict[str, pl.DataFrame]  # coded column -> ``_code`` and the column's strings

    def decode(self, frame: pl.DataFrame, targets: dict[str, Sequence[str]]) -> pl.DataFrame:
        """Return ``frame`` with the code columns ``targets`` names (per coded column) back as strings."""
        for column, table in self.names.items():
            for target in targets.get(column, ()):
                renamed = table.rename({column: f"_{target}"})
                frame = (
                    frame.join(renamed, left_on=target, right_on=CODE, how="left")
                    .with_columns(pl.col(f"_{target}").alias(target))
                    .drop(f"_{target}")
                )
        return frame


def code_events(events: pl.LazyFrame, coded: Sequence[str]) -> CodedEvents:
    """Collect ``events`` once, replacing each String column of ``coded`` by its code.

    A column's codes number its strings in the order the rows first meet them (the cache
    stores commits sorted, so within a family that is the order of the names), whatever was
    coded before in the process.
    """
    frame = events.collect(engine=IN_MEMORY).rechunk()
    names: dict[str, pl.DataFrame] = {}
    codes = []
    for column in coded:
        if frame.schema[column] == pl.String:
            column_codes, names[column] = _coded(frame.get_column(column))
            codes.append(column_codes)
    return CodedEvents(frame.with_columns(codes), names)


def _coded(strings: pl.Series) -> tuple[pl.Series, pl.DataFrame]:
    """Return the codes of ``strings`` and their names (``_code`` and the string).

    The cache's rows come sorted, so a column is long runs of one string: the runs are coded
    (comparing neighbours, no hashing of every row) and each row takes its run's code.
    """
    runs = strings.rle().struct.field("value")
    distinct = runs.unique(maintain_order=True).drop_nulls()
    table = pl.DataFrame({CODE: pl.int_range(distinct.len(), dtype=pl.UInt32, eager=True), strings.name: distinct})
    # With nothing to replace (no rows, or only nulls) polars returns the strings as they are.
    run_codes = runs.replace_strict(distinct, table[CODE]) if distinct.len() else runs
    return run_codes.cast(pl.UInt32).gather(strings.rle_id()).alias(strings.name), table

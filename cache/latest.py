"""Provides latest-wins reading: the live rows of a table whose writes are appends.

Rows written by compaction (``_clean``) hold at most one live row per key and no tombstones, so
a table that was compacted and not written since is read as it is stored, with no join. Rows
appended since (few: a sync batch, a hand label) are resolved with vectorised polars: the newest
row of each key wins, tombstones remove their key, and only the groups (repositories) these rows
touch are joined against the compacted rows.
"""

from __future__ import annotations

import polars as pl

from cache.schema import DELETED, SEQ, TableSpec, one_of


def newest_per_key(rows: pl.LazyFrame, spec: TableSpec) -> pl.LazyFrame:
    """Return the newest row of each key in ``rows`` (tombstones included), keyed."""
    key = list(spec.key)
    return spec.keyed(rows).sort(SEQ, maintain_order=True).unique(subset=key, keep="last", maintain_order=True)


def resolve(
    compacted: pl.LazyFrame, appended: pl.DataFrame | None, spec: TableSpec, columns: list[str]
) -> pl.LazyFrame:
    """Return the live rows of a table as ``columns``.

    Args:
        compacted: The rows compaction wrote (all physical columns available).
        appended: The rows appended since (collected; None or empty when there are none).
        spec: The table.
        columns: Columns wanted, in order (data columns and, if asked, ``_seq``).
    """
    if appended is None or appended.height == 0:
        return compacted.select(columns)
    key, group = list(spec.key), list(spec.group)
    newest = newest_per_key(appended.lazy(), spec)
    touched = newest.select(group).unique().collect()
    superseded = newest.select(key)
    if group == key:
        kept = compacted.join(touched.lazy(), on=group, how="anti", nulls_equal=True).select(columns)
    else:
        # Split on the group's last column (a repository): a filter pushed into the scan, not a
        # join over every row. The rows of touched groups (few) are resolved now, so the scan
        # appears once in the plan that is returned and keeps its pushed-down filters.
        last = group[-1]
        in_touched = one_of(last, touched[last].unique().to_list())
        inside = (
            spec.keyed(compacted.filter(in_touched))
            .join(superseded, on=key, how="anti", nulls_equal=True)
            .select(columns)
            .collect()
        )
        kept = pl.concat([compacted.filter(~in_touched).select(columns), inside.lazy()], how="vertical")
    live = newest.filter(~pl.col(DELETED)).select(columns).collect()
    return pl.concat([kept, live.lazy()], how="vertical")


def live_count(compacted: pl.LazyFrame, stored_clean: int, appended: pl.DataFrame | None, spec: TableSpec) -> int:
    """Return how many live rows a table holds without reading its compacted rows whole.

    Args:
        compacted: The rows compaction wrote.
        stored_clean: Rows in compacted files (from the log's statistics).
        appended: The rows not written by compaction (key columns, ``_seq``, ``_deleted``).
        spec: The table.
    """
    if appended is None or appended.height == 0:
        return stored_clean
    key, group = list(spec.key), list(spec.group)
    newest = newest_per_key(appended.lazy(), spec).collect()
    touched = newest.select(group).unique()
    last = group[-1]
    inside = compacted.filter(one_of(last, touched[last].unique().to_list())).select(
        list(dict.fromkeys([*spec.key_sources, *group]))
    )
    superseded = (
        spec.keyed(inside).join(newest.lazy().select(key), on=key, how="semi", nulls_equal=True).select(pl.len())
    )
    return stored_clean - int(superseded.collect().item()) + newest.filter(~pl.col(DELETED)).height

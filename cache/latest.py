"""Provides latest-wins reading: the live rows of a table whose writes are appends.

Rows written by compaction (``_clean``) hold at most one live row per key and no tombstones, so
a table that was compacted and not written since is read as it is stored, with no join. Rows
appended since (few: a sync batch, a hand label) are resolved with vectorised polars: the newest
row of each key wins, tombstones remove their key, and only the groups (repositories) these rows
touch are joined against the compacted rows.
"""

from __future__ import annotations

import polars as pl

from cache.schema import CLEAN, DELETED, SEQ, TableSpec


def newest_per_key(rows: pl.LazyFrame, spec: TableSpec) -> pl.LazyFrame:
    """Return the newest row of each key in ``rows`` (tombstones included), keyed."""
    key = list(spec.key)
    return spec.keyed(rows).sort(SEQ, maintain_order=True).unique(subset=key, keep="last", maintain_order=True)


def resolve(scan: pl.LazyFrame, appended: pl.DataFrame | None, spec: TableSpec, columns: list[str]) -> pl.LazyFrame:
    """Return the live rows of a table as ``columns``.

    Args:
        scan: The stored rows (all physical columns available).
        appended: The rows not written by compaction (collected; None or empty when there are none).
        spec: The table.
        columns: Columns wanted, in order (data columns and, if asked, ``_seq``).
    """
    if appended is None or appended.height == 0:
        return scan.select(columns)
    key, group = list(spec.key), list(spec.group)
    newest = newest_per_key(appended.lazy(), spec)
    touched = newest.select(group).unique().collect()
    compacted = scan.filter(pl.col(CLEAN))
    untouched = compacted.join(touched.lazy(), on=group, how="anti", nulls_equal=True)
    superseded = newest.select(key)
    if group == key:
        kept = untouched.select(columns)
    else:
        # A filter on the group's last column first (pushed into the scan), then the exact join.
        last = group[-1]
        inside = compacted.filter(pl.col(last).is_in(touched[last].unique().implode())).join(
            touched.lazy(), on=group, how="semi", nulls_equal=True
        )
        kept = pl.concat(
            [
                untouched.select(columns),
                spec.keyed(inside).join(superseded, on=key, how="anti", nulls_equal=True).select(columns),
            ],
            how="vertical",
        )
    live = newest.filter(~pl.col(DELETED))
    return pl.concat([kept, live.select(columns)], how="vertical")


def live_count(scan: pl.LazyFrame, stored_clean: int, appended: pl.DataFrame | None, spec: TableSpec) -> int:
    """Return how many live rows a table holds without reading its compacted rows whole.

    Args:
        scan: The stored rows.
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
    inside = scan.filter(pl.col(CLEAN) & pl.col(last).is_in(touched[last].unique().implode())).select(
        list(dict.fromkeys([*spec.key_sources, *group]))
    )
    superseded = (
        spec.keyed(inside).join(newest.lazy().select(key), on=key, how="semi", nulls_equal=True).select(pl.len())
    )
    return stored_clean - int(superseded.collect().item()) + newest.filter(~pl.col(DELETED)).height

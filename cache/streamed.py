"""Provides StreamedAppends: one transaction from rows that arrive in batches and are never held whole.

An import of millions of commits would otherwise need the whole file in memory, as parsed
rows and again as the writer's copy. Here each batch is keyed, stamped and handed to the writer,
then dropped; only two 64-bit hashes and a position per row stay, to count new keys and to find
keys repeated across batches.

Rows of one write must have unique keys where they are stored as compacted (a new table's
first write, which readers take as is): a key repeated across batches is only known at the end,
so that write is abandoned before its commit and streamed again without the earlier copies.
Elsewhere the later batch wins by its ``_seq``, as a later write would.

The batches are consumed inside deltalake's writer (its async runtime), where reading a table
would deadlock it: which keys were new is worked out after the commit, from the version before.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator

import polars as pl

from cache.access import TableAccess
from cache.delta import CommitConflict, Snapshot, write_rows
from cache.schema import SPECS, TableSpec, conform, one_of

_H1, _H2, _POS, _LAST = "__h1", "__h2", "__pos", "__last"
_HASHES = [_H1, _H2]


class _RepeatedKeys(Exception):  # noqa: N818  (a signal to stream again, never shown)
    """Keys came more than once in a write that must hold unique keys; ``last`` is where each last came."""

    def __init__(self, last: pl.DataFrame) -> None:
        super().__init__("keys repeated across batches")
        self.last = last


def _hashes(spec: TableSpec) -> list[pl.Expr]:
    """Two independent 64-bit hashes of a keyed row's key (a false match needs both to collide)."""
    key = pl.struct(list(spec.key))
    return [key.hash(seed=0).alias(_H1), key.hash(seed=0x5EED).alias(_H2)]


def _hashed(spec: TableSpec, frame: pl.DataFrame, first_position: int) -> pl.DataFrame:
    """``frame`` with its key columns, the key's hashes and each row's position in the write."""
    return (
        spec.keyed(frame.lazy())
        .with_columns(
            *_hashes(spec),
            pl.int_range(first_position, first_position + frame.height, dtype=pl.Int64).alias(_POS),
        )
        .collect()
    )


def _repeated(keys: pl.DataFrame) -> pl.DataFrame:
    """The rows of ``keys`` whose key comes more than once.

    Looked for on one hash first (cheap for millions of rows); only rows sharing it are compared
    on both.
    """
    candidates = keys.filter(pl.col(_H1).is_duplicated())
    return candidates.filter(pl.struct(_HASHES).is_duplicated()) if candidates.height else candidates


def _distinct(keys: pl.DataFrame) -> pl.DataFrame:
    """``keys`` with one row per key."""
    repeated = _repeated(keys)
    if not repeated.height:
        return keys
    return pl.concat([keys.join(repeated, on=_HASHES, how="anti"), repeated.unique(_HASHES)])


class StreamedAppends(TableAccess):
    """Appends whose rows come as batches (``_append_batches``)."""

    def _append_batches(
        self, name: str, batches: Callable[[], Iterable[pl.DataFrame]], operation: str
    ) -> tuple[int, int]:
        """Append the rows ``batches()`` yields to table ``name`` as one transaction.

        Args:
            name: The table.
            batches: Returns the batches (table columns); called again when the write must be
                redone (a repeated key in a new table, a lost race to create it), so it must
                yield the same rows each time. It must not read the cache.
            operation: Recorded in the table's history.

        Returns:
            How many distinct keys were new and how many the table held already; within the
            write, the last row of a key wins.

        Raises:
            CacheError: The table is damaged (nothing is written), or the write failed.
            BaseException: What ``batches`` raised; nothing was committed.
        """
        spec = SPECS[name]
        # The first rows are looked for before anything is written: no rows, no new version.
        source = iter(batches())
        head = next((frame for frame in source if frame.height), None)
        if head is None:
            return 0, 0
        following = next((frame for frame in source if frame.height), None)
        started: list[Iterator[pl.DataFrame]] = [
            itertools.chain([head], [following] if following is not None else [], source)
        ]

        def again() -> Iterable[pl.DataFrame]:
            return started.pop() if started else batches()

        keep: pl.DataFrame | None = None  # for a rewrite: the one position each repeated key keeps
        for _attempt in range(3):
            before = self._snapshot(name)  # refuses a damaged table before anything is written
            first = before.table is None
            # One batch (a small import, or store_commits of a small frame) is counted before the write, on the version
            # already open; the write then commits through it and nothing is opened again.
            early = None if first or following is not None else self._count_new(spec, before, head)
            tally: list[pl.DataFrame] = []  # per batch: the hashes and positions of its keys
            groups: list[pl.DataFrame] = []  # per batch: its distinct groups (repositories)
            self._write_manifest()
            try:
                # A new table's rows are sorted (compacted rows are) when they are one batch. A
                # larger first write stays in file order (sorting it in parts would not sort it)
                # until a compaction after a later write rewrites the table sorted.
                rows = self._stream(spec, again, tally, groups, first=first, keep=keep, sort=following is None)
                if early is not None:
                    write_rows(self.location, spec, rows, operation=operation, snapshot=before)
                    self._committed(name, before)
                else:
                    # By location, not through ``before``: that version is read below for the counts.
                    write_rows(self.location, spec, rows, operation=operation, retry=not first)
                    self._cached().pop(name, None)
            except _RepeatedKeys as repeated:
                self._cached().pop(name, None)
                keep = repeated.last
                continue
            except CommitConflict:
                self._cached().pop(name, None)
                continue  # another process created the table first: now an ordinary append
            except BaseException:
                self._cached().pop(name, None)
                raise
            self.written[name] = self.written.get(name, 0) + sum(part.height for part in tally)
            if early is not None:
                return early
            if first:  # no key came twice (the write would have been redone): every row is new
                return sum(part.height for part in tally), 0
            keys = _distinct(pl.concat(tally))
            held = 0 if first else self._held(spec, before, keys, pl.concat(groups).unique()).height
            return keys.height - held, held
        raise AssertionError("a streamed append was redone more than twice")

    def _count_new(self, spec: TableSpec, before: Snapshot, batch: pl.DataFrame) -> tuple[int, int]:
        """How many distinct keys of ``batch`` version ``before`` lacks and holds."""
        keyed = _hashed(spec, conform(batch, spec.columns), 0)
        keys = _distinct(keyed.select(_H1, _H2, _POS))
        held = self._held(spec, before, keys, keyed.select(list(spec.group)).unique()).height
        return keys.height - held, held

    def _held(self, spec: TableSpec, before: Snapshot, keys: pl.DataFrame, groups: pl.DataFrame) -> pl.DataFrame:
        """The ``keys`` (hashes) of ``groups`` that version ``before`` of the table held."""
        where = pl.all_horizontal(one_of(column, groups[column].unique().to_list()) for column in spec.group)
        stored = (
            spec.keyed(self._live(spec.name, list(spec.key_sources), where, snapshot=before))
            .join(groups.lazy(), on=list(spec.group), how="semi")
            .select(_hashes(spec))
        )
        return keys.join(self.collect(stored), on=_HASHES, how="semi")

    def _stream(
        self,
        spec: TableSpec,
        batches: Callable[[], Iterable[pl.DataFrame]],
        tally: list[pl.DataFrame],
        groups: list[pl.DataFrame],
        *,
        first: bool,
        keep: pl.DataFrame | None,
        sort: bool,
    ) -> Callable[[], Iterator[pl.DataFrame]]:
        """Return the function ``write_rows`` calls for each attempt: stored rows, batch by batch."""

        def rows() -> Iterator[pl.DataFrame]:
            tally.clear()
            groups.clear()
            position = 0
            for frame in batches():
                if frame.height == 0:
                    continue
                keyed = _hashed(spec, conform(frame, spec.columns), position)
                position += frame.height
                if keep is not None:
                    keyed = (
                        keyed.join(keep, on=_HASHES, how="left")
                        .filter(pl.col(_LAST).is_null() | (pl.col(_LAST) == pl.col(_POS)))
                        .drop(_LAST)
                    )
                if keyed.select(pl.struct(_HASHES).is_duplicated().any()).item():
                    keyed = keyed.unique(list(spec.key), keep="last", maintain_order=True)
                tally.append(keyed.select(_H1, _H2, _POS))
                groups.append(keyed.select(list(spec.group)).unique())
                out = keyed.select(list(spec.columns))
                del keyed
                if first and sort and spec.sort_by:
                    out = out.sort(list(spec.sort_by), maintain_order=True)
                yield self._physical_rows(spec, out, clean=first)
            if first and len(tally) > 1:
                repeated = _repeated(pl.concat(tally))
                if repeated.height:
                    raise _RepeatedKeys(repeated.group_by(_HASHES).agg(pl.col(_POS).max().alias(_LAST)))

        return rows

"""Provides TableAccess: the generic reads and writes every named cache operation is built from.

Reads return the live rows (newest per key, tombstones dropped; ``cache.latest``). Writes are
appends of whole rows, one transaction each; an upsert first reads the current rows of the
keys it writes so that a null never erases a stored value. Nothing here knows what a commit or a
label is: ``cache.operations`` names the operations.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Self

import polars as pl

from cache.delta import CommitConflict, Location, Snapshot, open_snapshot, refreshed, write_rows
from cache.errors import TableDamaged, damaged, storage_boundary
from cache.files import log_stamp
from cache.latest import live_count, resolve
from cache.schema import CLEAN, DELETED, SEQ, SPECS, TableSpec, conform, may_repeat
from core.errors import CacheError

if TYPE_CHECKING:
    from core.config import Settings

MANIFEST = "cache.json"
# A table's first rows are sorted (so filters skip row groups) when there are at most this many;
# sorting copies the frame, and a large first import would then need twice its memory.
# `cache compact` sorts any table.
SORT_FIRST_WRITE_MAX = 500_000
DAMAGE_DIR = ".damaged"  # one file per table a read found damaged (local caches)
_LOG_NAME = re.compile(r"^(\d{20})\.json$")


def write_seq() -> int:
    """The ``_seq`` of rows written now: nanoseconds since the epoch (later writes win)."""
    return time.time_ns()


class TableAccess:
    """A cache location and the generic table operations on it."""

    def __init__(
        self,
        root: str | Path,
        *,
        uri: str | None = None,
        storage_options: dict[str, str] | None = None,
        retention_hours: int = 168,
    ) -> None:
        self.root = Path(root)  # the local cache directory (git clones live here even when the tables do not)
        self.location = Location(uri or str(self.root), dict(storage_options or {}))
        self.retention_hours = retention_hours
        self._ready_checked = False
        self.notices: list[str] = []  # what opening the cache did (a migration), for the CLI to print
        self.written: dict[str, int] = {}  # rows this process appended per table, for auto-compaction
        # The last checked snapshot of each local table, reused while no other version exists
        # (opening replays the log: a few ms that every read and write would pay again). Per
        # thread: an append commits through the snapshot's table object, which updates it.
        self._thread = threading.local()

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Return the cache the settings name (``[cache] uri`` or ``dir``, storage options, retention)."""
        cache = settings.cache
        return cls(
            settings.cache_dir,
            uri=cache.uri,
            storage_options=dict(cache.storage_options),
            retention_hours=cache.retention_hours,
        )

    # -- where ---------------------------------------------------------------------------------

    @property
    def local_root(self) -> Path | None:
        """The directory of the tables, or None when they are in an object store."""
        return self.location.local

    @property
    def where(self) -> str:
        """Where the tables are, for messages (a path or a URI; storage options never appear here)."""
        return self.location.uri

    def _spec(self, name: str) -> TableSpec:
        """The spec of table ``name``."""
        return SPECS[name]

    # -- opening -------------------------------------------------------------------------------

    def ensure_ready(self) -> list[str]:
        """Check the cache's format once per process, migrating a cache of the previous release.

        Returns:
            One line per thing done (a migration), also kept in ``notices``.

        Raises:
            CacheError: The cache was written by a newer ptlm-tui, or the migration failed.
        """
        if self._ready_checked:
            return []
        local = self.local_root
        done: list[str] = []
        if local is not None:
            from cache.migrate import check_manifest, migrate_v1, needs_migration

            check_manifest(local)
            if needs_migration(local):
                done = migrate_v1(local)
                self.notices += done
        self._ready_checked = True
        return done

    def _write_manifest(self) -> None:
        local = self.local_root
        if local is None or (local / MANIFEST).exists():
            return
        from cache.migrate import write_manifest

        write_manifest(local)

    def _snapshot(self, name: str, version: int | None = None, *, private: bool = False) -> Snapshot:
        """Open and check the newest (or the given) version of table ``name``.

        ``private`` opens a snapshot of its own (an overwrite commits through it, which updates it).

        Raises:
            TableDamaged: The table is damaged, or a read found damage in it before (until
                ``cache check`` reads it whole or ``cache restore`` replaces the version).
        """
        self.ensure_ready()
        marker = self._damage_marker(name)
        if marker is not None and marker.exists():
            reason = marker.read_text("utf-8", errors="replace").strip() or "damage found by an earlier read"
            raise damaged(name, self.location.table_uri(name), reason)
        local = self.local_root
        shared = version is None and not private and local is not None
        if shared:
            assert local is not None
            current = log_stamp(local / name / "_delta_log")
            cached = self._cached().get(name)
            if cached is not None and cached.stamp == current and current[0] >= 0:
                return cached
        with self._marking_damage():
            snap = open_snapshot(self.location, SPECS[name], version)
        if shared:
            snap.stamp = current
            self._cached()[name] = snap
        return snap

    def _cached(self) -> dict[str, Snapshot]:
        snapshots: dict[str, Snapshot] | None = getattr(self._thread, "snapshots", None)
        if snapshots is None:
            snapshots = self._thread.snapshots = {}
        return snapshots

    def _committed(self, name: str, snap: Snapshot) -> None:
        """Keep the snapshot an append just committed through (its table object moved to the new version)."""
        cache = self._cached()
        cache.pop(name, None)
        local = self.local_root
        if local is None or snap.table is None:
            return
        stamp = log_stamp(local / name / "_delta_log")
        if snap.table.version() == stamp[0]:
            with self._marking_damage():
                fresh = refreshed(snap)
            fresh.stamp = stamp
            cache[name] = fresh

    def _damage_marker(self, name: str) -> Path | None:
        local = self.local_root
        return local / DAMAGE_DIR / name if local is not None else None

    @contextmanager
    def _marking_damage(self) -> Iterator[None]:
        """Remember a table found damaged, so that no later write lands on it before it is checked."""
        try:
            yield
        except TableDamaged as exc:
            marker = self._damage_marker(exc.table)
            if marker is not None and exc.table in SPECS:
                with suppress(OSError):
                    marker.parent.mkdir(parents=True, exist_ok=True)
                    marker.write_text(exc.detail + "\n", encoding="utf-8")
            raise

    def clear_damage_mark(self, name: str) -> None:
        """Forget that a read found table ``name`` damaged (after a check or a restore)."""
        marker = self._damage_marker(name)
        if marker is not None:
            marker.unlink(missing_ok=True)

    # -- reading -------------------------------------------------------------------------------

    def _live(
        self,
        name: str,
        columns: Sequence[str] | None = None,
        where: pl.Expr | None = None,
        *,
        snapshot: Snapshot | None = None,
    ) -> pl.LazyFrame:
        """Return the live rows of table ``name`` (newest per key, no tombstones) as a LazyFrame.

        Args:
            name: The table.
            columns: Columns wanted (default: all data columns); ``_seq`` may be asked for.
            where: A filter on key columns only (applied before resolving, so it prunes files);
                filters on other columns belong after this call.
            snapshot: A version already opened.
        """
        spec = SPECS[name]
        wanted = list(dict.fromkeys(columns)) if columns is not None else list(spec.columns)
        snap = snapshot or self._snapshot(name)
        if snap.table is None:
            return pl.LazyFrame(schema={c: spec.physical[c] for c in wanted})

        def scan(which: str) -> pl.LazyFrame:
            frame = snap.scan(which)
            return frame.filter(where) if where is not None else frame

        if snap.all_clean:
            return scan("all").select(wanted)
        needed = list(dict.fromkeys([*wanted, *spec.key_sources, *spec.group, SEQ, DELETED]))
        with self._marking_damage(), storage_boundary(name, snap.uri):
            appended = scan("appended").select(needed).collect()
            return resolve(scan("clean"), appended, spec, wanted)

    def _count(self, name: str) -> int:
        """Return how many live rows table ``name`` holds (cheap: compacted rows are counted from the log)."""
        spec = SPECS[name]
        snap = self._snapshot(name)
        if snap.table is None or snap.files is None:
            return 0
        clean = int(snap.files.filter(pl.col("clean"))["num_records"].sum())
        if snap.all_clean:
            return clean
        needed = list(dict.fromkeys([*spec.key_sources, *spec.group, SEQ, DELETED]))
        with self._marking_damage(), storage_boundary(name, snap.uri):
            appended = snap.scan("appended").select(needed).collect()
            return live_count(snap.scan("clean"), clean, appended, spec)

    def _read(self, name: str, columns: Sequence[str] | None = None, where: pl.Expr | None = None) -> pl.DataFrame:
        """Return the live rows of a (small) table, collected."""
        snap = self._snapshot(name)
        with self._marking_damage(), storage_boundary(name, snap.uri):
            return self._live(name, columns, where, snapshot=snap).collect()

    def collect(self, frame: pl.LazyFrame) -> pl.DataFrame:
        """Collect a query built on this cache's reads, turning damage found in the data into a CacheError."""
        try:
            return frame.collect()
        except CacheError:
            raise
        except BaseException as exc:
            name = self._table_in(str(exc))
            with self._marking_damage(), storage_boundary(name or "?", self.where):
                raise
            raise  # pragma: no cover - storage_boundary always raises

    def _table_in(self, text: str) -> str | None:
        for name in SPECS:
            if f"/{name}/" in text or f"\\{name}\\" in text:
                return name
        return None

    def _exists(self, name: str) -> bool:
        """True if table ``name`` has been written."""
        return self._snapshot(name).table is not None

    # -- writing -------------------------------------------------------------------------------

    def _physical_rows(
        self, spec: TableSpec, frame: pl.DataFrame, *, deleted: bool = False, clean: bool = False
    ) -> pl.DataFrame:
        """Return ``frame`` as stored rows: the table's columns plus the bookkeeping columns.

        Raises:
            CacheError: A column cannot be cast to the table's type (nothing is written).
        """
        rows = conform(frame, spec.columns)
        return rows.with_columns(
            pl.lit(write_seq(), dtype=pl.Int64).alias(SEQ),
            pl.lit(deleted).alias(DELETED),
            pl.lit(clean).alias(CLEAN),
        )

    def _unique_keys(self, spec: TableSpec, frame: pl.DataFrame) -> pl.DataFrame:
        """Return ``frame`` with one row per key (the last one, as a second write of it would leave)."""
        if frame.height < 2 or not may_repeat(spec, frame):
            return frame
        keyed = spec.keyed(frame.lazy()).collect()
        if not keyed.select(pl.struct(list(spec.key)).is_duplicated().any()).item():
            return frame
        return keyed.unique(subset=list(spec.key), keep="last", maintain_order=True).select(frame.columns)

    def _append(
        self,
        name: str,
        frame: pl.DataFrame,
        operation: str,
        *,
        tombstones: pl.DataFrame | None = None,
        unique: bool = False,
    ) -> int:
        """Append ``frame`` (and tombstones for the keys in ``tombstones``) to table ``name`` in one transaction.

        Returns:
            The number of rows written (tombstones included). ``unique`` says the caller already
            kept one row per key.

        Raises:
            CacheError: The table is damaged (nothing is written), or the write failed.
        """
        spec = SPECS[name]
        snap = self._snapshot(name)  # refuses a damaged table before anything is written
        if frame.height and not unique:
            frame = self._unique_keys(spec, frame)
        rows = self._physical_rows(spec, frame) if frame.height else None
        parts = [p for p in (rows,) if p is not None]
        if tombstones is not None and tombstones.height:
            parts.append(self._physical_rows(spec, tombstones, deleted=True))
        if not parts:
            return 0
        data = pl.concat(parts, how="vertical")
        self._write_manifest()
        if snap.table is None and len(parts) == 1:
            # The table's first rows have unique keys: stored as compacted (sorted, no resolving
            # needed). If another process created the table meanwhile, the commit conflicts
            # and the rows go in as an ordinary append.
            first = data.with_columns(pl.lit(True).alias(CLEAN))
            if spec.sort_by and first.height <= SORT_FIRST_WRITE_MAX:
                first = first.sort(list(spec.sort_by), maintain_order=True)
            try:
                write_rows(self.location, spec, first, operation=operation, retry=False)
            except CommitConflict:
                write_rows(self.location, spec, data, operation=operation)
            self._cached().pop(name, None)
        else:
            write_rows(self.location, spec, data, operation=operation, snapshot=snap)
            self._committed(name, snap)
        self.written[name] = self.written.get(name, 0) + data.height
        return data.height

    def _upsert(self, name: str, frame: pl.DataFrame, operation: str, *, fill_only: bool = False) -> int:
        """Append ``frame`` merged with the stored rows of its keys: a null never erases a value.

        Args:
            name: The table (its ``sticky`` columns keep their value when the new one is null).
            frame: New rows.
            operation: Recorded in the table's history.
            fill_only: The new rows only fill gaps (values derived from commits know less than
                discovery did): stored non-null values win.
        """
        spec = SPECS[name]
        if frame.height == 0:
            return 0
        incoming = self._unique_keys(spec, conform(frame, spec.columns))
        key = list(spec.key)
        # Only rows with a gap (or, filling, every row) need what is stored: a sync batch of
        # successes reads nothing.
        if fill_only or not spec.sticky:
            gaps = incoming
        else:
            gaps = incoming.filter(pl.any_horizontal([pl.col(c).is_null() for c in spec.sticky]))
        stored = (
            self.collect(self._live(name).join(gaps.lazy().select(key), on=key, how="semi", nulls_equal=True))
            if gaps.height
            else incoming.clear()
        )
        if stored.height:
            joined = incoming.join(stored, on=key, how="left", suffix="__old", nulls_equal=True)

            def pick(column: str) -> pl.Expr:
                if column not in spec.sticky:
                    return pl.col(column)
                first, second = (f"{column}__old", column) if fill_only else (column, f"{column}__old")
                return pl.coalesce(pl.col(first), pl.col(second)).alias(column)

            incoming = joined.select([pick(c) for c in spec.columns])
            # Rows that would store exactly what is stored already are not written again.
            incoming = incoming.join(stored.select(incoming.columns), on=incoming.columns, how="anti", nulls_equal=True)
        return self._append(name, incoming, operation, unique=True)

    def _overwrite(self, name: str, frame: pl.DataFrame, operation: str) -> int:
        """Replace every row of table ``name`` with ``frame`` in one transaction (compacted rows)."""
        spec = SPECS[name]
        snap = self._snapshot(name, private=True)
        data = self._physical_rows(spec, frame, clean=True)
        self._write_manifest()
        write_rows(self.location, spec, data, operation=operation, mode="overwrite", snapshot=snap)
        return data.height

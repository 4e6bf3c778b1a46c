"""Provides the cache's upkeep: check every table, list and restore versions, compact and vacuum.

Compaction rewrites a table as its live rows (newest per key, no tombstones, sorted so filters
skip row groups) in one overwrite transaction, then checkpoints the log and vacuums files no
version within the retention needs. It reads the whole table first, so damage stops it before
anything is written. Appends committed while it runs are kept (they are not in its snapshot);
a second compaction at the same time fails its commit instead of duplicating rows.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from cache.access import TableAccess
from cache.delta import LEFTOVER_AGE_SECONDS, CommitConflict, open_snapshot, write_rows
from cache.errors import damaged, short, storage_boundary, write_failed
from cache.schema import CLEAN, DELETED, SEQ, SPECS
from core.errors import CacheError

if TYPE_CHECKING:
    from deltalake import DeltaTable

# Auto-compaction after a sync, an import or a classify: when a table has this many data files,
# or the rows appended since its last compaction are many and a good share of it.
AUTO_FILES = 32
AUTO_SHARE = 0.25
AUTO_ROWS = 50_000
# Files younger than this are never vacuumed: another process may be about to commit them.
ORPHAN_MIN_HOURS = 1
_TEMP_PREFIXES = (".migrate-", ".demo-build-")


@dataclass(frozen=True)
class TableCheck:
    """The state of one table, as ``cache check`` reports it."""

    table: str
    ok: bool
    version: int  # -1: never written
    files: int
    stored_rows: int  # rows on disk, superseded rows and tombstones included
    live_rows: int
    problem: str = ""


@dataclass(frozen=True)
class Compacted:
    """What compacting one table did."""

    table: str
    files_before: int
    files_after: int
    rows_before: int
    rows_after: int
    removed_files: int  # files vacuumed
    seconds: float


class Maintenance(TableAccess):
    """check, history, restore, compact."""

    def _table(self, name: str, version: int | None = None) -> DeltaTable | None:
        """Open table ``name`` without checking its data files (history and restore must work on damage)."""
        from deltalake import DeltaTable

        self.ensure_ready()
        uri = self.location.table_uri(name)
        local = self.local_root
        if local is not None and not (local / name / "_delta_log").is_dir():
            return None
        if local is None and not DeltaTable.is_deltatable(uri, storage_options=self.location.options()):
            return None
        with storage_boundary(name, uri):
            try:
                return DeltaTable(uri, version=version, storage_options=self.location.options())
            except Exception as exc:
                raise damaged(name, uri, f"transaction log unreadable: {exc}") from exc

    def table_names(self) -> list[str]:
        """The cache's tables, as ``cache history``, ``restore`` and ``compact`` name them."""
        return list(SPECS)

    # -- check ---------------------------------------------------------------------------------

    def check(self) -> list[TableCheck]:
        """Read every table whole and report each: version, files, rows, or what is wrong."""
        self.ensure_ready()
        out = []
        for name, spec in SPECS.items():
            version = files = stored = live = -1
            try:
                snap = open_snapshot(self.location, spec)
                version, files, stored = snap.version, snap.files.height if snap.files is not None else 0, snap.rows
                with storage_boundary(name, snap.uri):
                    snap.scan().select(list(spec.physical)).collect()  # every page of every file
                    live = self._live(name, [next(iter(spec.columns))], snapshot=snap).select(pl.len()).collect().item()
                out.append(TableCheck(name, True, version, files, stored, int(live)))
                self.clear_damage_mark(name)
            except CacheError as exc:
                out.append(TableCheck(name, False, version, max(files, 0), max(stored, 0), 0, exc.one_line()))
        return out

    def leftovers(self) -> list[Path]:
        """Return temporary files and directories killed runs left in the cache directory."""
        local = self.local_root
        if local is None or not local.is_dir():
            return []
        return sorted(
            p
            for p in local.iterdir()
            if p.name.startswith(_TEMP_PREFIXES) or (p.name.startswith(".") and ".tmp-" in p.name)
        )

    def clean_leftovers(self, min_age_seconds: float = LEFTOVER_AGE_SECONDS) -> list[Path]:
        """Remove leftovers older than ``min_age_seconds`` (younger ones may belong to a running process)."""
        removed = []
        now = time.time()
        for path in self.leftovers():
            try:
                if now - path.stat().st_mtime < min_age_seconds:
                    continue
                if path.is_dir():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
            except OSError:
                continue
        return removed

    # -- history and restore -------------------------------------------------------------------

    def history(self, name: str | None = None, limit: int | None = None) -> pl.DataFrame:
        """Return the versions of one table (or every table): table, version, time, operation, rows.

        ``rows`` is the number of rows the version wrote (null when the log does not say).
        """
        if name is not None and name not in SPECS:
            raise CacheError("Unknown cache table", name, "tables: " + ", ".join(SPECS))
        rows: list[dict[str, Any]] = []
        for table_name in [name] if name else list(SPECS):
            table = self._table(table_name)
            if table is None:
                continue
            with storage_boundary(table_name, self.location.table_uri(table_name)):
                entries = table.history(limit)
            for entry in entries:
                metrics = entry.get("operationMetrics") or {}
                added = metrics.get("num_added_rows", metrics.get("num_output_rows"))
                stamp = entry.get("timestamp")
                operation = entry.get("ptlm.operation") or str(entry.get("operation", "")).lower()
                rows.append(
                    {
                        "table": table_name,
                        "version": int(entry.get("version", -1)),
                        "time": dt.datetime.fromtimestamp(stamp / 1000, dt.UTC) if stamp else None,
                        "operation": operation,
                        "rows": int(added) if isinstance(added, int | float | str) and str(added).isdigit() else None,
                    }
                )
        schema: dict[str, pl.DataType | type[pl.DataType]] = {
            "table": pl.String,
            "version": pl.Int64,
            "time": pl.Datetime("us", "UTC"),
            "operation": pl.String,
            "rows": pl.Int64,
        }
        return pl.DataFrame(rows, schema=schema).sort(["time", "table", "version"], descending=[True, False, True])

    def restore(self, name: str, version: int) -> int:
        """Make ``version`` of table ``name`` current again (a new version; nothing is deleted).

        Returns:
            The new version.

        Raises:
            CacheError: No such table or version, or its files were vacuumed.
        """
        if name not in SPECS:
            raise CacheError("Unknown cache table", name, "tables: " + ", ".join(SPECS))
        table = self._table(name)
        if table is None:
            raise CacheError(f"Cache table '{name}' has never been written", self.where, "nothing to restore")
        uri = self.location.table_uri(name)
        if version < 0 or version > table.version():
            raise CacheError(
                f"Cache table '{name}' has no version {version}",
                f"versions 0–{table.version()}",
                f"`ptlm-tui cache history {name}` lists them",
            )
        if version == table.version():
            return version
        open_snapshot(self.location, SPECS[name], version)  # the old version must itself be sound
        try:
            table.restore(version)
            self.clear_damage_mark(name)
        except Exception as exc:
            hint = "its files were vacuumed (older than the retention)" if "not found" in str(exc).lower() else ""
            raise CacheError(
                f"Cannot restore cache table '{name}' to version {version}", f"{uri}: {short(exc)}", hint
            ) from exc
        return table.version()

    def restore_at(self, when: dt.datetime) -> dict[str, int | None]:
        """Restore every table as it was at ``when``; a table written only later is emptied.

        Returns:
            Table → the version made current (None: emptied, or never written).
        """
        done: dict[str, int | None] = {}
        stamp = when.timestamp() * 1000
        for name in SPECS:
            table = self._table(name)
            if table is None:
                done[name] = None
                continue
            versions = [e for e in table.history() if (e.get("timestamp") or 0) <= stamp]
            if versions:
                target = max(int(e["version"]) for e in versions)
                self.restore(name, target)
                done[name] = target
            else:
                spec = SPECS[name]
                snap = self._snapshot(name, private=True)
                write_rows(
                    self.location,
                    spec,
                    pl.DataFrame(schema=spec.physical),
                    operation=f"restore to {when.isoformat(timespec='seconds')}",
                    mode="overwrite",
                    snapshot=snap,
                )
                done[name] = None
        return done

    # -- compaction ----------------------------------------------------------------------------

    def compact(self, names: list[str] | None = None, *, retention_hours: int | None = None) -> list[Compacted]:
        """Compact, checkpoint and vacuum the tables (all when ``names`` is None).

        Args:
            names: Tables to compact.
            retention_hours: Keep the versions of this many past hours restorable
                (default: the cache's ``retention_hours`` setting).

        Raises:
            CacheError: A table is damaged (it is left as it is) or the disk is full.
        """
        retention = max(ORPHAN_MIN_HOURS, self.retention_hours if retention_hours is None else retention_hours)
        out = []
        for name in names or list(SPECS):
            result = self._compact_one(name, retention)
            if result is not None:
                out.append(result)
        self.clean_leftovers()
        return out

    def _compact_one(self, name: str, retention: int, *, rewrite_only_if_needed: bool = False) -> Compacted | None:
        spec = SPECS[name]
        started = time.perf_counter()
        snap = self._snapshot(name, private=True)  # the overwrite below commits through it
        if snap.table is None:
            return None
        files_before, rows_before = snap.files.height if snap.files is not None else 0, snap.rows
        needs_rewrite = not snap.all_clean or files_before > 1
        if needs_rewrite or not rewrite_only_if_needed:
            with self._marking_damage(), storage_boundary(name, snap.uri):
                live = self._live(name, [*spec.columns, SEQ], snapshot=snap).collect()
                if not needs_rewrite:
                    snap.scan().select(list(spec.physical)).collect()  # refuse damage before vacuuming
        if needs_rewrite:
            if spec.sort_by:
                live = live.sort(list(spec.sort_by), maintain_order=True)
            rows = live.with_columns(pl.lit(False).alias(DELETED), pl.lit(True).alias(CLEAN)).select(
                list(spec.physical)
            )
            try:
                write_rows(self.location, spec, rows, operation="compact", mode="overwrite", snapshot=snap)
            except CommitConflict:
                return None  # another writer committed meanwhile: its rows stay, the next compaction folds them
        removed = self._checkpoint_and_vacuum(name, retention)
        after = self._snapshot(name)
        return Compacted(
            name,
            files_before,
            after.files.height if after.files is not None else 0,
            rows_before,
            after.rows,
            removed,
            time.perf_counter() - started,
        )

    def _checkpoint_and_vacuum(self, name: str, retention: int) -> int:
        from deltalake.exceptions import CommitFailedError

        table = self._table(name)
        if table is None:
            return 0
        uri = self.location.table_uri(name)
        horizon = (time.time() - retention * 3600) * 1000
        with storage_boundary(name, uri):
            try:
                table.create_checkpoint()
                table.cleanup_metadata()
                entries = [e for e in table.history() if int(e.get("version", -1)) >= 0]
                keep = {int(e["version"]) for e in entries if (e.get("timestamp") or 0) >= horizon}
                older = [int(e["version"]) for e in entries if (e.get("timestamp") or 0) < horizon]
                if older:
                    keep.add(max(older))  # the state at the start of the window stays restorable
                keep.add(table.version())
                removed = table.vacuum(
                    retention_hours=ORPHAN_MIN_HOURS,
                    dry_run=False,
                    enforce_retention_duration=False,
                    full=True,
                    keep_versions=sorted(keep),
                )
            except CommitFailedError:
                return 0  # another process wrote meanwhile: the next compaction vacuums
            except OSError as exc:
                raise write_failed(name, uri, exc) from exc
        return len(removed)

    def compact_if_worthwhile(self, names: list[str] | None = None) -> list[Compacted]:
        """Compact the tables this process wrote to that have many files or many appended rows.

        Called after a sync, an import or a classify; a table another process is compacting
        at the same time is left to it.
        """
        out = []
        for name in names or sorted(self.written):
            snap = self._snapshot(name)
            if snap.table is None or snap.files is None:
                continue
            appended = int(snap.files.filter(~pl.col("clean"))["num_records"].sum())
            many = appended >= AUTO_ROWS and appended >= AUTO_SHARE * snap.rows
            if snap.files.height < AUTO_FILES and not many:
                continue
            try:
                result = self._compact_one(
                    name, max(ORPHAN_MIN_HOURS, self.retention_hours), rewrite_only_if_needed=True
                )
            except CacheError as exc:
                if "changed while it was being written" in exc.title:
                    continue  # another process compacted it meanwhile
                raise
            if result is not None:
                out.append(result)
        return out

    # -- outputs -------------------------------------------------------------------------------

    def refuse_inside(self, path: Path | str, what: str = "output") -> None:
        """Raise if ``path`` is inside the cache directory (an output file must never replace cache data).

        Raises:
            CacheError: ``path`` resolves to a place inside the cache.
        """
        local = self.local_root
        if local is None:
            return
        target = Path(os.path.abspath(Path(path).expanduser()))
        root = Path(os.path.abspath(local))
        try:
            real_target, real_root = target.resolve(), root.resolve()
        except OSError:
            real_target, real_root = target, root
        for t, r in ((target, root), (real_target, real_root)):
            if t == r or r in t.parents:
                raise CacheError(
                    f"Refusing to write the {what} into the cache directory",
                    str(path),
                    "choose a file outside the cache (`ptlm-tui locate cache` shows where it is)",
                )

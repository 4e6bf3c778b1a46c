"""Provides CacheStore: Parquet tables in the cache directory, versioned and written atomically.

A reader or a crash never sees half a table: each write goes to a temporary file in the same
directory, is fsynced, then renamed over the old one. A table that cannot be read is reported
by name with what to do, never replaced or dropped, because it may hold the only copy of
fetched history.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from cache.schema import CACHE_VERSION, TABLES, empty
from core.errors import CacheError
from core.files import atomic_write

MANIFEST = "cache.json"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (``core.files.atomic_write``)."""
    atomic_write(path, data)


class CacheStore:
    """The cache directory: one Parquet file per table plus a manifest with the schema version."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # -- manifest ---------------------------------------------------------------------------

    @property
    def manifest_path(self) -> Path:
        """Path of the manifest holding the schema version and per-table write times."""
        return self.root / MANIFEST

    def manifest(self) -> dict[str, Any]:
        """Return the manifest, checking the schema version.

        Raises:
            CacheError: The manifest is unreadable or was written by an incompatible version.
        """
        try:
            data = json.loads(self.manifest_path.read_text("utf-8"))
        except FileNotFoundError:
            return {"schema_version": CACHE_VERSION, "tables": {}}
        except (OSError, ValueError) as exc:
            raise CacheError(
                "Cache manifest is unreadable",
                f"{self.manifest_path}: {exc}",
                "move the file away; ptlm-tui recreates it and keeps the tables",
            ) from exc
        if not isinstance(data, dict):
            raise CacheError("Cache manifest is unreadable", f"{self.manifest_path}: not a JSON object", "move it away")
        version = data.get("schema_version")
        if version != CACHE_VERSION:
            newer = isinstance(version, int) and version > CACHE_VERSION
            raise CacheError(
                "Cache schema version mismatch",
                f"{self.root} has version {version!r}, this ptlm-tui reads {CACHE_VERSION}",
                "upgrade ptlm-tui" if newer else "use --cache-dir for a new cache, or re-import and re-sync",
            )
        return data

    def _touch_manifest(self, table: str, rows: int) -> None:
        data = self.manifest()
        data["schema_version"] = CACHE_VERSION
        data.setdefault("tables", {})[table] = {
            "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "rows": rows,
        }
        atomic_write_bytes(self.manifest_path, json.dumps(data, indent=2, sort_keys=True).encode())

    def written_at(self, table: str) -> dt.datetime | None:
        """Return when ``table`` was last written, or None if never."""
        entry = self.manifest().get("tables", {}).get(table)
        return dt.datetime.fromisoformat(entry["written_at"]) if entry else None

    # -- tables -----------------------------------------------------------------------------

    def path(self, table: str) -> Path:
        """Return the Parquet file of ``table``."""
        if table not in TABLES:
            raise KeyError(f"unknown cache table {table!r}")
        return self.root / f"{table}.parquet"

    def exists(self, table: str) -> bool:
        """True if ``table`` has been written."""
        return self.path(table).exists()

    def is_empty(self) -> bool:
        """True if the cache holds no commits and no published results."""
        return not (self.exists("commits") or self.exists("published") or self.exists("families"))

    def read(self, table: str, columns: list[str] | None = None) -> pl.DataFrame:
        """Return ``table`` (empty with its schema if never written).

        Raises:
            CacheError: The file is corrupt or its columns do not match the schema.
        """
        return self.scan(table, columns).collect()

    def scan(self, table: str, columns: list[str] | None = None) -> pl.LazyFrame:
        """Return ``table`` as a LazyFrame with the expected schema.

        Filters and projections are pushed into the Parquet scan. The file's schema is checked
        up front so that corruption is reported here, by name, not deep inside a query.
        """
        self.manifest()
        path = self.path(table)
        expected = TABLES[table]
        if not path.exists():
            frame = empty(table).lazy()
            return frame.select(columns) if columns else frame
        try:
            found = pl.read_parquet_schema(path)
        except Exception as exc:  # polars raises several error types for damaged files
            raise self._corrupt(table, path, exc) from exc
        missing = [name for name in expected if name not in found]
        wrong = [
            f"{name} is {found[name]}, expected {dtype}"
            for name, dtype in expected.items()
            if name in found and found[name] != dtype
        ]
        if wrong:
            raise self._corrupt(table, path, "; ".join(wrong))
        frame = pl.scan_parquet(path)
        # Columns added to the schema after the file was written read as nulls.
        if missing:
            frame = frame.with_columns(pl.lit(None, dtype=expected[name]).alias(name) for name in missing)
        frame = frame.select(list(expected))
        return frame.select(columns) if columns else frame

    def collect(self, frame: pl.LazyFrame, table: str) -> pl.DataFrame:
        """Collect a LazyFrame built on ``scan(table)``, reporting damage in the data pages by name."""
        try:
            return frame.collect()
        except (pl.exceptions.ComputeError, OSError) as exc:
            raise self._corrupt(table, self.path(table), exc) from exc

    def _corrupt(self, table: str, path: Path, reason: object) -> CacheError:
        text = " ".join(str(reason).split())[:200]
        hint = {
            "commits": "restore it from a backup, or move it away and re-run `ptlm-tui sync` / `ptlm-tui import`",
            "labels": "move it away and re-run `ptlm-tui classify` (manual labels in it would be lost)",
        }.get(table, "move it away and re-run the command that builds it")
        return CacheError(f"Cache table '{table}' is unreadable", f"{path}: {text}", hint)

    def write(self, table: str, frame: pl.DataFrame) -> None:
        """Replace ``table`` with ``frame`` atomically, after checking its schema.

        Raises:
            CacheError: The frame does not match the table schema, or the disk write failed.
        """
        expected = TABLES[table]
        if list(frame.columns) != list(expected):
            frame = frame.select([c for c in expected if c in frame.columns])
        try:
            frame = frame.cast(expected, strict=True)  # type: ignore[arg-type]
        except Exception as exc:
            raise CacheError(f"Refusing to write cache table '{table}'", f"schema mismatch: {exc}") from exc
        missing = [c for c in expected if c not in frame.columns]
        if missing:
            raise CacheError(f"Refusing to write cache table '{table}'", f"missing columns {missing}")
        self.root.mkdir(parents=True, exist_ok=True)
        path = self.path(table)
        try:
            atomic_write(path, lambda tmp: frame.write_parquet(tmp, compression="zstd", statistics=True))
        except OSError as exc:
            raise CacheError(
                f"Cannot write cache table '{table}'", f"{path}: {exc.strerror or exc}", "check free disk space"
            ) from exc
        self._touch_manifest(table, frame.height)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the cache's writer lock, so read-modify-write updates from two processes serialise."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

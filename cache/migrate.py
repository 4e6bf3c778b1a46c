"""Provides the one-time migration of a cache written by the Parquet release (cache version 1).

That release kept one Parquet file per table and a ``cache.json`` manifest. Opening such a
cache converts it once, under a lock, losing nothing: each file becomes a Delta table (hand
labels move to their own table), built beside the cache and moved in only when every table is
complete; the old files are kept in ``v1-backup/`` to delete at leisure. A run killed half-way
starts again (or finishes the moves) the next time.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from pathlib import Path

import polars as pl

from cache.delta import Location, write_rows
from cache.errors import damaged
from cache.files import atomic_write_bytes, remove_local_tree
from cache.lock import held_lock
from cache.schema import CACHE_VERSION, CLEAN, DELETED, SEQ, SPECS, conform
from core.errors import CacheError
from core.files import fsync_dir

log = logging.getLogger("ptlm.cache")

MANIFEST = "cache.json"
BACKUP = "v1-backup"
WORK = ".migrate-v2"
DONE = "COMPLETE"
# Tables of the Parquet release, in the order they are converted.
V1_TABLES = (
    "commits",
    "families",
    "variants",
    "labels",
    "sync_state",
    "published",
    "published_transitions",
    "published_variants",
    "model_cards",
)


def write_manifest(root: Path) -> None:
    """Write ``cache.json`` naming this cache version (atomically)."""
    root.mkdir(parents=True, exist_ok=True)
    data = {"schema_version": CACHE_VERSION, "format": "delta", "tables": sorted(SPECS)}
    atomic_write_bytes(root / MANIFEST, (json.dumps(data, indent=2) + "\n").encode())


def _manifest_version(root: Path) -> int | None:
    try:
        data = json.loads((root / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    version = data.get("schema_version") if isinstance(data, dict) else None
    return version if isinstance(version, int) else None


def check_manifest(local: Path) -> None:
    """Refuse a cache written by a newer ptlm-tui, or whose manifest is unreadable.

    Raises:
        CacheError: What is wrong and what to do.
    """
    path = local / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        raise CacheError(
            "Cache manifest is unreadable", f"{path}: {exc}", "move the file away; ptlm-tui recreates it"
        ) from exc
    version = data.get("schema_version") if isinstance(data, dict) else None
    if isinstance(version, int) and version > CACHE_VERSION:
        raise CacheError(
            "Cache schema version mismatch",
            f"{local} has version {version}, this ptlm-tui reads up to {CACHE_VERSION}",
            "upgrade ptlm-tui",
        )
    if version not in (1, CACHE_VERSION):
        raise CacheError(
            "Cache schema version mismatch",
            f"{local} has version {version!r}, this ptlm-tui reads {CACHE_VERSION}",
            "use --cache-dir for a new cache",
        )


def needs_migration(root: Path) -> bool:
    """True when ``root`` holds a cache of version 1 (or a migration that did not finish)."""
    if (root / WORK).exists():
        return True
    if _manifest_version(root) == CACHE_VERSION:
        return False
    return _manifest_version(root) == 1 or any((root / f"{name}.parquet").is_file() for name in V1_TABLES)


def _read_v1(root: Path, name: str) -> pl.DataFrame | None:
    """Read one Parquet table of the old release (columns it lacked become nulls)."""
    path = root / f"{name}.parquet"
    if not path.is_file():
        return None
    schema = SPECS[name].columns
    try:
        frame = pl.read_parquet(path)
    except BaseException as exc:  # a damaged old file: reported, never converted
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise damaged(name, str(path), exc) from exc
    wrong = [c for c, d in schema.items() if c in frame.columns and frame.schema[c] != d]
    if wrong:
        raise damaged(name, str(path), f"columns of another type: {', '.join(wrong)}")
    return conform(frame, schema)


def _build(root: Path, work: Path) -> dict[str, int]:
    """Write every table of the old cache as a Delta table under ``work``; return rows per table."""
    counts: dict[str, int] = {}
    location = Location(str(work))
    seq = dt.datetime.now(dt.UTC).timestamp()
    frames: dict[str, pl.DataFrame] = {}
    for name in V1_TABLES:
        frame = _read_v1(root, name)
        if frame is not None:
            frames[name] = frame
    if "labels" in frames:
        labels = frames.pop("labels")
        frames["labels"] = labels.filter(pl.col("source").ne_missing("manual"))
        frames["manual_labels"] = labels.filter(pl.col("source") == "manual")
    for name, frame in frames.items():
        spec = SPECS[name]
        if not spec.snapshot:
            keyed = spec.keyed(frame.lazy()).collect()
            frame = keyed.unique(subset=list(spec.key), keep="last", maintain_order=True).select(list(spec.columns))
        if spec.sort_by:
            frame = frame.sort(list(spec.sort_by), maintain_order=True)
        rows = frame.with_columns(
            pl.lit(int(seq * 1e9), dtype=pl.Int64).alias(SEQ), pl.lit(False).alias(DELETED), pl.lit(True).alias(CLEAN)
        )
        write_rows(location, spec, rows, operation="migrate from cache version 1")
        counts[name] = frame.height
    return counts


def migrate_v1(root: Path) -> list[str]:
    """Convert the version-1 cache at ``root`` to Delta tables; return what was done, one line each.

    Raises:
        CacheError: An old table is unreadable (nothing is changed), or another process holds
            the migration lock for too long.
    """
    with held_lock(root / ".migrate.lock", f"migrating the cache at {root}", wait=600):
        if not needs_migration(root):
            return []  # another process migrated it while this one waited
        work = root / WORK
        if not (work / DONE).exists():
            remove_local_tree(work)
            counts = _build(root, work)
            (work / DONE).write_text(json.dumps(counts), encoding="utf-8")
            fsync_dir(work)
        counts = json.loads((work / DONE).read_text("utf-8"))
        backup = root / BACKUP
        backup.mkdir(exist_ok=True)
        for entry in sorted(work.iterdir()):
            if entry.is_dir() and entry.name in SPECS and not (root / entry.name).exists():
                os.replace(entry, root / entry.name)
        for name in V1_TABLES:
            old = root / f"{name}.parquet"
            if old.exists():
                os.replace(old, backup / old.name)
        if (root / MANIFEST).exists() and _manifest_version(root) == 1:
            os.replace(root / MANIFEST, backup / MANIFEST)
        (root / ".lock").unlink(missing_ok=True)  # the old release's global writer lock: no longer used
        write_manifest(root)
        remove_local_tree(work)
        fsync_dir(root)
    line = (
        f"migrated the cache at {root} to Delta Lake tables (cache version {CACHE_VERSION}): "
        + ", ".join(f"{name} {n}" for name, n in counts.items())
        + f"; the old files are kept in {backup} (delete it once you are happy)"
    )
    log.info(line)
    with open(backup / "MIGRATION.txt", "a", encoding="utf-8") as handle:
        handle.write(f"{dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} {line}\n")
    return [line]

"""Provides the Delta Lake file access of the cache: opening and checking a table, appending, overwriting.

This is the only module that calls deltalake to write. It refuses damage before anything is
written: a table whose log declares other columns, whose data files are missing, truncated or
not Parquet, or whose directory is not a Delta table raises a one-line ``CacheError`` naming
the table and the fix. deltalake and polars are imported when a table is first opened, so
``import cache`` stays cheap for commands that never read it.
"""

from __future__ import annotations

import random
import re
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from cache.arrow_stream import ArrowStream, StreamStopped, in_batches
from cache.errors import (
    damaged,
    is_panic,
    short,
    storage_boundary,
    write_failed,
)
from cache.schema import CACHE_VERSION, CLEAN, TableSpec
from core.errors import CacheError

if TYPE_CHECKING:
    import polars as pl
    from deltalake import DeltaTable

T = TypeVar("T")

LOG_DIR = "_delta_log"
CHECK_HINT = (
    "run `ptlm-tui cache check`, then `ptlm-tui cache restore {table} VERSION` (see `ptlm-tui cache history {table}`)"
)
COMMIT_ATTEMPTS = 12  # optimistic-concurrency retries of one write before giving up


@dataclass(frozen=True)
class Location:
    """Where the cache's tables live: a local directory or any URI deltalake supports."""

    uri: str
    storage_options: dict[str, str] = field(default_factory=dict)

    @property
    def local(self) -> Path | None:
        """The local directory, or None for an object store (``s3://``, ``gs://``, ``az://`` ...)."""
        if "://" not in self.uri:
            return Path(self.uri)
        if self.uri.startswith("file://"):
            return Path(self.uri.removeprefix("file://"))
        return None

    def table_uri(self, name: str) -> str:
        """The URI of table ``name``."""
        local = self.local
        return str(local / name) if local is not None else f"{self.uri.rstrip('/')}/{name}"

    def options(self) -> dict[str, str] | None:
        """Storage options for deltalake (None when there are none)."""
        return dict(self.storage_options) or None


# -- opening ------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """One version of one table, opened and checked; ``table`` is None while the table does not exist."""

    spec: TableSpec
    uri: str
    table: DeltaTable | None
    files: pl.DataFrame | None  # path, size_bytes, num_records, clean (all rows compacted)
    storage_options: dict[str, str] | None = None
    stamp: tuple[int, ...] = (-1,)  # the log's newest entry when a store cached this snapshot
    opened_version: int = -1  # the version this snapshot shows (-1: no table)

    def __post_init__(self) -> None:
        if self.table is not None:
            self.opened_version = self.table.version()

    @property
    def version(self) -> int:
        """The table version (-1 before the first write)."""
        return self.opened_version

    @property
    def rows(self) -> int:
        """Stored rows (tombstones and superseded rows included)."""
        return int(self.files["num_records"].sum()) if self.files is not None and self.files.height else 0

    @property
    def all_clean(self) -> bool:
        """True when every stored row was written by compaction (at most one live row per key)."""
        return self.files is None or self.files.height == 0 or bool(self.files["clean"].all())

    def scan(self, which: str = "all") -> pl.LazyFrame:
        """A lazy scan of this version's data files (physical columns).

        Args:
            which: ``all``, ``clean`` (the files compaction wrote) or ``appended`` (the others).

        The files are read as the Parquet files the log lists (this cache uses no deletion
        vectors, column mapping or partitions): a scan of only the appended files never opens the
        compacted ones, and no Delta dataset is built per query.
        """
        import polars as pl

        files = self.files
        if self.table is None or files is None:
            return pl.LazyFrame(schema=self.spec.physical)
        if which != "all":
            files = files.filter(pl.col("clean") if which == "clean" else ~pl.col("clean"))
        if files.height == 0:
            return pl.LazyFrame(schema=self.spec.physical)
        base = self.uri.rstrip("/")
        paths = [f"{base}/{path}" for path in files["path"].to_list()]
        return pl.scan_parquet(
            paths,
            schema=self.spec.physical,
            glob=False,
            hive_partitioning=False,
            storage_options=self.storage_options,
            credential_provider=None,
        )


def refreshed(snap: Snapshot) -> Snapshot:
    """Return a snapshot of the version ``snap``'s table object shows now (after a commit through it)."""
    assert snap.table is not None
    files = _files(snap.table, snap.spec, snap.uri)
    if "://" not in snap.uri:
        _verify_files(snap.spec, Path(snap.uri), files)
    return Snapshot(snap.spec, snap.uri, snap.table, files, snap.storage_options)


_COMMIT_FILE = re.compile(r"\d{20}\.[^#]*(?<!\.tmp)")  # a commit, checkpoint or checksum; not a staging file


def _leftover_only(path: Path) -> bool:
    """True when ``path`` holds nothing but what a killed first write leaves (data files, no commit).

    A data file may still have its staging name (``part-….parquet#1``: the object store writes
    to it, then renames), and the log may hold temporary files but no commit.
    """
    log = path / LOG_DIR
    if log.is_dir() and any(_COMMIT_FILE.fullmatch(p.name) for p in log.iterdir()):
        return False
    return all(
        p.name == LOG_DIR or (p.is_file() and p.name.startswith("part-") and ".parquet" in p.name)
        for p in path.iterdir()
    )


LEFTOVER_AGE_SECONDS = 3600.0


def clear_leftovers(location: Location, spec: TableSpec, min_age_seconds: float = LEFTOVER_AGE_SECONDS) -> None:
    """Remove what a killed first write of ``spec`` left behind (data files never committed).

    Only when nothing in it is younger than ``min_age_seconds``: uncommitted files that young may
    be another process's first write in flight. Younger leftovers stay; they are harmless
    (no commit names them) and compaction vacuums them later.
    """
    local = location.local
    path = local / spec.name if local is not None else None
    if path is None or not path.is_dir() or not _leftover_only(path):
        return
    try:
        newest = max((p.stat().st_mtime for p in path.rglob("*")), default=path.stat().st_mtime)
    except OSError:  # another writer is changing the directory right now
        return
    if time.time() - newest >= min_age_seconds:
        shutil.rmtree(path, ignore_errors=True)


def open_snapshot(location: Location, spec: TableSpec, version: int | None = None) -> Snapshot:
    """Open the newest (or the given) version of a table and check it against ``spec``.

    Raises:
        CacheError: The table is damaged or foreign (see the module docstring).
    """
    from deltalake import DeltaTable

    uri = location.table_uri(spec.name)
    local = location.local
    if local is not None:
        path = local / spec.name
        if not path.exists():
            return Snapshot(spec, uri, None, None)
        if not path.is_dir():
            raise damaged(spec.name, uri, "a file where the table's directory should be")
        if _leftover_only(path):
            return Snapshot(spec, uri, None, None)  # a first write was killed before it committed
    elif not DeltaTable.is_deltatable(uri, storage_options=location.options()):
        return Snapshot(spec, uri, None, None)
    with storage_boundary(spec.name, uri):
        try:
            table = DeltaTable(uri, version=version, storage_options=location.options())
        except Exception as exc:
            if local is not None and not (Path(uri) / LOG_DIR).is_dir():
                raise damaged(spec.name, uri, "not a Delta table (no _delta_log)") from exc
            if version is not None and "version" in str(exc).lower():
                raise CacheError(
                    f"Cache table '{spec.name}' has no version {version}",
                    short(exc),
                    f"`ptlm-tui cache history {spec.name}` lists the versions",
                ) from exc
            raise damaged(spec.name, uri, f"transaction log unreadable: {exc}") from exc
        found = {field.name: _polars_type(field.type) for field in table.schema().fields}
    _check_schema(spec, uri, found)
    files = _files(table, spec, uri)
    if local is not None:
        _verify_files(spec, Path(uri), files)
    return Snapshot(spec, uri, table, files, location.options())


_DELTA_TYPES = {
    "string": "String",
    "long": "Int64",
    "double": "Float64",
    "boolean": "Boolean",
    "date": "Date",
}


def _polars_type(delta_type: Any) -> Any:
    """The polars type a Delta column type is read as (a description for anything else)."""
    import polars as pl

    name = str(getattr(delta_type, "type", delta_type))
    if name in _DELTA_TYPES:
        return getattr(pl, _DELTA_TYPES[name])()
    if name == "timestamp":
        return pl.Datetime("us", "UTC")
    if name == "timestamp_ntz":
        return pl.Datetime("us")
    return name


def _check_schema(spec: TableSpec, uri: str, found: dict[str, Any]) -> None:
    expected = spec.physical
    missing = [c for c in expected if c not in found]
    foreign = [c for c in found if c not in expected]
    wrong = [f"{c} is {found[c]}, expected {d}" for c, d in expected.items() if c in found and found[c] != d]
    problems = []
    if missing:
        problems.append("missing columns " + ", ".join(missing))
    if foreign:
        problems.append("foreign columns " + ", ".join(foreign))
    problems += wrong
    if problems:
        raise damaged(spec.name, uri, "; ".join(problems))


def _files(table: DeltaTable, spec: TableSpec, uri: str) -> pl.DataFrame:
    import polars as pl

    with storage_boundary(spec.name, uri):
        actions = pl.DataFrame(table.get_add_actions(flatten=True))
    if actions.height == 0:
        return pl.DataFrame(
            schema={"path": pl.String, "size_bytes": pl.Int64, "num_records": pl.Int64, "clean": pl.Boolean}
        )
    clean = f"min.{CLEAN}"
    return actions.select(
        "path",
        "size_bytes",
        pl.col("num_records").fill_null(0),
        (pl.col(clean).fill_null(False) if clean in actions.columns else pl.lit(False)).alias("clean"),
    )


_VERIFIED: dict[tuple[str, str, int], None] = {}  # files already checked, by (path, mtime, size)


def _verify_files(spec: TableSpec, root: Path, files: pl.DataFrame) -> None:
    """Check that every data file of the version exists, has its recorded size and is Parquet."""
    for path, size in files.select("path", "size_bytes").iter_rows():
        file = root / path
        try:
            stat = file.stat()
        except FileNotFoundError:
            raise damaged(spec.name, str(file), "a data file of the current version is missing") from None
        memo = (str(file), str(stat.st_mtime_ns), stat.st_size)
        if memo in _VERIFIED:
            continue
        _check_file(spec, file, stat.st_size, size)
        _VERIFIED[memo] = None


def _check_file(spec: TableSpec, file: Path, found: int, size: int) -> None:
    """Refuse a data file of the wrong size, that is not Parquet, or whose columns are not the table's."""
    import polars as pl

    if found != size:
        raise damaged(spec.name, str(file), f"data file has {found} bytes, the log recorded {size}")
    with file.open("rb") as handle:
        head = handle.read(4)
        handle.seek(max(0, found - 4))
        tail = handle.read(4)
    if head != b"PAR1" or tail != b"PAR1":
        raise damaged(spec.name, str(file), "data file is not a Parquet file")
    with storage_boundary(spec.name, str(file)):
        columns = dict(pl.read_parquet_schema(file))
    if columns != dict(spec.physical):
        raise damaged(spec.name, str(file), "data file holds other columns than the table declares")


# -- writing ------------------------------------------------------------------------------------


class CommitConflict(CacheError):
    """Another writer committed first and this write may not be retried as it is."""


def _retrying(table: str, where: str, write: Callable[[], T], *, attempts: int = COMMIT_ATTEMPTS) -> T:
    """Run ``write``, retrying when another writer committed first (optimistic concurrency)."""
    from deltalake.exceptions import CommitFailedError

    for attempt in range(attempts):
        try:
            return write()
        except CommitFailedError as exc:
            if attempts == 1:
                raise CommitConflict(
                    f"Cache table '{table}' changed while it was being written; nothing was lost",
                    f"{where}: {short(exc)}",
                    "run the command again",
                ) from exc
            if attempt == attempts - 1:
                raise CacheError(
                    f"Cache table '{table}' is busy: {attempts} attempts to commit lost to other writers",
                    f"{where}: {short(exc)}",
                    "run the command again; nothing was lost",
                ) from exc
            time.sleep(min(1.0, 0.02 * 2**attempt) * random.uniform(0.5, 1.5))
        except StreamStopped as exc:
            raise exc.error from None
        except CacheError:
            raise
        except Exception as exc:
            raise write_failed(table, where, exc) from exc
        except BaseException as exc:
            if is_panic(exc):
                raise write_failed(table, where, exc) from exc
            raise
    raise AssertionError("unreachable")


RowBatches = Callable[[], Iterable["pl.DataFrame"]]


def write_rows(
    location: Location,
    spec: TableSpec,
    frame: pl.DataFrame | RowBatches,
    *,
    operation: str,
    mode: str = "append",
    snapshot: Snapshot | None = None,
    retry: bool = True,
) -> None:
    """Commit ``frame`` (physical columns) to the table as one transaction.

    Args:
        location: The cache location.
        spec: The table.
        frame: Rows in ``spec.physical`` order, or a function returning batches of them, so that
            rows never held whole in memory are still one transaction (called again for a retry).
        operation: Recorded in the table's history (``ptlm.operation``).
        mode: ``append``, or ``overwrite`` to replace the rows of ``snapshot`` (appends committed
            after that snapshot are kept; a concurrent overwrite makes this one fail).
        snapshot: The version an overwrite replaces; an append commits through its table object
            (which then shows the new version).
        retry: Retry an append that lost a commit race (an overwrite is never retried: a
            retry would replace rows its snapshot never saw).

    Raises:
        CommitConflict: Another writer committed first and ``retry`` was off (or an overwrite).
        CacheError: The disk is full, or the write failed; the table keeps its previous version.
        BaseException: Whatever the batches raised, as they raised it; nothing was committed.
    """
    from deltalake import CommitProperties, write_deltalake

    uri = location.table_uri(spec.name)
    if location.local is not None:
        location.local.mkdir(parents=True, exist_ok=True)
        clear_leftovers(location, spec)
    properties = CommitProperties(custom_metadata={"ptlm.operation": operation, "ptlm.cache_version": CACHE_VERSION})

    attempts = [0]

    def write() -> None:
        # The snapshot's table object saves opening the table again; a retry starts afresh.
        through = snapshot is not None and snapshot.table is not None and (mode == "overwrite" or not attempts[0])
        target: Any = snapshot.table if through and snapshot is not None else uri
        attempts[0] += 1
        writer: Any = write_deltalake  # its overloads pin ``mode`` to literals

        def commit(data: Any) -> None:
            writer(
                target,
                data,
                writer_properties=writer_properties(),
                mode=mode,
                name=spec.name,
                description=f"ptlm-tui cache table (cache version {CACHE_VERSION})",
                storage_options=location.options(),
                commit_properties=properties,
            )

        if callable(frame):
            with ArrowStream(spec, frame()).opened() as stream:
                commit(stream)
        else:
            commit(in_batches(frame))

    _retrying(spec.name, uri, write, attempts=COMMIT_ATTEMPTS if retry and mode == "append" else 1)


ROW_GROUP_ROWS = 128 * 1024


def writer_properties() -> Any:
    """Return the Parquet settings of every data file (snappy, row groups of 128k rows).

    Row groups that small let filters on the sorted columns (family, repository) skip most of a
    big table, and reading is faster than with the writer's defaults (see benchmarks/).
    """
    from deltalake import WriterProperties

    return WriterProperties(max_row_group_size=ROW_GROUP_ROWS, compression="SNAPPY")

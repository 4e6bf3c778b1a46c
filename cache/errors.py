"""Provides the cache's errors: damage named by table with the fix, a full disk said as such.

``storage_boundary`` turns what polars and deltalake raise (a Rust panic included) into them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from core.errors import CacheError

CHECK_HINT = (
    "run `ptlm-tui cache check`, then `ptlm-tui cache restore {table} VERSION` (see `ptlm-tui cache history {table}`)"
)


def is_panic(exc: BaseException) -> bool:
    """True for a Rust panic surfaced by pyo3 (``pyo3_runtime.PanicException``, a BaseException).

    Each Rust extension (polars, deltalake) has its own class of that name, so it is matched by
    name; nothing else is caught by the storage boundary's ``except BaseException``.
    """
    return type(exc).__name__ == "PanicException"


def short(reason: object, limit: int = 220) -> str:
    """Return ``reason`` as one short line (Rust errors span many lines)."""
    text = " ".join(str(reason).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class TableDamaged(CacheError):
    """A cache table cannot be trusted; ``table`` names it."""

    def __init__(self, table: str, title: str, detail: str = "", hint: str = "") -> None:
        super().__init__(title, detail, hint)
        self.table = table


def damaged(table: str, where: str, reason: object) -> TableDamaged:
    """The error for a table that cannot be trusted: named, with what to do."""
    return TableDamaged(
        table,
        f"Cache table '{table}' is damaged; nothing was read from it or written to it",
        f"{where}: {short(reason)}",
        CHECK_HINT.format(table=table),
    )


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` says the disk (or quota) is full."""
    if isinstance(exc, OSError) and exc.errno in (28, 122):  # ENOSPC, EDQUOT
        return True
    text = str(exc)
    return "No space left" in text or "os error 28" in text or "Disk quota exceeded" in text


def write_failed(table: str, where: str, exc: BaseException) -> CacheError:
    """The error for a write that did not land (the table keeps its previous version)."""
    if is_disk_full(exc):
        return CacheError(
            f"Disk full: cache table '{table}' was not written (it keeps its previous version)",
            where,
            "free some space (`ptlm-tui cache compact` drops old versions), then run the command again",
        )
    return CacheError(f"Cannot write cache table '{table}' (it keeps its previous version)", f"{where}: {short(exc)}")


@contextmanager
def storage_boundary(table: str, where: str) -> Iterator[None]:
    """Turn the errors of reading ``table`` (polars, deltalake, a Rust panic, I/O) into one CacheError."""
    try:
        yield
    except CacheError:
        raise
    except BaseException as exc:
        if isinstance(exc, OSError) and not is_disk_full(exc) and exc.errno not in (None, 5):
            raise CacheError(f"Cannot read cache table '{table}'", f"{where}: {short(exc)}") from exc
        if is_panic(exc) or _is_read_error(exc):
            raise damaged(table, where, exc) from exc
        raise


def _is_read_error(exc: BaseException) -> bool:
    """True for errors that say the stored bytes are wrong (not a bug in the query that read them)."""
    import polars as pl
    from deltalake.exceptions import DeltaError

    if isinstance(exc, DeltaError | OSError):
        return True
    if isinstance(exc, pl.exceptions.ComputeError):
        text = str(exc).lower()
        return any(word in text for word in _DAMAGE_WORDS)
    return False


_DAMAGE_WORDS = ("parquet", "out of specification", "thrift", "snappy", "zstd", "decompress", "os error", "io error")

"""Provides how rows reach deltalake's writer: a frame in chunks, or batches that arrive one at a time.

Both go in as an Arrow stream, one record batch per chunk, so the writer converts one chunk at a
time. Batches (an import's parts) are pulled by deltalake from its own thread; what stops them
(a malformed file, a Ctrl+C) is kept and re-raised as it was, not as deltalake's generic error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from cache.interrupts import CtrlC

if TYPE_CHECKING:
    import polars as pl

    from cache.schema import TableSpec

WRITE_BATCH_ROWS = 100_000


def in_batches(frame: pl.DataFrame) -> pl.DataFrame:
    """Return ``frame`` as chunks of ``WRITE_BATCH_ROWS`` (no copy), so the writer converts one at a time.

    deltalake reads the frame as an Arrow stream, one record batch per chunk; a single chunk of
    millions of rows would be converted whole, doubling an import's memory.
    """
    import polars as pl

    if frame.height <= WRITE_BATCH_ROWS:
        return frame
    parts = [frame.slice(offset, WRITE_BATCH_ROWS) for offset in range(0, frame.height, WRITE_BATCH_ROWS)]
    return pl.concat(parts, how="vertical", rechunk=False)


class StreamStopped(Exception):  # noqa: N818  (not an error of its own: it carries one)
    """The batches of a streamed write raised ``error``; nothing was committed."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class ArrowStream:
    """One write attempt's batches (table ``spec``'s stored columns) as an Arrow stream."""

    def __init__(self, spec: TableSpec, batches: Iterable[pl.DataFrame]) -> None:
        self.spec = spec
        self.batches = batches
        self.ctrl_c = CtrlC()
        self.error: BaseException | None = None

    @contextmanager
    def opened(self) -> Iterator[Any]:
        """Yield the stream for the writer; a write the batches stopped raises ``StreamStopped``."""
        import polars as pl
        from arro3.core import RecordBatchReader, Table

        schema = Table.from_arrow(pl.DataFrame(schema=self.spec.physical)).schema
        try:
            with self.ctrl_c:
                yield RecordBatchReader.from_batches(schema, self._arrow())
        except Exception:
            if self.error is not None:
                raise StreamStopped(self.error) from None
            raise

    def _arrow(self) -> Iterator[Any]:
        from arro3.core import Table

        try:
            for frame in self.batches:
                if self.ctrl_c.pressed():
                    raise KeyboardInterrupt
                yield from Table.from_arrow(in_batches(frame.select(list(self.spec.physical)))).to_batches()
            if self.ctrl_c.pressed():
                raise KeyboardInterrupt  # before the commit, which follows the last part
        except BaseException as exc:
            self.error = exc
            raise

"""Provides CtrlC: notices a Ctrl+C while deltalake runs a streamed write on a thread of its own.

During the write the main thread waits inside deltalake, so Python's SIGINT handler (which runs
on the main thread only) would raise KeyboardInterrupt only after the write had committed. The
C-level handler also writes each signal's number to the "wakeup" file descriptor at once, from
any thread: the stream reads it between parts and stops the write before its commit.
"""

from __future__ import annotations

import os
import signal
import threading
from types import TracebackType
from typing import Self


class CtrlC:
    """A context in which ``pressed()`` says whether SIGINT arrived (main thread, no other listener)."""

    def __init__(self) -> None:
        self._read: int | None = None
        self._write: int | None = None
        self._seen = False

    def __enter__(self) -> Self:
        if threading.current_thread() is not threading.main_thread():
            return self  # a worker (the app): its signals are the main thread's business
        read, write = os.pipe()
        os.set_blocking(read, False)
        os.set_blocking(write, False)
        previous = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
        if previous != -1:  # an event loop listens already: leave it its descriptor
            signal.set_wakeup_fd(previous)
            os.close(read)
            os.close(write)
            return self
        self._read, self._write = read, write
        return self

    def pressed(self) -> bool:
        """True once SIGINT has arrived in this context."""
        if self._read is None or self._seen:
            return self._seen
        try:
            numbers = os.read(self._read, 256)
        except BlockingIOError:
            return False
        self._seen = signal.SIGINT in numbers
        return self._seen

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._write is None:
            return
        signal.set_wakeup_fd(-1)
        os.close(self._write)
        if self._read is not None:
            os.close(self._read)

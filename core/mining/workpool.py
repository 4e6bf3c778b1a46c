"""Provides run_parallel(): a bounded pool of daemon threads whose results the caller handles one by one.

Not ``ThreadPoolExecutor``: its threads are joined at interpreter exit, so a Ctrl+C during a
slow request would hang until the request timed out. Here workers are daemon threads that
only compute and never write the cache; the calling thread receives each result as it comes
(and is the only writer), polls so that Ctrl+C and a cancel request are seen promptly, and
can simply return while a worker is still blocked in the network.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from core.progress import CancelToken

T = TypeVar("T")
R = TypeVar("R")

_POLL_SECONDS = 0.1


def run_parallel(
    items: Sequence[T],
    work: Callable[[T], R],
    on_result: Callable[[T, R | BaseException], None],
    *,
    workers: int,
    cancel: CancelToken | None = None,
    on_idle: Callable[[], None] | None = None,
) -> bool:
    """Run ``work`` on every item with at most ``workers`` threads; hand each result to ``on_result``.

    ``on_result`` runs in the calling thread, in completion order, with the value or the
    exception ``work`` raised. ``on_idle`` runs in the calling thread whenever no result came
    for a short while (for periodic flushing).

    Returns:
        True if every item was handled, False if the run stopped because ``cancel`` was set.
    """
    todo: queue.SimpleQueue[T] = queue.SimpleQueue()
    for item in items:
        todo.put(item)
    done: queue.SimpleQueue[tuple[T, R | BaseException]] = queue.SimpleQueue()

    def worker() -> None:
        while cancel is None or not cancel.cancelled:
            try:
                item = todo.get_nowait()
            except queue.Empty:
                return
            try:
                result: R | BaseException = work(item)
            except BaseException as exc:  # handed to the caller, who decides what it means
                result = exc
            done.put((item, result))

    threads = [
        threading.Thread(target=worker, name=f"ptlm-worker-{i}", daemon=True)
        for i in range(max(1, min(workers, len(items))))
    ]
    for thread in threads:
        thread.start()
    remaining = len(items)
    while remaining:
        try:
            item, result = done.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            if cancel is not None and cancel.cancelled:
                return False
            if on_idle is not None:
                on_idle()
            if not any(t.is_alive() for t in threads) and done.empty():
                break
            continue
        remaining -= 1
        on_result(item, result)
    return remaining == 0 and not (cancel is not None and cancel.cancelled)

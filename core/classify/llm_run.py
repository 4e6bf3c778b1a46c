"""Provides ask_model(): send the commits the rules were unsure of to Ollama, concurrently, caching every answer.

Answers are written to the label cache in small batches as they arrive, so stopping (Ctrl+C,
the app's cancel, a dead server) keeps everything finished so far. Workers are daemon threads
fed from a queue: a cancelled run returns at once instead of waiting for requests already on
the wire, and their late answers are simply dropped.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

import polars as pl

from cache.store import CacheStore
from core.classify import label_cache, prompts
from core.classify.ollama_client import LlmAnswer, OllamaLabeller, OllamaUnavailable, TransientFailure
from core.config import Settings
from core.errors import NetworkError, PtlmError
from core.progress import CancelToken, EtaTracker, ProgressCallback

FLUSH_EVERY: Final = 20  # answers per cache write; each write rewrites the labels table
FLUSH_SECONDS: Final = 5.0
MAX_CONSECUTIVE_FAILURES: Final = 5  # then the server is treated as broken for this run
POLL_SECONDS: Final = 0.2  # how often the waiting loop looks at the cancel token


@dataclass
class LlmRunStats:
    """What the model part of a run did."""

    candidates: int = 0
    cached: int = 0
    asked: int = 0
    answered: int = 0
    unusable: int = 0
    failed: int = 0
    cancelled: bool = False
    model: str | None = None
    digest: str | None = None
    error: str | None = None  # one line: why the model stopped or was not used


def _is_loopback(host: str) -> bool:
    name = urlsplit(host if "://" in host else f"http://{host}").hostname or "127.0.0.1"
    return name in ("127.0.0.1", "localhost", "::1", "0.0.0.0")


def pending_candidates(store: CacheStore, candidates: pl.DataFrame, settings: Settings) -> tuple[pl.DataFrame, int]:
    """Return the candidates that need a model answer (with ``prompt_input, input_hash``) and how many are cached."""
    hashed = candidates.with_columns(prompts.input_hashes(candidates["prompt_input"]))
    reusable = label_cache.reusable_llm(
        store, hashed, prompt_version=prompts.PROMPT_VERSION, model=settings.classify.model
    )
    pending = hashed.join(reusable, on=["platform", "repo", "sha", "input_hash"], how="anti")
    return pending, hashed.height - pending.height


def ask_model(
    store: CacheStore,
    settings: Settings,
    candidates: pl.DataFrame,
    *,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    strict: bool = False,
) -> LlmRunStats:
    """Label ``candidates`` with the configured Ollama model, reusing cached answers.

    Args:
        store: The cache (labels are written here as they arrive).
        settings: ``classify`` settings and the Ollama host.
        candidates: ``platform, repo, sha`` (commit key), ``prompt_input``, ``linked_sha``.
        on_progress: Called after each answer.
        cancel: Stops the run at the next answer; finished answers are kept.
        strict: Raise instead of reporting when Ollama cannot be used (``validate --llm``).

    Returns:
        Counts, the model used, and ``error`` when Ollama could not be used or stopped working.
    """
    stats = LlmRunStats(candidates=candidates.height, model=settings.classify.model)
    pending, stats.cached = pending_candidates(store, candidates, settings)
    if pending.height == 0:
        return stats  # fully cached: no request at all, not even a connection
    host = settings.ollama_host()
    try:
        if settings.offline and not _is_loopback(host):
            raise OllamaUnavailable("Offline mode", f"Ollama at {host} is not on this machine", "drop --offline")
        labeller = OllamaLabeller(settings.classify, host)
        info = labeller.check()
        labeller.warm_up()
    except PtlmError as exc:
        if strict:
            raise
        stats.error = exc.one_line()
        return stats
    stats.digest = info.digest
    try:
        _run(store, labeller, pending, stats, on_progress, cancel)
    finally:
        labeller.close()
    return stats


def _answer_row(labeller: OllamaLabeller, row: dict[str, object], answer: LlmAnswer) -> dict[str, object]:
    info = labeller.info
    return {
        "platform": row["platform"],
        "repo": row["repo"],
        "sha": row["sha"],
        "label": answer.label,
        "confidence": None,  # a model gives no calibrated confidence; its label outranks the rules'
        "source": "llm",
        "model": labeller.model,
        "model_digest": info.digest if info else None,
        "prompt_version": prompts.PROMPT_VERSION,
        "options": labeller.options_json(),
        "labelled_at": label_cache.now(),
        "reason": answer.reason,
        "linked_sha": row.get("linked_sha"),
        # An answer that stayed unusable (not JSON, cut off, an unknown label) is kept as
        # ``unclear`` with its reason but without the input hash, so no later run reuses it:
        # the next run asks again.
        "input_hash": row["input_hash"] if answer.usable else None,
    }


def _run(
    store: CacheStore,
    labeller: OllamaLabeller,
    pending: pl.DataFrame,
    stats: LlmRunStats,
    on_progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> None:
    rows = pending.select("platform", "repo", "sha", "prompt_input", "input_hash", "linked_sha").to_dicts()
    tasks: queue.SimpleQueue[int] = queue.SimpleQueue()
    for index in range(len(rows)):
        tasks.put(index)
    results: queue.SimpleQueue[tuple[int, LlmAnswer | BaseException]] = queue.SimpleQueue()
    stop = threading.Event()

    def work() -> None:
        while not stop.is_set():
            try:
                index = tasks.get_nowait()
            except queue.Empty:
                return
            try:
                results.put((index, labeller.label(str(rows[index]["prompt_input"]))))
            except BaseException as exc:  # handed to the main thread, which decides
                results.put((index, exc))

    for n in range(min(labeller.settings.concurrency, len(rows))):
        threading.Thread(target=work, name=f"ollama-{n}", daemon=True).start()
    eta = EtaTracker("ollama", len(rows))
    buffer: list[dict[str, object]] = []
    last_flush = time.monotonic()
    received = consecutive_failures = 0

    def flush() -> None:
        nonlocal buffer, last_flush
        if buffer:
            label_cache.upsert(store, label_cache.label_rows(pl.DataFrame(buffer, infer_schema_length=None)))
        buffer, last_flush = [], time.monotonic()

    try:
        while received < len(rows):
            if cancel is not None and cancel.cancelled:
                stats.cancelled = True
                break
            try:
                index, outcome = results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            received += 1
            stats.asked += 1
            if isinstance(outcome, LlmAnswer):
                consecutive_failures = 0
                stats.answered += 1
                stats.unusable += 0 if outcome.usable else 1
                buffer.append(_answer_row(labeller, rows[index], outcome))
            elif isinstance(outcome, TransientFailure):
                stats.failed += 1
                consecutive_failures += 1
                if consecutive_failures >= MAX_CONSECUTIVE_FAILURES:
                    stats.error = (
                        f"stopped after {consecutive_failures} failed requests in a row: {outcome.error.one_line()}"
                    )
                    break
            elif isinstance(outcome, NetworkError):
                stats.failed += 1
                stats.error = outcome.one_line()
                break
            else:
                raise outcome
            if len(buffer) >= FLUSH_EVERY or time.monotonic() - last_flush >= FLUSH_SECONDS:
                flush()
            if on_progress is not None:
                detail = f"{stats.answered} labelled, {stats.cached} cached" + (
                    f", {stats.failed} failed" if stats.failed else ""
                )
                on_progress(eta.at(received, detail))
    finally:
        stop.set()
        flush()  # runs on Ctrl+C too: whatever was answered is kept

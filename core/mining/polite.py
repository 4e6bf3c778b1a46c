"""Provides Politeness: bounded retries with backoff, a shared rate-limit pause, and a down-host breaker.

huggingface_hub retries some calls itself, silently and without a way to cancel or show a
countdown, and does not retry others (``model_info``). We send every Hub request through one
policy instead: a 429 pauses *all* workers until the server's ``RateLimit``/``Retry-After``
reset (one server, one quota), while the wait is reported second by second so the user sees
a countdown; 5xx, 408 and timeouts are retried a bounded number of times with exponential
backoff; after repeated connection failures the host is considered down and the remaining
requests fail at once instead of each waiting out its own retries.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from core.mining import failures as st
from core.mining.failures import SourceFailure
from core.progress import CancelToken

# Backoff for 5xx/timeouts: BASE, 2*BASE, 4*BASE ... capped. Tests shrink BASE.
BACKOFF_BASE_SECONDS = 1.0
BACKOFF_MAX_SECONDS = 30.0
# A reset further away than this is not waited for: the repository is marked rate_limited
# with its retry time, and the next sync takes it up.
MAX_RATE_LIMIT_WAIT_SECONDS = 300.0
# The longest pause a server may impose at all (setting hub.max_retry_after): a Retry-After of
# a day, by mistake or malice, would otherwise freeze every sync of that host until then.
MAX_RETRY_AFTER_SECONDS = 900.0
# Consecutive connection failures (any repository) after which the host counts as down.
DOWN_AFTER_CONNECT_FAILURES = 3
_TICK = 0.25

WaitCallback = Callable[[float, str], None]  # (seconds left, what is waiting)


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Return how long a 429 asks us to wait, from ``RateLimit`` or ``Retry-After``; None if unsaid.

    ``RateLimit: "api";r=0;t=55`` (IETF draft, the Hub's header) wins; ``Retry-After`` may be
    seconds or an HTTP date.
    """
    from huggingface_hub.utils import parse_ratelimit_headers

    info = parse_ratelimit_headers(headers)
    if info is not None and info.remaining == 0:
        return float(info.reset_in_seconds)
    value = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


@dataclass
class Politeness:
    """Shared by every worker talking to one host; thread-safe."""

    max_retries: int
    cancel: CancelToken | None = None
    on_wait: WaitCallback | None = None
    secrets: tuple[str | None, ...] = ()
    max_wait: float = MAX_RETRY_AFTER_SECONDS  # cap on any rate-limit pause, announced or remembered
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _paused_until: float = 0.0
    _connect_failures: int = 0
    _down: str | None = None

    # -- waiting -----------------------------------------------------------------------------

    def sleep(self, seconds: float, what: str, *, countdown: bool) -> None:
        """Wait ``seconds``, reporting a countdown if asked; stops early when cancelled."""
        end = time.monotonic() + seconds
        while True:
            if self.cancel is not None:
                self.cancel.check()
            left = end - time.monotonic()
            if left <= 0:
                break
            if countdown and self.on_wait is not None:
                self.on_wait(left, what)
            time.sleep(min(_TICK, left))
        if countdown and self.on_wait is not None:
            self.on_wait(0.0, what)

    def before_request(self, what: str) -> None:
        """Wait out a rate-limit pause set by any worker, or fail fast if the host is down."""
        if self.cancel is not None:
            self.cancel.check()
        with self._lock:
            down, paused_until = self._down, self._paused_until
        if down is not None:
            raise SourceFailure(st.NETWORK, down, "check your connection, then sync again", secrets=self.secrets)
        left = paused_until - time.monotonic()
        if left > MAX_RATE_LIMIT_WAIT_SECONDS:
            raise self._rate_limited(left)
        if left > 0:
            self.sleep(left, what, countdown=True)

    def _rate_limited(self, left: float) -> SourceFailure:
        retry_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=left)
        return SourceFailure(
            st.RATE_LIMITED,
            f"the Hub's rate limit resets in {left:.0f} s",
            "sync again after the reset; fewer workers (sync.workers) or an HF token raise the quota",
            retry_after=retry_at,
        )

    # -- outcomes ----------------------------------------------------------------------------

    def succeeded(self) -> None:
        """Record that a request got an answer (any HTTP status): the host is up."""
        with self._lock:
            self._connect_failures = 0

    def rate_limited(self, seconds: float | None, attempt: int) -> float:
        """Record a 429 and return how long to wait before the next attempt (pausing everyone).

        The server's wait is capped at ``max_wait``; past that the request is simply tried again.
        """
        wait = min(seconds if seconds is not None else self.backoff(attempt), self.max_wait)
        with self._lock:
            self._paused_until = max(self._paused_until, time.monotonic() + wait)
        if wait > MAX_RATE_LIMIT_WAIT_SECONDS:
            raise self._rate_limited(wait)
        return wait

    def pause_until(self, when: dt.datetime) -> None:
        """Hold every request until ``when`` (a reset the Hub announced in an earlier run)."""
        left = min((when - dt.datetime.now(dt.UTC)).total_seconds(), self.max_wait)
        if left > 0:
            with self._lock:
                self._paused_until = max(self._paused_until, time.monotonic() + left)

    def connect_failed(self, detail: str) -> None:
        """Record a connection failure; after a few in a row, declare the host down."""
        with self._lock:
            self._connect_failures += 1
            if self._connect_failures >= DOWN_AFTER_CONNECT_FAILURES and self._down is None:
                self._down = f"network down or host unreachable ({detail})"

    @staticmethod
    def backoff(attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based)."""
        return float(min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)))

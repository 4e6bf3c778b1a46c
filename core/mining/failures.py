"""Provides SourceFailure, the per-repository outcome of a failed fetch, and secret redaction.

A failure is not an error of the whole sync: it becomes a row of the ``sync_state`` table
(status, detail, hint, retry_after) and the sync goes on with the other repositories. Every
text that may reach a log, the cache or the screen passes through ``redact`` first, so a
token never leaves the process, even when a server echoes it back.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from core.text import one_line

# The statuses a repository can have in sync_state (cache/schema.py documents them too).
OK = "ok"
RATE_LIMITED = "rate_limited"
SERVER_ERROR = "server_error"
TIMEOUT = "timeout"
UNAUTHORIZED = "unauthorized"
GATED = "gated"
NOT_FOUND = "not_found"
OFFLINE = "offline"
NETWORK = "network"
ERROR = "error"
STATUSES = (OK, RATE_LIMITED, SERVER_ERROR, TIMEOUT, UNAUTHORIZED, GATED, NOT_FOUND, OFFLINE, NETWORK, ERROR)

_BEARER = re.compile(r"(?i)\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}")
_TOKEN_SHAPES = re.compile(r"\b(hf_[A-Za-z0-9]{10,}|gh[pousr]_[A-Za-z0-9]{10,}|github_pat_[A-Za-z0-9_]{10,})")
_URL_CREDENTIALS = re.compile(r"(?i)(https?://)[^/\s:@]+(?::[^/\s@]*)?@")


def redact(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Return ``text`` with the given secrets and anything shaped like a credential replaced.

    Args:
        text: Text that may have come from a server, an exception or a command line.
        secrets: Tokens known to this process (None entries are ignored).
    """
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = _BEARER.sub(lambda m: f"{m.group(1)} ***", text)
    text = _TOKEN_SHAPES.sub("***", text)
    return _URL_CREDENTIALS.sub(r"\1***@", text)


class SourceFailure(Exception):
    """A repository could not be fetched; carries what ``sync_state`` records about it."""

    def __init__(
        self,
        status: str,
        detail: str,
        hint: str = "",
        *,
        retry_after: dt.datetime | None = None,
        secrets: Iterable[str | None] = (),
    ) -> None:
        secrets = tuple(secrets)
        self.status = status
        self.detail = one_line(redact(detail, secrets), 300)
        self.hint = one_line(redact(hint, secrets), 200)
        self.retry_after = retry_after
        super().__init__(f"{status}: {self.detail}")

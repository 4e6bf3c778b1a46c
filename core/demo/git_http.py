"""Provides git_http_backend(): answer one request of git's smart HTTP protocol through ``git http-backend``.

git ships the server side of its HTTP protocol as a CGI program; this runs it for one request
of an ``http.server`` handler, so the demo's Hub (and the tests' fake Hub) can serve blob-less
clones of the repositories under a directory.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Protocol


class Headers(Protocol):
    """Request headers, looked up case-insensitively (``http.server``'s ``self.headers``)."""

    def get(self, name: str, default: str) -> str:
        """Return the header's value, or ``default``."""
        ...


def git_http_backend(
    root: Path, path: str, query: str, method: str, headers: Headers, body: bytes
) -> tuple[int, dict[str, str], bytes]:
    """Return ``(status, headers, payload)`` for a request of ``path`` (``/owner/name/info/refs`` …) under ``root``.

    Args:
        root: The directory whose bare repositories are served (``GIT_PROJECT_ROOT``).
        path: The request path (``PATH_INFO``).
        query: The query string.
        method: ``GET`` or ``POST``.
        headers: The request's headers (content type and encoding, git protocol).
        body: The request body.
    """
    env = {
        "GIT_PROJECT_ROOT": str(root),
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REQUEST_METHOD": method,
        "CONTENT_TYPE": headers.get("Content-Type", ""),
        "CONTENT_LENGTH": str(len(body)),
        "GIT_PROTOCOL": headers.get("Git-Protocol", ""),
        "HTTP_CONTENT_ENCODING": headers.get("Content-Encoding", ""),
        "REMOTE_ADDR": "127.0.0.1",
        "PATH": "/usr/local/bin:/usr/bin:/bin",
    }
    run = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
    head, _, payload = run.stdout.partition(b"\r\n\r\n")
    status, out = 200, {}
    for line in head.decode("latin-1").split("\r\n"):
        key, _, value = line.partition(":")
        if key.lower() == "status":
            status = int(value.strip().split()[0])
        elif key:
            out[key.strip()] = value.strip()
    return status, out, payload

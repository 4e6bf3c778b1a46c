"""A loopback HTTP proxy for tests that records where a process tried to go, and lets nothing through.

Point a child process at it with ``HTTPS_PROXY``/``HTTP_PROXY`` (and ``NO_PROXY`` for the
loopback fakes it may reach directly): every request to any other host then arrives here as
``CONNECT host:port`` (https) or an absolute-URL request (http), is recorded and refused with
403 (after ``delay`` seconds: a stand-in for a name server or a firewall that lets a connection
hang). Tests assert on ``targets``: for example that no request went to the public Hub.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeProxy:
    """The proxy server; use as a context manager."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.targets: list[str] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def __enter__(self) -> FakeProxy:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                pass

            def _refuse(self) -> None:
                with proxy._lock:
                    proxy.targets.append(self.path)
                time.sleep(proxy.delay)
                self.send_error(403, "the test proxy lets nothing through")

            do_CONNECT = _refuse  # noqa: N815 - stdlib naming
            do_GET = _refuse  # noqa: N815
            do_POST = _refuse  # noqa: N815
            do_HEAD = _refuse  # noqa: N815

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def environment(self) -> dict[str, str]:
        """Variables that send every non-loopback request of a child process here."""
        return {
            "HTTPS_PROXY": self.url,
            "HTTP_PROXY": self.url,
            "ALL_PROXY": self.url,
            "NO_PROXY": "127.0.0.1,localhost",
        }

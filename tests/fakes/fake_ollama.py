"""A loopback fake Ollama server for tests: real HTTP on 127.0.0.1, scriptable answers, recorded requests.

It serves ``GET /api/tags``, ``POST /api/show`` and ``POST /api/chat`` with the JSON shapes of
Ollama's native API, so the real ``ollama.Client`` talks to it unchanged. ``behaviour`` (or a
queue of behaviours, one per chat request) decides each chat answer:

- ``good``: the label from ``answer`` (a function of the commit in the last user turn), as JSON;
- ``slow``: the same after ``delay`` seconds;
- ``invalid_json``: text that is not JSON;
- ``length``: whitespace until ``done_reason: length``;
- ``unknown_label``: JSON naming a label that does not exist;
- ``missing_model``: 404 ``model not found`` (also on /api/show, and absent from /api/tags);
- ``server_error``: HTTP 500.

``refused_port()`` returns a loopback port with nothing listening, for "Ollama is not running".
"""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

MODEL = "qwen2.5:7b-instruct"
DIGEST = "sha256:" + "ab" * 32


def default_answer(prompt: str) -> str:
    """A plausible label for a rendered commit: enough to tell answers apart in tests."""
    text = prompt.lower()
    if "faster" in text or "speed" in text:
        return "pipeline performance"
    if "comment" in text:
        return "internal documentation"
    return "model structure"


@dataclass
class Recorded:
    """One request the fake received."""

    method: str
    path: str
    body: dict[str, Any]


@dataclass
class FakeOllama:
    """State shared with the handler: behaviours, models and what was asked."""

    behaviour: str = "good"
    script: list[str] = field(default_factory=list)  # per-chat behaviours, used first, in order
    answer: Callable[[str], str] = default_answer
    delay: float = 0.5
    models: list[str] = field(default_factory=lambda: [MODEL])
    capabilities: list[str] = field(default_factory=lambda: ["completion"])
    requests: list[Recorded] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0  # the most chat requests answered at the same time
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def host(self) -> str:
        """The URL to give ollama.Client / OLLAMA_HOST."""
        return f"http://127.0.0.1:{self.port}"

    def chats(self, *, with_messages: bool = True) -> list[Recorded]:
        """The /api/chat requests received (by default without the empty warm-up ones)."""
        return [r for r in self.requests if r.path == "/api/chat" and (r.body.get("messages") or not with_messages)]

    def next_behaviour(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else self.behaviour


def _handler(state: FakeOllama) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            return

        def _send(self, status: int, payload: dict[str, Any] | str) -> None:
            data = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any]:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b"{}"
            body = json.loads(raw or b"{}")
            with state.lock:
                state.requests.append(Recorded(self.command, self.path, body))
            return body if isinstance(body, dict) else {}

        def _missing(self, name: str) -> None:
            self._send(404, {"error": f"model '{name}' not found"})

        def do_GET(self) -> None:
            self._body()
            if self.path == "/api/tags":
                missing = state.behaviour == "missing_model"
                models = (
                    []
                    if missing
                    else [
                        {
                            "name": m,
                            "model": m,
                            "modified_at": "2024-05-01T00:00:00Z",
                            "size": 4_700_000_000,
                            "digest": DIGEST,
                            "details": {"format": "gguf", "family": "qwen2"},
                        }
                        for m in state.models
                    ]
                )
                self._send(200, {"models": models})
            else:
                self._send(404, "404 page not found")

        def do_POST(self) -> None:
            body = self._body()
            name = str(body.get("model", ""))
            known = name in state.models and state.behaviour != "missing_model"
            if self.path == "/api/show":
                if not known:
                    self._missing(name)
                    return
                # The client's pydantic model needs a model_info key (dependency-notes §5).
                self._send(
                    200,
                    {
                        "modelfile": "",
                        "parameters": "",
                        "template": "",
                        "details": {"format": "gguf"},
                        "model_info": {},
                        "capabilities": state.capabilities,
                        "modified_at": "2024-05-01T00:00:00Z",
                    },
                )
            elif self.path == "/api/chat":
                if not known:
                    self._missing(name)
                    return
                self._chat(name, body)
            else:
                self._send(404, "404 page not found")

        def _chat(self, name: str, body: dict[str, Any]) -> None:
            messages = body.get("messages") or []
            base = {
                "model": name,
                "created_at": "2024-05-01T00:00:00Z",
                "done": True,
                "total_duration": 1000,
                "eval_count": 12,
            }
            if not messages:  # warm-up: an empty chat only loads the model
                self._send(200, base | {"message": {"role": "assistant", "content": ""}, "done_reason": "load"})
                return
            behaviour = state.next_behaviour()
            with state.lock:
                state.in_flight += 1
                state.max_in_flight = max(state.max_in_flight, state.in_flight)
            try:
                self._answer(name, base, messages, behaviour)
            finally:
                with state.lock:
                    state.in_flight -= 1

        def _answer(self, name: str, base: dict[str, Any], messages: list[dict[str, Any]], behaviour: str) -> None:
            # The commit is the last user turn that renders one (a retry turn follows it).
            commits = [str(m.get("content", "")) for m in messages if str(m.get("content", "")).startswith("Platform:")]
            last = commits[-1] if commits else str(messages[-1].get("content", ""))
            reason = "stop"
            if behaviour == "slow":
                time.sleep(state.delay)
            if behaviour in ("good", "slow"):
                content = json.dumps({"label": state.answer(last), "reason": "fake answer"})
            elif behaviour == "invalid_json":
                content = "The label is model structure, I think."
            elif behaviour == "length":
                content, reason = " \n" * 32, "length"
            elif behaviour == "unknown_label":
                content = json.dumps({"label": "refactoring", "reason": "not a label"})
            elif behaviour == "server_error":
                self._send(500, {"error": "llama runner process has terminated"})
                return
            elif behaviour == "missing_model":
                self._missing(name)
                return
            else:
                raise AssertionError(f"unknown fake behaviour {behaviour!r}")
            self._send(200, base | {"message": {"role": "assistant", "content": content}, "done_reason": reason})

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout, Ctrl+C) closes its socket mid-answer: expected here.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@contextmanager
def running_fake_ollama(**kwargs: Any) -> Iterator[FakeOllama]:
    """Start a fake Ollama on a free loopback port for the duration of the block."""
    state = FakeOllama(**kwargs)
    server = _Server(("127.0.0.1", 0), _handler(state))
    state.port = server.server_address[1]
    # A short poll interval lets shutdown() return at once instead of after up to 0.5 s.
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), name="fake-ollama", daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def refused_port() -> int:
    """Return a loopback port nothing listens on (bound, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port

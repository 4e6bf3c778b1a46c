"""Provides DemoHub: the demo's Hugging Face Hub, an HTTP server on 127.0.0.1 inside the ptlm-tui process.

It answers the requests ptlm-tui's Hub client makes (``core.mining.hub``) in the Hub's own
shapes: the model listing (sorted by downloads, paginated with ``Link``), model info, model
cards, commit pages, and git's smart HTTP protocol for partial
clones (``git http-backend``, each repository written on first use). Everything it serves is
the demo's invented data, so pressing sync or discover on the demo runs the real code paths
against a source that is plainly not the real Hub: it listens on loopback only, for as long as
the app that started it, and says so in every answer (``X-Ptlm-Demo``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from core.demo.git_http import git_http_backend


@dataclass
class HubRepo:
    """One demo model: what the Hub says about it, and its commits, newest first."""

    id: str
    downloads: int
    likes: int
    pipeline_tag: str
    created_at: dt.datetime
    card: str
    commits: list[dict[str, Any]] = field(default_factory=list)  # the commits endpoint's entries
    gated: bool = False
    slow_down: int = 0  # answer the commits endpoint with 429 this many times first (a rate limit)

    def info(self) -> dict[str, Any]:
        """The model-info payload."""
        last = self.commits[0]["date"] if self.commits else _iso(self.created_at)
        return {
            "_id": self.id.replace("/", "-"),
            "id": self.id,
            "modelId": self.id,
            "author": self.id.split("/")[0],
            "sha": self.commits[0]["id"] if self.commits else None,
            "downloads": self.downloads,
            "likes": self.likes,
            "pipeline_tag": self.pipeline_tag,
            "createdAt": _iso(self.created_at),
            "lastModified": last,
            "gated": "manual" if self.gated else False,
            "private": False,
            "disabled": False,
            "tags": ["transformers", self.pipeline_tag, "demo"],
            "library_name": "transformers",
        }


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


_REPO = r"(?P<repo>[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*?)"
_GIT = re.compile(rf"^/{_REPO}(?:\.git)?/(?P<rest>info/refs|git-upload-pack|HEAD)$")
_ROUTES = (
    ("listing", re.compile(r"^/api/models/?$")),
    ("commits", re.compile(rf"^/api/models/{_REPO}/commits/main$")),
    ("info", re.compile(rf"^/api/models/{_REPO}$")),
    ("card", re.compile(rf"^/{_REPO}/resolve/main/README\.md$")),
)


class DemoHub:
    """The server; ``repos`` by id, git repositories written on demand by ``build_git(repo_id, path)``."""

    def __init__(self, repos: dict[str, HubRepo], git_root: Path, build_git: Callable[[str, Path], None]) -> None:
        self.repos = repos
        self.git_root = git_root
        self.build_git = build_git
        self.requests = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    def start(self) -> str:
        """Serve on a free loopback port; return the base URL."""
        hub = self

        class Handler(_Handler):
            demo = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, args=(0.1,), name="ptlm-demo-hub", daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``."""
        assert self._server is not None, "start() the demo hub first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def git_path(self, repo_id: str) -> Path:
        """The bare repository of ``repo_id``, written the first time a client asks for it."""
        path = self.git_root / repo_id
        with self._lock:
            if not (path / "HEAD").exists():
                self.build_git(repo_id, path)
        return path

    def take_slow_down(self, repo: HubRepo) -> bool:
        """True (once per remaining count) when this request should be told to slow down."""
        with self._lock:
            self.requests += 1
            if repo.slow_down > 0:
                repo.slow_down -= 1
                return True
        return False


class _Handler(BaseHTTPRequestHandler):
    demo: DemoHub
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the app's screen is the terminal: never print

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._handle(head=False)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self._handle(head=True)

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        self._handle(head=False)

    def _send(
        self, status: int, body: bytes | str, headers: dict[str, str] | None = None, *, head: bool = False
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        try:
            self.send_response(status)
            self.send_header("X-Ptlm-Demo", "invented data served by ptlm-tui's demo source")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if not any(k.lower() == "content-type" for k in headers or {}):
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if not head:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client went away (a cancelled sync)

    def _error(self, status: int, code: str, message: str, head: bool) -> None:
        self._send(
            status, json.dumps({"error": message}), {"X-Error-Code": code, "X-Error-Message": message}, head=head
        )

    def _handle(self, *, head: bool) -> None:
        split = urlsplit(self.path)
        query = parse_qs(split.query)
        git = _GIT.match(split.path)
        if git and git["repo"] in self.demo.repos:
            self._git(git["repo"], split.path, split.query)
            return
        for name, pattern in _ROUTES:
            match = pattern.match(split.path)
            if match:
                repo = self.demo.repos.get(match.groupdict().get("repo") or "")
                if name != "listing" and repo is None:
                    self._error(404, "RepoNotFound", "Repository not found", head)
                    return
                getattr(self, f"_route_{name}")(match, query, repo, head)
                return
        self._error(404, "EntryNotFound", "Not Found", head)

    def _route_listing(self, match: re.Match[str], query: dict[str, list[str]], repo: None, head: bool) -> None:
        models = sorted(self.demo.repos.values(), key=lambda r: (-r.downloads, r.id))
        if "pipeline_tag" in query:
            models = [m for m in models if m.pipeline_tag == query["pipeline_tag"][0]]
        if "author" in query:
            models = [m for m in models if m.id.split("/")[0].lower() == query["author"][0].lower()]
        if "search" in query:
            models = [m for m in models if query["search"][0].lower() in m.id.lower()]
        limit = max(1, min(int(query.get("limit", ["100"])[0]), 1000))
        offset = int(query.get("cursor", ["0"])[0])
        headers = {}
        if offset + limit < len(models):
            pairs = [(k, v) for k, values in query.items() if k != "cursor" for v in values]
            pairs.append(("cursor", str(offset + limit)))
            link = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)
            headers["Link"] = f'<{self.demo.url}/api/models?{link}>; rel="next"'
        self._send(200, json.dumps([m.info() for m in models[offset : offset + limit]]), headers, head=head)

    def _route_info(self, match: re.Match[str], query: dict[str, list[str]], repo: HubRepo, head: bool) -> None:
        if self._slowed(repo, head):
            return
        self._send(200, json.dumps(repo.info()), head=head)

    def _slowed(self, repo: HubRepo, head: bool) -> bool:
        """Answer 429 with Retry-After while the repository's rate limit lasts (the client counts it down)."""
        if not self.demo.take_slow_down(repo):
            return False
        self._send(429, "Too Many Requests", {"Retry-After": "2", "Content-Type": "text/plain"}, head=head)
        return True

    def _route_card(self, match: re.Match[str], query: dict[str, list[str]], repo: HubRepo, head: bool) -> None:
        sha = repo.commits[0]["id"] if repo.commits else "0" * 40
        headers = {"Content-Type": "text/plain; charset=utf-8", "X-Repo-Commit": sha, "ETag": f'"{sha}"'}
        self._send(200, repo.card, headers, head=head)

    def _route_commits(self, match: re.Match[str], query: dict[str, list[str]], repo: HubRepo, head: bool) -> None:
        if repo.gated:
            self._error(403, "GatedRepo", "Access to model is restricted. You must have access to it.", head)
            return
        if self._slowed(repo, head):
            return
        limit = max(1, min(int(query.get("limit", ["50"])[0]), 1000))
        page = int(query.get("p", ["0"])[0])
        chunk = repo.commits[page * limit : (page + 1) * limit]
        headers = {"X-Total-Count": str(len(repo.commits))}
        if (page + 1) * limit < len(repo.commits):
            url = f"{self.demo.url}/api/models/{repo.id}/commits/main?p={page + 1}&limit={limit}"
            headers["Link"] = f'<{url}>; rel="next"'
        self._send(200, json.dumps(chunk), headers, head=head)

    def _git(self, repo_id: str, path: str, query: str) -> None:
        """Serve git's smart HTTP from the demo's bare repository (written on first use)."""
        self.demo.git_path(repo_id)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = re.sub(r"\.git/", "/", path, count=1)
        status, headers, payload = git_http_backend(self.demo.git_root, path, query, self.command, self.headers, body)
        self._send(status, payload, headers)

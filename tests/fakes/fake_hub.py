"""A loopback fake of the Hugging Face Hub's HTTP API, started by tests and benchmarks.

It is a real HTTP/1.1 server on 127.0.0.1 (ThreadingHTTPServer in a thread) that the real
``huggingface_hub`` client talks to. It serves the model listing (with ``Link`` pagination),
model info, model cards, commit pages and every model's git repository (smart HTTP through
``git http-backend``: real commits whose ids the API gives too), and it can be scripted per path
to answer 429 with ``Retry-After`` or ``RateLimit``, 5xx, 404, gated 403, to answer slowly or to
drop the connection. Its write side (tokens, ``whoami-v2``, ``preupload``, git LFS uploads and the
NDJSON ``commit`` that opens pull requests) is ``tests.fakes.hub_commits``, as ``FakeHub.commits``.
Every request is logged so tests can count them (for example: offline makes none).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from core.demo.git_http import git_http_backend

T0 = dt.datetime(2023, 1, 2, 9, 30, 0, tzinfo=dt.UTC)


def fake_sha(*parts: object) -> str:
    """A stable 40-hex commit id from ``parts``."""
    return hashlib.sha1("\x1f".join(map(str, parts)).encode()).hexdigest()


@dataclass
class FakeCommit:
    """One commit of a fake HF repository."""

    id: str
    title: str
    message: str
    date: dt.datetime
    authors: list[str] = field(default_factory=lambda: ["alice"])
    files: list[tuple[str, str]] = field(default_factory=list)  # (status letter, path)
    parents: list[str] = field(default_factory=list)


@dataclass
class FakeModel:
    """One model repository on the fake Hub; ``commits`` are newest first, like the Hub's API."""

    id: str
    downloads: int = 50_000
    likes: int = 3
    pipeline_tag: str | None = "fill-mask"
    created_at: dt.datetime = T0
    gated: str | bool = False
    private: bool = False
    card: str = ""
    card_data: dict[str, Any] | None = None
    commits: list[FakeCommit] = field(default_factory=list)
    tree: dict[str, bytes] = field(default_factory=dict)  # the files at the head of main
    objects: dict[str, bytes] = field(default_factory=dict)  # git objects by id (header + body)

    @property
    def sha(self) -> str:
        """The head commit id of main."""
        return self.commits[0].id if self.commits else "0" * 40

    @property
    def last_modified(self) -> dt.datetime:
        """The time of the newest commit."""
        return self.commits[0].date if self.commits else self.created_at

    def add_commits(self, n: int, *, start: dt.datetime | None = None, title: str = "Update") -> list[FakeCommit]:
        """Push ``n`` new commits on top of main (one day apart) and return them, oldest first.

        Each is a real git commit (ids computed as git does), which the fake serves over git's
        smart HTTP too: README.md changes every time, ``model.safetensors`` (an LFS pointer)
        every third commit.
        """
        when = start or (self.commits[0].date + dt.timedelta(days=1) if self.commits else self.created_at)
        new = []
        for _ in range(n):
            index = len(self.commits)
            parents = [self.commits[0].id] if self.commits else []
            files = [("A", ".gitattributes"), ("A", "README.md")] if index == 0 else [("M", "README.md")]
            if index % 3 == 2:
                files.append(("A" if index == 2 else "M", "model.safetensors"))
            for _status, path in files:
                self.tree[path] = _content(self.id, path, index)
            text = f"{title} {index}\n\nbody of {index}\n" if index else "initial commit\n"
            head = text.split("\n", 1)[0]
            commit = FakeCommit(
                id=self._store_commit(text, when, parents),
                title=head,
                message=text[len(head) :].rstrip("\n"),  # the Hub's ``message``: what follows the title
                date=when,
                files=files,
                parents=parents,
            )
            self.commits.insert(0, commit)
            new.append(commit)
            when += dt.timedelta(days=1)
        return new

    def _store(self, kind: str, body: bytes) -> str:
        data = f"{kind} {len(body)}\0".encode() + body
        sha = hashlib.sha1(data).hexdigest()
        self.objects[sha] = data
        return sha

    def _store_commit(self, text: str, when: dt.datetime, parents: list[str]) -> str:
        entries = b"".join(
            b"100644 " + path.encode() + b"\0" + bytes.fromhex(self._store("blob", data))
            for path, data in sorted(self.tree.items())  # flat tree: git orders entries by name
        )
        author = f"alice <alice@users.noreply.huggingface.co> {int(when.timestamp())} +0000"
        header = f"tree {self._store('tree', entries)}\n" + "".join(f"parent {p}\n" for p in parents)
        body = f"{header}author {author}\ncommitter {author}\n\n{text}"
        return self._store("commit", body.encode())

    def write_git(self, path: Path) -> None:
        """Write this model's git objects and ``main`` into a bare repository at ``path`` (made if absent)."""
        import zlib

        if not (path / "HEAD").exists():
            subprocess.run(["git", "init", "--quiet", "--bare", "--initial-branch=main", str(path)], check=True)
            for key in ("uploadpack.allowFilter", "uploadpack.allowAnySHA1InWant"):
                subprocess.run(["git", "config", key, "true"], cwd=path, check=True)
        for sha, data in self.objects.items():
            target = path / "objects" / sha[:2] / sha[2:]
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zlib.compress(data))
        (path / "refs" / "heads" / "main").write_text(self.sha + "\n")


def _content(model: str, path: str, index: int) -> bytes:
    if path == "model.safetensors":
        oid = hashlib.sha256(f"{model}:{index}".encode()).hexdigest()
        return f"version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {1000 + index}\n".encode()
    if path == ".gitattributes":
        return b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n"
    return f"# {model}\n\nversion {index}\n".encode()


@dataclass
class Reply:
    """A scripted answer: a status with headers and body, and/or a delay before answering.

    ``status=None`` means "after the delay, answer normally" (a slow response).
    """

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""
    delay: float = 0.0
    echo_auth: bool = False  # put the request's Authorization header into the body (token-leak tests)
    drop: bool = False  # close the connection without answering (a network failure mid-request)


@dataclass(frozen=True)
class Request:
    """A request the fake received."""

    method: str
    path: str
    query: dict[str, list[str]]
    authorization: str | None


@dataclass
class _Rule:
    pattern: re.Pattern[str]
    reply: Reply
    remaining: int


def _iso(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakeHub:
    """The fake Hub server. Use as a context manager or call start()/stop()."""

    def __init__(
        self,
        *,
        token: str | None = None,
        listing_page_cap: int = 1000,
        commit_page_default: int = 50,
        latency: float = 0.0,
        git_root: Path | None = None,
    ):
        self.models: dict[str, FakeModel] = {}
        self.latency = latency  # added to every answer, to stand in for a real round trip
        # Bare repositories served over git's smart HTTP (git http-backend): those of
        # add_model_from_git, and the ones written on demand for add_model's models.
        self._own_root = git_root is None
        self.git_root = git_root or Path(tempfile.mkdtemp(prefix="fake-hub-git-"))
        self.token = token  # a request with "Bearer <token>" may see private and gated repos
        self.listing_page_cap = listing_page_cap
        self.commit_page_default = commit_page_default
        self.requests: list[Request] = []
        self._rules: list[_Rule] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        from tests.fakes.hub_commits import CommitApi

        self.commits = CommitApi(self)  # the write side: tokens, whoami, preupload, LFS, commit

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> FakeHub:
        """Start serving on a free loopback port."""
        hub = self

        class Handler(_Handler):
            fake = hub

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-hub", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the server."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._own_root:
            shutil.rmtree(self.git_root, ignore_errors=True)

    def __enter__(self) -> FakeHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:PORT``."""
        assert self._server is not None, "start() the fake hub first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- content -----------------------------------------------------------------------------

    def add_model(self, model_id: str, *, commits: int = 3, **fields: Any) -> FakeModel:
        """Add a model with ``commits`` commits on main (one day apart from its creation)."""
        model = FakeModel(id=model_id, **fields)
        model.add_commits(commits)
        self.models[model_id] = model
        return model

    def add_model_from_git(self, model_id: str, path: Path, **fields: Any) -> FakeModel:
        """Add a model whose history is the git repository at ``path`` (served too, with ``git_root``).

        API commits and the git protocol then describe one history, with real ids.
        """
        import git

        repo = git.Repo(path)
        raw = repo.git.log("--no-renames", "--name-status", "--format=%x00%H", "HEAD")
        files: dict[str, list[tuple[str, str]]] = {}
        for record in raw.split("\x00")[1:]:
            sha, _, rest = record.partition("\n")
            files[sha] = [(line[0], line.split("\t", 1)[1]) for line in rest.splitlines() if "\t" in line]
        model = FakeModel(id=model_id, **fields)
        for commit in repo.iter_commits("HEAD"):
            text = str(commit.message)
            title = text.partition("\n")[0]
            model.commits.append(
                FakeCommit(
                    id=commit.hexsha,
                    title=title,
                    message=text[len(title) :].rstrip(),  # as the Hub gives it: what follows the title
                    date=commit.authored_datetime.astimezone(dt.UTC),
                    authors=[str(commit.author.name)],
                    files=files.get(commit.hexsha, []),
                    parents=[p.hexsha for p in commit.parents],
                )
            )
        repo.close()
        self.models[model_id] = model
        return model

    # -- scripting ---------------------------------------------------------------------------

    def script(self, path_regex: str, reply: Reply, times: int = 1) -> None:
        """Answer the next ``times`` requests whose path matches ``path_regex`` with ``reply``."""
        with self._lock:
            self._rules.append(_Rule(re.compile(path_regex), reply, times))

    def count(self, path_regex: str = "") -> int:
        """Number of requests received whose path matches ``path_regex`` (all when empty)."""
        pattern = re.compile(path_regex)
        with self._lock:
            return sum(1 for r in self.requests if pattern.search(r.path))

    def reset_log(self) -> None:
        """Forget the requests received so far."""
        with self._lock:
            self.requests.clear()

    def _take_rule(self, path: str) -> Reply | None:
        with self._lock:
            for rule in self._rules:
                if rule.remaining > 0 and rule.pattern.search(path):
                    rule.remaining -= 1
                    return rule.reply
        return None

    def _log(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)

    # -- API ---------------------------------------------------------------------------------

    def authorized(self, authorization: str | None) -> bool:
        """True if the request carries the fake's token."""
        if self.token is None or not authorization:
            return False
        if authorization == f"Bearer {self.token}":
            return True
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "basic":  # git sends user:token
            import base64

            with contextlib.suppress(ValueError):
                return base64.b64decode(value).decode().partition(":")[2] == self.token
        return False

    def model_json(self, model: FakeModel) -> dict[str, Any]:
        """The Hub's model-info payload."""
        owner = model.id.split("/")[0]
        data: dict[str, Any] = {
            "_id": fake_sha("_id", model.id)[:24],
            "id": model.id,
            "modelId": model.id,
            "author": owner,
            "sha": model.sha,
            "downloads": model.downloads,
            "likes": model.likes,
            "pipeline_tag": model.pipeline_tag,
            "createdAt": _iso(model.created_at),
            "lastModified": _iso(model.last_modified),
            "gated": model.gated,
            "private": model.private,
            "disabled": False,
            "tags": ["transformers", model.pipeline_tag or "other"],
            "library_name": "transformers",
        }
        if model.card_data is not None:
            data["cardData"] = model.card_data
        return data

    def commit_json(self, commit: FakeCommit) -> dict[str, Any]:
        """The Hub's commit-list entry."""
        return {
            "id": commit.id,
            "authors": [{"user": a, "avatar": f"/avatars/{a}.svg"} for a in commit.authors],
            "date": _iso(commit.date),
            "title": commit.title,
            "message": commit.message,
        }  # the real Hub sends no parents


_MODEL_PATH = r"(?P<repo>[^/]+/[^/]+)"
_GIT_RE = re.compile(r"^/(?P<repo>[^/]+/[^/]+?)(?:\.git)?/(?:info/refs|git-upload-pack|HEAD)$")
_ROUTES = (
    ("listing", re.compile(r"^/api/models/?$")),
    ("commits", re.compile(rf"^/api/models/{_MODEL_PATH}/commits/(?P<rev>[^/]+)$")),
    ("info", re.compile(rf"^/api/models/{_MODEL_PATH}(?:/revision/(?P<rev>[^/]+))?$")),
    ("file", re.compile(rf"^/{_MODEL_PATH}/(?:resolve|raw)/(?P<rev>[^/]+)/(?P<file>.+)$")),
)


class _Handler(BaseHTTPRequestHandler):
    fake: FakeHub
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one write, without Nagle: otherwise every keep-alive answer
    # waits ~40 ms for a delayed ACK, which would swamp what the benchmarks measure.
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # keep test output quiet

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        self._handle(head=True)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._handle(head=False)

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        self._handle(head=False)

    def do_PUT(self) -> None:  # noqa: N802 - stdlib naming
        self._handle(head=False)

    # -- plumbing ----------------------------------------------------------------------------

    def _send(
        self, status: int, body: bytes | str = b"", headers: dict[str, str] | None = None, *, head: bool = False
    ) -> None:
        data = body.encode() if isinstance(body, str) else body
        try:
            self.send_response(status)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            if not any(k.lower() == "content-type" for k in (headers or {})):
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if not head:
                self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout tests)

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None, *, head: bool = False) -> None:
        self._send(status, json.dumps(payload), headers, head=head)

    def _error(self, status: int, code: str | None, message: str, *, head: bool = False) -> None:
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self._json(status, {"error": message}, headers, head=head)

    def _handle(self, *, head: bool) -> None:
        split = urlsplit(self.path)
        path = split.path
        query = parse_qs(split.query)
        auth = self.headers.get("Authorization")
        fake = self.fake
        fake._log(Request(self.command, path, query, auth))
        if fake.latency:
            time.sleep(fake.latency)
        reply = fake._take_rule(path)
        if reply is not None:
            if reply.delay:
                time.sleep(reply.delay)
            if reply.drop:
                self.close_connection = True
                with contextlib.suppress(OSError):
                    self.connection.shutdown(socket.SHUT_RDWR)
                return
            if reply.status is not None:
                body = reply.body + (f" auth={auth}" if reply.echo_auth else "")
                self._send(reply.status, body, {"Content-Type": "text/plain", **reply.headers}, head=head)
                return
        if fake.commits.handle(self, self.command, path, query, auth):
            return
        git_match = _GIT_RE.match(path)
        if git_match:
            model = fake.models.get(git_match.group("repo"))
            if model is not None and (model.private or model.gated) and not fake.authorized(auth):
                self._send(401, "Repository not found", {"WWW-Authenticate": 'Basic realm="fake hub"'}, head=head)
                return
            if model is not None and model.objects:
                with fake._lock:
                    model.write_git(fake.git_root / model.id)
            self._git(path, split.query)
            return
        for name, pattern in _ROUTES:
            match = pattern.match(path)
            if match:
                getattr(self, f"_route_{name}")(match, query, auth, head)
                return
        self._error(404, None, "Not Found", head=head)

    def _git(self, path: str, query: str) -> None:
        """Serve git's smart HTTP protocol through ``git http-backend`` (a CGI program)."""
        assert self.fake.git_root is not None
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        status, headers, payload = git_http_backend(self.fake.git_root, path, query, self.command, self.headers, body)
        self._send(status, payload, headers)

    def _model(self, repo: str, auth: str | None, head: bool) -> FakeModel | None:
        model = self.fake.models.get(repo)
        if model is None or (model.private and not self.fake.authorized(auth)):
            # The real Hub answers an anonymous client 401 for a repository it cannot show,
            # missing or private alike (dependency notes); a client with a token gets 404 for a
            # missing one and 401 for a private one it may not read.
            status = 401 if model is not None or auth is None else 404
            self._error(status, "RepoNotFound", "Repository not found", head=head)
            return None
        return model

    def _gate(self, model: FakeModel, auth: str | None, head: bool) -> bool:
        if model.gated and not self.fake.authorized(auth):
            self._error(403, "GatedRepo", "Access to model is restricted. You must have access to it.", head=head)
            return False
        return True

    # -- routes ------------------------------------------------------------------------------

    def _route_listing(self, match: re.Match[str], query: dict[str, list[str]], auth: str | None, head: bool) -> None:
        models = [m for m in self.fake.models.values() if not m.private]
        if "pipeline_tag" in query:
            models = [m for m in models if m.pipeline_tag == query["pipeline_tag"][0]]
        if "author" in query:
            models = [m for m in models if m.id.split("/")[0].lower() == query["author"][0].lower()]
        if "search" in query:
            needle = query["search"][0].lower()
            models = [m for m in models if needle in m.id.lower()]
        sort = query.get("sort", ["downloads"])[0]
        if sort == "downloads":
            models.sort(key=lambda m: (-m.downloads, m.id))
        limit = min(int(query.get("limit", ["1000"])[0]), self.fake.listing_page_cap)
        offset = int(query.get("cursor", ["0"])[0])
        page = models[offset : offset + limit]
        headers = {}
        if offset + limit < len(models):
            params = {k: v for k, v in query.items() if k != "cursor"}
            pairs = [(k, x) for k, values in params.items() for x in values] + [("cursor", str(offset + limit))]
            qs = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)
            headers["Link"] = f'<{self.fake.url}/api/models?{qs}>; rel="next"'
        self._json(200, [self.fake.model_json(m) for m in page], headers, head=head)

    def _route_info(self, match: re.Match[str], query: dict[str, list[str]], auth: str | None, head: bool) -> None:
        model = self._model(match.group("repo"), auth, head)
        if model is not None:
            self._json(200, self.fake.model_json(model), head=head)

    def _route_commits(self, match: re.Match[str], query: dict[str, list[str]], auth: str | None, head: bool) -> None:
        model = self._model(match.group("repo"), auth, head)
        if model is None or not self._gate(model, auth, head):
            return
        if match.group("rev") != "main":
            self._error(404, "RevisionNotFound", "Invalid rev id", head=head)
            return
        limit = min(int(query.get("limit", [str(self.fake.commit_page_default)])[0]), 1000)
        page_no = int(query.get("p", ["0"])[0])
        page = model.commits[page_no * limit : (page_no + 1) * limit]
        headers = {"X-Total-Count": str(len(model.commits))}
        if (page_no + 1) * limit < len(model.commits):
            url = f"{self.fake.url}/api/models/{model.id}/commits/main?p={page_no + 1}&limit={limit}"
            headers["Link"] = f'<{url}>; rel="next"'
        self._json(200, [self.fake.commit_json(c) for c in page], headers, head=head)

    def _route_file(self, match: re.Match[str], query: dict[str, list[str]], auth: str | None, head: bool) -> None:
        model = self._model(match.group("repo"), auth, head)
        if model is None:
            return
        if match.group("file") != "README.md" or not model.card:
            self._error(404, "EntryNotFound", "Entry not found", head=head)
            return
        headers = {"Content-Type": "text/plain; charset=utf-8", "X-Repo-Commit": model.sha, "ETag": f'"{model.sha}"'}
        self._send(200, model.card, headers, head=head)

"""The fake Hub's write side: tokens with roles, ``whoami-v2``, ``preupload``, git LFS uploads, the NDJSON ``commit``.

It speaks what huggingface_hub 2.4.0 sends for ``HfApi.create_commit(..., create_pr=True)`` (read
in ``hf_api.py`` and ``_commit_api.py``): ``GET /api/whoami-v2`` (our token check), ``POST
/api/models/{id}/preupload/{rev}?create_pr=1`` with ``{"files": [{path, sample, size}]}`` answered
``{"files": [{path, uploadMode, shouldIgnore, oid}]}``; for ``lfs`` files the git LFS batch API
(``POST /{id}.git/info/lfs/objects/batch``, a ``PUT`` of the bytes, a verify ``POST``); then
``POST /api/models/{id}/commit/{rev}?create_pr=1`` with ``application/x-ndjson`` lines (a
``header`` with summary, description and parentCommit, then ``file`` lines with base64 content
and ``lfsFile`` lines naming an uploaded object), answered ``{commitUrl, commitOid,
pullRequestUrl}``. A commit is applied whole or refused: nothing of a refused one is kept.

Tokens: none → 401; unknown → 401 ``Invalid credentials in Authorization header``; a token
without write access → 403 on every write. The Hub's rule for upload modes is mimicked: binary
content (a NUL in the sample), more than 10 MB, or a ``.gitattributes`` LFS pattern → ``lfs``.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import re
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.fakes.fake_hub import FakeHub

REGULAR_MAX = 10 * 1024 * 1024  # larger files must go through large-file storage
_REPO = r"(?P<repo>[^/]+/[^/]+)"
_WHOAMI = re.compile(r"^/api/whoami-v2$")
_PREUPLOAD = re.compile(rf"^/api/models/{_REPO}/preupload/(?P<rev>[^/]+)$")
_COMMIT = re.compile(rf"^/api/models/{_REPO}/commit/(?P<rev>[^/]+)$")
_BATCH = re.compile(rf"^/{_REPO}\.git/info/lfs/objects/batch$")
_LFS_PUT = re.compile(r"^/lfs-upload/(?P<oid>[0-9a-f]{64})$")
_LFS_VERIFY = re.compile(r"^/lfs-verify/(?P<oid>[0-9a-f]{64})$")
_VALIDATE_YAML = re.compile(r"^/api/validate-yaml$")
_DISCUSSION = re.compile(rf"^/api/models/{_REPO}/discussions/(?P<num>\d+)$")


@dataclass(frozen=True)
class FakeToken:
    """A token the fake knows: whose it is, its role as whoami-v2 reports it, and whether it may write."""

    user: str
    role: str  # read, write, fineGrained
    can_write: bool


@dataclass
class ReceivedCommit:
    """A commit the fake accepted, with every file's bytes as they arrived (LFS files from their upload)."""

    repo: str
    revision: str
    create_pr: bool
    summary: str
    description: str
    parent: str | None
    files: dict[str, bytes]
    lfs_paths: list[str]
    deleted: list[str]
    oid: str
    pr_url: str | None


@dataclass
class CommitApi:
    """The write side of one fake Hub (``FakeHub.commits``)."""

    hub: FakeHub
    tokens: dict[str, FakeToken] = field(default_factory=dict)
    received: list[ReceivedCommit] = field(default_factory=list)
    lfs_objects: dict[str, bytes] = field(default_factory=dict)
    preuploads: list[dict[str, Any]] = field(default_factory=list)
    _discussions: dict[str, int] = field(default_factory=dict)
    pull_requests: dict[tuple[str, int], dict[str, Any]] = field(default_factory=dict)  # (repo, num) -> details
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add_token(self, token: str, *, user: str = "alice", role: str = "write", can_write: bool | None = None) -> None:
        """Let ``token`` in: ``role`` read cannot write; fineGrained writes only when ``can_write``."""
        self.tokens[token] = FakeToken(user, role, role == "write" if can_write is None else can_write)

    def reset(self) -> None:
        """Forget every commit, upload and pull request received (tokens stay)."""
        with self._lock:
            self.received.clear()
            self.preuploads.clear()
            self.lfs_objects.clear()
            self._discussions.clear()
            self.pull_requests.clear()

    def set_status(self, repo: str, number: int, status: str) -> None:
        """Merge or close a pull request, as a person would on the Hub (``merged``, ``closed``)."""
        with self._lock:
            self.pull_requests[(repo, number)]["status"] = status

    # -- dispatch ----------------------------------------------------------------------------

    def handle(self, handler: Any, method: str, path: str, query: dict[str, list[str]], auth: str | None) -> bool:
        """Answer a request of the write side; False when ``path`` is not one."""
        routes = (
            ("GET", _WHOAMI, self._whoami),
            ("POST", _PREUPLOAD, self._preupload),
            ("POST", _BATCH, self._batch),
            ("PUT", _LFS_PUT, self._lfs_put),
            ("POST", _LFS_VERIFY, self._lfs_verify),
            ("POST", _COMMIT, self._commit),
            ("POST", _VALIDATE_YAML, self._validate_yaml),
            ("GET", _DISCUSSION, self._discussion),
        )
        for verb, pattern, route in routes:
            match = pattern.match(path)
            if match and method == verb:
                length = int(handler.headers.get("Content-Length") or 0)
                body = handler.rfile.read(length) if length else b""
                route(handler, match, query, auth, body)
                return True
        return False

    def _token(self, auth: str | None) -> FakeToken | None:
        scheme, _, value = (auth or "").partition(" ")
        return self.tokens.get(value) if scheme.lower() == "bearer" else None

    def _writer(self, handler: Any, auth: str | None, repo: str | None) -> FakeToken | None:
        """The token of a write request, or None after answering 401/403/404 as the Hub does."""
        if not auth:
            handler._error(401, None, "Unauthorized: a token is needed to write")
            return None
        token = self._token(auth)
        if token is None:
            handler._error(401, None, "Invalid credentials in Authorization header")
            return None
        if not token.can_write:
            handler._error(403, None, "You don't have the rights to create a pull request: use a write token")
            return None
        if repo is not None and repo not in self.hub.models:
            handler._error(404, "RepoNotFound", "Repository not found")
            return None
        return token

    # -- routes ------------------------------------------------------------------------------

    def _whoami(self, handler: Any, match: re.Match[str], query: Any, auth: str | None, body: bytes) -> None:
        token = self._token(auth)
        if token is None:
            handler._error(401, None, "Invalid credentials in Authorization header")
            return
        handler._json(
            200,
            {
                "type": "user",
                "id": hashlib.sha1(token.user.encode()).hexdigest()[:24],
                "name": token.user,
                "fullname": token.user.title(),
                "email": f"{token.user}@example.org",
                "orgs": [],
                "auth": {"type": "access_token", "accessToken": {"displayName": "test token", "role": token.role}},
            },
        )

    def _preupload(self, handler: Any, match: re.Match[str], query: Any, auth: str | None, body: bytes) -> None:
        repo = match.group("repo")
        if self._writer(handler, auth, repo) is None:
            return
        payload = json.loads(body)
        with self._lock:
            self.preuploads.append({"repo": repo, "create_pr": query.get("create_pr") == ["1"], **payload})
        patterns = _lfs_patterns(self.hub, repo)
        files = []
        for item in payload["files"]:
            sample = base64.b64decode(item["sample"])
            lfs = b"\x00" in sample or item["size"] > REGULAR_MAX or _matches(item["path"], patterns)
            files.append(
                {
                    "path": item["path"],
                    "uploadMode": "lfs" if lfs else "regular",
                    "shouldIgnore": False,
                    "oid": _head_blob(self.hub, repo, item["path"]),
                }
            )
        handler._json(200, {"files": files, "commitOid": self.hub.models[repo].sha})

    def _batch(self, handler: Any, match: re.Match[str], query: Any, auth: str | None, body: bytes) -> None:
        if self._writer(handler, auth, match.group("repo")) is None:
            return
        payload = json.loads(body)
        objects = []
        for item in payload["objects"]:
            entry: dict[str, Any] = {"oid": item["oid"], "size": item["size"], "authenticated": True}
            if item["oid"] not in self.lfs_objects:
                entry["actions"] = {
                    "upload": {"href": f"{self.hub.url}/lfs-upload/{item['oid']}", "header": {}},
                    "verify": {"href": f"{self.hub.url}/lfs-verify/{item['oid']}", "header": {}},
                }
            objects.append(entry)
        handler._json(200, {"transfer": "basic", "objects": objects}, {"Content-Type": "application/vnd.git-lfs+json"})

    def _lfs_put(self, handler: Any, match: re.Match[str], query: Any, auth: str | None, body: bytes) -> None:
        oid = match.group("oid")
        if hashlib.sha256(body).hexdigest() != oid:
            handler._error(400, None, "content does not match its sha256")
            return
        with self._lock:
            self.lfs_objects[oid] = body
        handler._send(200, b"", {"Content-Type": "text/plain"})

    def _lfs_verify(self, handler: Any, match: re.Match[str], query: Any, auth: str | None, body: bytes) -> None:
        oid = match.group("oid")
        stored = self.lfs_objects.get(oid)
        if stored is None or len(stored) != json.loads(body).get("size"):
            handler._error(404, None, "object not uploaded")
            return
        handler._json(200, {})

    def _discussion(self, handler: Any, match: re.Match[str], query: Any, auth: str | None, body: bytes) -> None:
        details = self.pull_requests.get((match.group("repo"), int(match.group("num"))))
        if details is None:
            handler._error(404, None, "Discussion not found")
            return
        handler._json(200, details)

    def _validate_yaml(self, handler: Any, match: re.Match[str], query: Any, auth: str | None, body: bytes) -> None:
        handler._json(200, {"errors": [], "warnings": []})

    def _commit(self, handler: Any, match: re.Match[str], query: Any, auth: str | None, body: bytes) -> None:
        repo, revision = match.group("repo"), match.group("rev")
        token = self._writer(handler, auth, repo)
        if token is None:
            return
        if handler.headers.get("Content-Type") != "application/x-ndjson":
            handler._error(400, None, "expected application/x-ndjson")
            return
        lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        if not lines or lines[0].get("key") != "header":
            handler._error(400, None, "the first line must be the header")
            return
        header = lines[0]["value"]
        model = self.hub.models[repo]
        parent = header.get("parentCommit")
        if parent is not None and model.commits and parent not in {c.id for c in model.commits}:
            handler._error(400, None, f"Invalid parentCommit {parent}")
            return
        files: dict[str, bytes] = {}
        lfs_paths: list[str] = []
        deleted: list[str] = []
        for line in lines[1:]:
            key, value = line["key"], line["value"]
            if key == "file":
                files[value["path"]] = base64.b64decode(value["content"])
            elif key == "lfsFile":
                stored = self.lfs_objects.get(value["oid"])
                if stored is None:
                    handler._error(400, None, f"LFS object {value['oid']} was not uploaded")
                    return
                files[value["path"]] = stored
                lfs_paths.append(value["path"])
            elif key in ("deletedFile", "deletedFolder"):
                deleted.append(value["path"])
            else:
                handler._error(400, None, f"unknown line {key!r}")
                return
        create_pr = query.get("create_pr") == ["1"]
        oid = hashlib.sha1(body).hexdigest()
        with self._lock:
            number = self._discussions.get(repo, 0) + 1 if create_pr else None
            if number is not None:
                self._discussions[repo] = number
            pr_url = f"{self.hub.url}/{repo}/discussions/{number}" if number is not None else None
            if number is not None:  # the Hub's discussion details, as get_discussion_details reads them
                self.pull_requests[(repo, number)] = {
                    "num": number,
                    "title": header["summary"],
                    "status": "open",
                    "isPullRequest": True,
                    "createdAt": "2024-01-01T00:00:00.000Z",
                    "author": {"name": token.user},
                    "repo": {"name": repo, "type": "model"},
                    "events": [],
                    "changes": {"base": f"refs/heads/{revision}"},
                    "filesWithConflicts": [],
                }
            self.received.append(
                ReceivedCommit(
                    repo,
                    revision,
                    create_pr,
                    header["summary"],
                    header.get("description", ""),
                    parent,
                    files,
                    lfs_paths,
                    deleted,
                    oid,
                    pr_url,
                )
            )
        answer: dict[str, Any] = {"success": True, "commitOid": oid, "commitUrl": f"{self.hub.url}/{repo}/commit/{oid}"}
        if pr_url is not None:
            answer["pullRequestUrl"] = pr_url
        handler._json(200, answer)


def _head_file(hub: FakeHub, repo: str, path: str) -> bytes | None:
    """A file at the head of the model's main branch (its tree, or the git repository it was made from)."""
    model = hub.models[repo]
    if model.tree:
        return model.tree.get(path)
    where = hub.git_root / repo
    if not where.exists():
        return None
    done = subprocess.run(["git", "cat-file", "blob", f"HEAD:{path}"], cwd=where, capture_output=True)
    return done.stdout if done.returncode == 0 else None


def _head_blob(hub: FakeHub, repo: str, path: str) -> str | None:
    data = _head_file(hub, repo, path)
    return None if data is None else hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def _lfs_patterns(hub: FakeHub, repo: str) -> list[str]:
    text = (_head_file(hub, repo, ".gitattributes") or b"").decode("utf-8", "replace")
    return [line.split()[0] for line in text.splitlines() if "filter=lfs" in line.split()[1:]]


def _matches(path: str, patterns: list[str]) -> bool:
    name = Path(path).name
    return any(fnmatch.fnmatch(path if "/" in p else name, p) for p in patterns)

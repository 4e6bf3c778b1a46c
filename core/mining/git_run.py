"""Provides run_git(): one git subprocess that never prompts, can time out and can be cancelled.

Network git commands (clone, fetch, ls-remote) must never wait on a password prompt: the
environment sets ``GIT_TERMINAL_PROMPT=0`` and a no-op ``GIT_ASKPASS``, and the command line
clears credential helpers. A token travels as an ``http.<base>/.extraHeader`` given through
``GIT_CONFIG_COUNT``/``GIT_CONFIG_KEY_n``/``GIT_CONFIG_VALUE_n``: it is on no command line
(visible in ``ps``) and in no remote URL (stored in the clone's config).
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from core.mining import failures as st
from core.mining.failures import SourceFailure
from core.progress import CancelToken

# Prepended to every network command: no credential helper may pop up a dialog or read a keychain.
NO_PROMPT_OPTIONS = ("-c", "credential.helper=", "-c", "core.askPass=", "-c", "core.quotePath=false")
_POLL = 0.1
_AUTH_RE = re.compile(
    r"terminal prompts disabled|authentication failed|could not read (username|password)|error: 40[13]\b"
    r"|permission denied|access denied"
)
_SERVER_RE = re.compile(r"error: 5\d\d\b|internal server error|bad gateway|service unavailable")


@dataclass(frozen=True)
class GitResult:
    """What a finished git command printed."""

    stdout: bytes
    stderr: str


def git_env(
    base_url: str, token: str | None, environ: Mapping[str, str] | None = None, *, user: str = "x-access-token"
) -> dict[str, str]:
    """Return the environment for network git commands against ``base_url``.

    Args:
        base_url: Where repositories live (``https://github.com``, an Enterprise URL, ``file://``).
        token: A token for private repositories, sent only to ``base_url`` over http(s).
        environ: The environment to start from (``os.environ`` when None).
        user: The user name paired with the token in Basic auth (GitHub: ``x-access-token``).
    """
    env = dict(os.environ if environ is None else environ)
    env.update(
        {
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_ASKPASS": "true",  # a no-op: an empty answer makes git fail instead of asking
            "SSH_ASKPASS": "true",
            "GCM_INTERACTIVE": "never",
            "GIT_SSH_COMMAND": env.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes"),
            # ext:: and other transports could run commands; only these are allowed.
            "GIT_ALLOW_PROTOCOL": "file:http:https:ssh:git",
            "LC_ALL": "C",
            "LANGUAGE": "C",
        }
    )
    if token and base_url.lower().startswith(("http://", "https://")):
        index = int(env.get("GIT_CONFIG_COUNT", "0") or "0")
        basic = base64.b64encode(f"{user}:{token}".encode()).decode()
        env[f"GIT_CONFIG_KEY_{index}"] = f"http.{base_url.rstrip('/')}/.extraHeader"
        env[f"GIT_CONFIG_VALUE_{index}"] = f"Authorization: Basic {basic}"
        env["GIT_CONFIG_COUNT"] = str(index + 1)
    return env


_LIVE: set[subprocess.Popen[bytes]] = set()
_LIVE_LOCK = threading.Lock()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    # git runs helpers (git-remote-https, ssh) in its process group; they hold the pipes open,
    # so killing git alone would leave us waiting on them.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


def kill_running() -> None:
    """Kill every git command started by run_git that is still running (on interrupt)."""
    with _LIVE_LOCK:
        live = list(_LIVE)
    for proc in live:
        _kill(proc)


def run_git(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: Mapping[str, str],
    timeout: float,
    cancel: CancelToken | None = None,
    secrets: Sequence[str | None] = (),
    what: str = "git",
    stdin: bytes | None = None,
) -> GitResult:
    """Run ``git <NO_PROMPT_OPTIONS> <args>`` through GitPython and return its output.

    git runs in its own process group, polled so that a cancel request, the timeout or
    ``kill_running`` kills it and its helpers promptly.

    ``stdin`` is written to git's standard input (``cat-file --batch`` reads ids there).

    Raises:
        SourceFailure: git failed (status from its message), timed out, or git is missing.
        Cancelled: The token was cancelled; the process was killed first.
    """
    import git

    command = ["git", *NO_PROMPT_OPTIONS, *args]
    runner = git.Git(str(cwd) if cwd else None)
    try:
        handle = runner.execute(
            command, as_process=True, env=dict(env), start_new_session=True, istream=subprocess.PIPE
        )
    except git.GitCommandNotFound:
        raise SourceFailure(st.ERROR, "git is not installed", "install git (2.25 or newer)") from None
    proc = handle.proc
    assert proc is not None  # as_process=True always starts one
    with _LIVE_LOCK:
        _LIVE.add(proc)
    deadline = time.monotonic() + timeout
    pending: bytes | None = stdin or b""  # communicate() closes stdin after writing it, on the first call only
    try:
        while True:
            try:
                out, err = proc.communicate(pending, timeout=_POLL)
                break
            except subprocess.TimeoutExpired:
                pending = None
                if cancel is not None and cancel.cancelled:
                    _kill(proc)
                    proc.communicate()
                    cancel.check()
                if time.monotonic() > deadline:
                    _kill(proc)
                    proc.communicate()
                    raise SourceFailure(
                        st.TIMEOUT,
                        f"{what}: git gave no result within {timeout:g} s",
                        "raise github.timeout, or sync again",
                        secrets=secrets,
                    ) from None
    finally:
        if proc.poll() is None:
            _kill(proc)
        with _LIVE_LOCK:
            _LIVE.discard(proc)
    stderr = (err or b"").decode("utf-8", "replace")
    if proc.returncode != 0:
        raise classify_git_error(stderr, what, secrets)
    return GitResult(out or b"", stderr)


def classify_git_error(stderr: str, what: str, secrets: Sequence[str | None] = ()) -> SourceFailure:
    """Turn git's error output into a SourceFailure with a sync_state status and a hint."""
    low = stderr.lower()
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    message = next(
        (line for line in lines if line.lower().startswith(("fatal:", "error:"))), lines[-1] if lines else ""
    )
    detail = f"{what}: {message or 'git failed'}"
    if _AUTH_RE.search(low):
        return SourceFailure(
            st.UNAUTHORIZED,
            detail,
            "private repository? set GITHUB_TOKEN or GH_TOKEN (or github.token)",
            secrets=secrets,
        )
    if any(
        s in low
        for s in ("not found", "does not appear to be a git repository", "does not exist", "no such file or directory")
    ):
        return SourceFailure(
            st.NOT_FOUND, detail, "check the GitHub link (`ptlm-tui link MODEL OWNER/REPO`)", secrets=secrets
        )
    if any(
        s in low
        for s in (
            "could not resolve host",
            "failed to connect",
            "connection refused",
            "network is unreachable",
            "connection timed out",
            "couldn't connect",
        )
    ):
        return SourceFailure(st.NETWORK, detail, "check your connection or github.base_url", secrets=secrets)
    if any(s in low for s in ("operation timed out", "timed out")):
        return SourceFailure(st.TIMEOUT, detail, "sync again later", secrets=secrets)
    if _SERVER_RE.search(low):
        return SourceFailure(st.SERVER_ERROR, detail, "the server is having trouble; sync again later", secrets=secrets)
    return SourceFailure(
        st.ERROR, detail, "see `ptlm-tui status`; remove the clone in the cache to start over", secrets=secrets
    )

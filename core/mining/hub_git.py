"""Provides the HF side's git history: a partial clone of each model repository, kept and fetched incrementally.

HF changed files come from git only. The model's repository (``<hub endpoint>/<model id>``) is
cloned bare, keeping only blobs under 1 KiB (``git_history.SMALL_BLOBS``: the LFS pointers and
small configs; weights are LFS content, never in git), and fetched on later syncs like a
GitHub repository. The history is read with the same ``git log --raw`` as GitHub's: commits
(git's own authors, messages and parents) and file changes with their blob ids. The transfer
is incremental; the read is whole (model repositories hold tens of commits, and reading them
all costs a few milliseconds and no bookkeeping of what was read before).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from core.mining import failures as st
from core.mining.failures import SourceFailure
from core.mining.git_blobs import clone_lfs_pointers
from core.mining.git_clones import SMALL_BLOBS, CloneState, update_clone
from core.mining.git_log import History, parse_history, read_log
from core.mining.repo_ids import require_repo_id
from core.progress import CancelToken

_HINTS = {
    st.NOT_FOUND: "check the model id; the Hub answers 'not found' for private models without a token too",
    st.UNAUTHORIZED: "a private or gated model: set HF_TOKEN (or run `hf auth login`) with access to it",
    st.NETWORK: "check your connection or hub.endpoint / HF_ENDPOINT",
}


@dataclass(frozen=True)
class HubHistory:
    """A model repository's clone after a fetch, and the history read from it."""

    clone: CloneState
    history: History  # the whole branch: HF histories are short, and a full read needs no bookkeeping
    lfs_pointers: frozenset[str]  # the git LFS pointer blobs among its versions (drift never links them)


def hub_git_url(endpoint: str, model: str) -> str:
    """Return the git URL of ``model`` on the Hub at ``endpoint`` (validated id; no credentials)."""
    require_repo_id(model, "model")
    return f"{endpoint.rstrip('/')}/{model}"


def fetch_hub_history(
    model: str,
    *,
    family: str,
    url: str,
    clone_path: Path,
    env: Mapping[str, str],
    timeout: float,
    cancel: CancelToken | None = None,
    secrets: tuple[str | None, ...] = (),
) -> HubHistory:
    """Clone or fetch ``model``'s repository and read its main branch's history and LFS pointer blobs.

    Args:
        model: The model id (``owner/name``).
        family: Family id for the commit rows.
        url: The repository's git URL (``hub_git_url(endpoint, model)``).
        clone_path: The clone inside the cache (``core.paths.git_clone_dir(cache, "huggingface", id)``).
        env: From ``git_env(endpoint, token, user=...)``: no prompts, the token as a header.
        timeout: Seconds for the clone or fetch.
        cancel: Kills git when set.
        secrets: Tokens to redact from messages.

    Raises:
        SourceFailure: The repository could not be cloned, fetched or read (status for sync_state).
    """
    from core.models import HUGGINGFACE

    try:
        state = update_clone(
            url,
            clone_path,
            env=env,
            timeout=timeout,
            cancel=cancel,
            secrets=secrets,
            what=model,
            filter_spec=SMALL_BLOBS,
        )
    except SourceFailure as exc:  # git's hints speak of GitHub; say what to do about a model
        raise SourceFailure(
            exc.status, exc.detail, _HINTS.get(exc.status, exc.hint), retry_after=exc.retry_after, secrets=secrets
        ) from None
    raw = read_log(clone_path, timeout=timeout) if state.after is not None else b""
    pointers = clone_lfs_pointers(clone_path, env, timeout=timeout) if state.after is not None else set()
    return HubHistory(state, parse_history(raw, family=family, repo=model, platform=HUGGINGFACE), frozenset(pointers))

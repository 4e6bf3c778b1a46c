"""Provides what the Hub's JSON answers become: HubModel, HubCommit and their parsers.

Everything here is untrusted input: a model id that is not a safe ``owner/name`` is dropped,
missing or odd fields become None, and nothing is evaluated.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from core.errors import InputError
from core.mining.repo_ids import require_repo_id


@dataclass(frozen=True, slots=True)
class HubModel:
    """What the Hub says about one model (from the listing or model info)."""

    id: str
    sha: str | None
    downloads: int | None
    likes: int | None
    pipeline_tag: str | None
    created_at: dt.datetime | None
    last_modified: dt.datetime | None
    gated: str | None  # "auto", "manual", or None when not gated
    private: bool
    card_data: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class HubCommit:
    r"""One commit of an HF repository's main branch, as the Hub's commit list gives it.

    ``message`` is what follows the title in the commit's text, as the Hub sends it: it may
    start with newlines (``"\n\n\n- ..."``). ``text`` puts the two back together.
    """

    id: str
    authors: tuple[str, ...]
    created_at: dt.datetime
    title: str
    message: str
    parents: tuple[str, ...] = ()

    @property
    def author(self) -> str:
        """The commit's author as git records it: the first of the Hub's authors (co-authors follow)."""
        return self.authors[0] if self.authors else ""

    @property
    def text(self) -> str:
        """The full commit message as git has it (trailing whitespace dropped, as for GitHub)."""
        body = self.message
        if body.startswith(self.title):  # a server that sends the whole text
            return body.rstrip()
        if body.strip() and not body.startswith("\n"):  # a body without its separating blank line
            return f"{self.title}\n\n{body}".rstrip()
        return (self.title + body).rstrip()


def _time(value: object) -> dt.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.astimezone(dt.UTC) if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def parse_model(item: dict[str, Any]) -> HubModel | None:
    """Return a HubModel from the Hub's JSON, or None when the id is not a safe ``owner/name``."""
    model_id = item.get("id") or item.get("modelId")
    if not isinstance(model_id, str):
        return None
    try:
        require_repo_id(model_id, "model")
    except InputError:
        return None
    gated = item.get("gated")
    card_data = item.get("cardData")
    return HubModel(
        id=model_id,
        sha=item.get("sha") if isinstance(item.get("sha"), str) else None,
        downloads=_int(item.get("downloads")),
        likes=_int(item.get("likes")),
        pipeline_tag=item.get("pipeline_tag") if isinstance(item.get("pipeline_tag"), str) else None,
        created_at=_time(item.get("createdAt")),
        last_modified=_time(item.get("lastModified")),
        gated=gated if isinstance(gated, str) and gated else None,
        private=bool(item.get("private")),
        card_data=card_data if isinstance(card_data, dict) else None,
    )


def parse_commit(item: dict[str, Any]) -> HubCommit | None:
    """Return a HubCommit from one entry of the commits endpoint, or None if it has no id or date.

    Authors without a Hub account carry a ``name`` but no ``user``; huggingface_hub's own
    parser would fail on them, so we read both.
    """
    commit_id, when = item.get("id"), _time(item.get("date"))
    if not isinstance(commit_id, str) or when is None:
        return None
    authors = []
    for author in item.get("authors") or []:
        if isinstance(author, dict):
            name = author.get("user") or author.get("name") or author.get("email")
            if isinstance(name, str):
                authors.append(name)
    parents = item.get("parents")
    return HubCommit(
        id=commit_id,
        authors=tuple(authors),
        created_at=when,
        title=str(item.get("title") or ""),
        message=str(item.get("message") or ""),
        parents=tuple(p for p in parents if isinstance(p, str)) if isinstance(parents, list) else (),
    )

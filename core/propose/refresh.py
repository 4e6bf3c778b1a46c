"""Provides refresh_proposals(): ask the Hub what became of the open pull requests (merged, closed) and record it.

An open pull request keeps its files out of new proposals ("PR open"). Once someone merges or
closes it on the Hub, that is no longer true: a refresh reads each open pull request's status
(huggingface_hub's ``get_discussion_details``, one request each) and records ``merged`` or
``closed``, so a file whose pull request was closed unmerged can be proposed again without --force.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from core.errors import NetworkError
from core.propose.record import OPEN_STATE, record

if TYPE_CHECKING:
    from cache.store import CacheStore
    from core.config import Settings

MERGED = "merged"
CLOSED = "closed"
_NUMBER = re.compile(r"/discussions/(\d+)/?$")


@dataclass(frozen=True)
class Refreshed:
    """One open pull request looked at: its URL, the state now recorded, and why it could not be read."""

    pr_url: str
    state: str
    error: str = ""


def refresh_proposals(store: CacheStore, settings: Settings, families: Sequence[str] | None = None) -> list[Refreshed]:
    """Read the status of every open pull request (of ``families``) on the Hub and record merged or closed ones.

    Raises:
        NetworkError: Offline mode is on (nothing is asked).
    """
    if settings.offline:
        raise NetworkError("Offline mode is on", "the Hub was not asked", "drop --offline to refresh proposals")
    rows = store.proposals().filter(pl.col("state") == OPEN_STATE)
    if families:
        rows = rows.filter(pl.col("family").is_in(list(families)))
    if rows.height == 0:
        return []
    from core.mining.hub import resolve_hf_token, use_endpoint_in_library

    endpoint = settings.hf_endpoint()
    use_endpoint_in_library(endpoint)
    import httpx2
    from huggingface_hub import HfApi

    api = HfApi(endpoint=endpoint, token=resolve_hf_token(settings) or False, library_name="ptlm-tui")
    done = []
    for row in rows.iter_rows(named=True):
        url = row["pr_url"] or ""
        number = _NUMBER.search(url)
        if number is None:
            done.append(Refreshed(url, OPEN_STATE, "no pull request number in the URL"))
            continue
        try:
            details = api.get_discussion_details(repo_id=row["variant"], discussion_num=int(number.group(1)))
        except httpx2.HTTPError as exc:  # HfHubHTTPError too: a refusal, a missing repository
            from core.text import one_line

            done.append(
                Refreshed(url, OPEN_STATE, one_line(str(exc).strip().splitlines()[0] if str(exc).strip() else ""))
            )
            continue
        state = {MERGED: MERGED, CLOSED: CLOSED}.get(details.status, OPEN_STATE)  # open and draft stay open
        if state != OPEN_STATE:
            record(store, row | {"state": state, "updated_at": dt.datetime.now(dt.UTC)})
        done.append(Refreshed(url, state))
    return done

"""Provides discover(): find model families on the Hub (or in the watchlist) and record them in the cache.

Candidates come from the Hub's model listing, filtered by the configured pipeline tags and
downloads threshold (docs/method.md §1), optionally narrowed by author or search text, plus every
watchlist model. Each candidate's GitHub link comes from the config (``[links]``, watchlist),
else from its model card (``core.mining.links``); a card is read again only when the model
repository changed since the last discovery. Models that link to the same repository form a
family; families on a shared monorepo are flagged; models without a link are listed so the
user can set one (``ptlm-tui link``).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.errors import Cancelled, InputError, NetworkError
from core.mining.families import FamilyFound, Resolved, UnlinkedModel, cached_models, record_families, unlinked_models
from core.mining.links import extract_link, override_link
from core.progress import CancelToken, EtaTracker, Progress, ProgressCallback
from core.words import plural

if TYPE_CHECKING:
    from cache.store import CacheStore
    from core.config import Settings
    from core.mining.hub import HubClient, HubModel

_AUTHOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")


@dataclass
class DiscoverReport:
    """What a discovery found."""

    candidates: int = 0
    families: list[FamilyFound] = field(default_factory=list)
    unlinked: list[UnlinkedModel] = field(default_factory=list)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # model, status, detail
    cards_fetched: int = 0
    cards_reused: int = 0
    offline: bool = False

    def summary(self) -> str:
        """Return a one-line summary for the terminal."""
        if self.offline:
            return (
                f"no request made; the cache knows {plural(len(self.families), 'family', 'families')} of "
                f"{plural(self.candidates, 'model')} and {plural(len(self.unlinked), 'model')} without a GitHub link"
            )
        new = sum(f.new for f in self.families)
        mono = sum(f.monorepo for f in self.families)
        text = f"discovered {plural(self.candidates, 'model')}: {plural(len(self.families), 'family')} ({new} new"
        text += f", {mono} on a shared monorepo)" if mono else ")"
        if self.unlinked:
            text += f", {len(self.unlinked)} without a GitHub link (set one with `ptlm-tui link MODEL OWNER/REPO`)"
        if self.failures:
            text += f", {len(self.failures)} failed (see above)"
        return text + f"; {plural(self.cards_fetched, 'card')} read, {self.cards_reused} unchanged"


def _check_filters(author: str | None, limit: int | None) -> None:
    if author is not None and not _AUTHOR_RE.match(author):
        raise InputError("Invalid --author", repr(author[:80]), "give a Hub user or organisation name")
    if limit is not None and limit < 1:
        raise InputError("Invalid --limit", str(limit), "give a whole number ≥ 1")


def discover(
    store: CacheStore,
    settings: Settings,
    *,
    author: str | None = None,
    search: str | None = None,
    limit: int | None = None,
    watchlist_only: bool = False,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> DiscoverReport:
    """Find families on the Hub and in the watchlist, read their cards, and record them in the cache.

    Args:
        store: The cache.
        settings: Settings (hub filters, links, watchlist, family names, offline, workers).
        author: Only models of this Hub user or organisation.
        search: Only models whose id contains this text.
        limit: At most this many listed models (the most downloaded); the watchlist is added on top.
        watchlist_only: Skip the Hub listing; take only the watchlist.
        on_progress: Receives progress (from this and worker threads; keep it thread-safe).
        cancel: Stops the work at the next checkpoint; nothing is written then.

    Returns:
        The report; ``report.unlinked`` lists models to link by hand.

    Raises:
        InputError: A filter is invalid.
        NetworkError: The Hub listing failed (rate limit, server, network, credentials).
        Cancelled: ``cancel`` was set.
    """
    _check_filters(author, limit)
    if settings.offline:
        return relink(store, settings)
    from core.mining.failures import SourceFailure
    from core.mining.hub import make_hub_client

    report = DiscoverReport()
    lock = threading.Lock()

    def notify(progress: Progress) -> None:
        if on_progress is not None:
            with lock:  # called from worker threads too (rate-limit countdown)
                on_progress(progress)

    def on_wait(left: float, what: str) -> None:
        notify(Progress("discover", report.candidates, None, f"rate limited: {what}", waiting_seconds=left))

    hub = make_hub_client(settings, cancel=cancel, on_wait=on_wait)
    try:
        found = {} if watchlist_only else _listing(hub, settings, author, search, limit, notify)
    except SourceFailure as exc:
        raise NetworkError("The Hub's model listing failed", f"{exc.status}: {exc.detail}", exc.hint) from None
    # Models the user linked by hand are followed like watchlist entries.
    watch: dict[str, str | None] = dict.fromkeys(settings.links)
    watch.update({item.model: item.github for item in settings.watchlist})
    resolved = _resolve_all(store, settings, hub, found, watch, report, notify, cancel)
    report.candidates = len(resolved)
    report.families, report.unlinked = record_families(store, settings, resolved)
    return report


def _listing(
    hub: HubClient,
    settings: Settings,
    author: str | None,
    search: str | None,
    limit: int | None,
    notify: ProgressCallback,
) -> dict[str, HubModel]:
    found: dict[str, HubModel] = {}
    for tag in settings.hub.pipeline_tags:
        for model in hub.list_models(
            pipeline_tag=tag, author=author, search=search, min_downloads=settings.hub.min_downloads, limit=limit
        ):
            found.setdefault(model.id, model)
        notify(Progress("discover: listing", len(found), None, f"pipeline tag {tag}"))
    if limit is not None and len(found) > limit:
        # Each tag's listing is cut at `limit`; the overall top `limit` is among their union.
        top = sorted(found.values(), key=lambda m: (-(m.downloads or 0), m.id))[:limit]
        found = {m.id: m for m in top}
    return found


def _resolve_all(
    store: CacheStore,
    settings: Settings,
    hub: HubClient,
    found: dict[str, HubModel],
    watch: dict[str, str | None],
    report: DiscoverReport,
    notify: ProgressCallback,
    cancel: CancelToken | None,
) -> list[Resolved]:
    from core.mining.failures import SourceFailure
    from core.mining.workpool import run_parallel

    cards = {
        row["model"]: row
        for row in store.model_cards().iter_rows(named=True)  # one row per model: small
    }
    todo: list[tuple[str, HubModel | None]] = [(model_id, model) for model_id, model in found.items()]
    todo += [(model_id, None) for model_id in watch if model_id not in found]

    def work(entry: tuple[str, HubModel | None]) -> Resolved:
        model_id, model = entry
        if model is None:
            model = hub.model_info(model_id)  # watchlist model that the listing did not return
        override = override_link(model.id, settings.links, watch.get(model.id))
        cached = cards.get(model.id)
        card: str | None
        if cached is not None and model.sha and cached["sha"] == model.sha:
            card, fetched = cached["card"], False
        elif override is not None:
            card, fetched = cached["card"] if cached else None, False
        else:
            try:
                card, fetched = hub.model_card(model.id), True
            except SourceFailure as exc:
                if exc.status not in ("gated", "unauthorized"):
                    raise
                card, fetched = None, False  # a gated card: the listing's card metadata is all we have
        card_data = model.card_data
        if card_data is None and cached is not None and cached["card_data"]:
            card_data = json.loads(cached["card_data"])
        link = override or extract_link(card or "", model.id, card_data)
        return Resolved(model, link, card, fetched, model.id in watch)

    resolved: list[Resolved] = []
    tracker = EtaTracker("discover: cards", len(todo))

    def on_result(entry: tuple[str, HubModel | None], result: Resolved | BaseException) -> None:
        if isinstance(result, Cancelled | KeyboardInterrupt):
            raise result
        if isinstance(result, SourceFailure):
            report.failures.append((entry[0], result.status, result.detail))
        elif isinstance(result, BaseException):
            report.failures.append((entry[0], "error", f"{type(result).__name__}: {result}"))
        else:
            resolved.append(result)
            report.cards_fetched += result.fetched
            report.cards_reused += not result.fetched
        notify(tracker.at(len(resolved) + len(report.failures), entry[0]))

    finished = run_parallel(todo, work, on_result, workers=settings.sync.workers, cancel=cancel)
    if not finished and cancel is not None:
        cancel.check()
    return resolved


def relink(store: CacheStore, settings: Settings) -> DiscoverReport:
    """Apply the config's links, watchlist links and family names to the cached models, offline.

    No request is made. ``ptlm-tui link`` runs this after writing the config, and offline
    discovery is this: the report shows the families and unlinked models the cache knows.
    """
    report = DiscoverReport(offline=True)
    resolved = cached_models(store, settings)
    report.candidates = len(resolved)
    report.families, report.unlinked = record_families(store, settings, resolved)
    return report


__all__ = ["DiscoverReport", "FamilyFound", "UnlinkedModel", "discover", "relink", "unlinked_models"]

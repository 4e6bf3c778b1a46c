"""Provides discover(): find model families on the Hub (or in the watchlist) and record them in the cache.

Candidates come from the Hub's model listing, filtered by the configured pipeline tags and
downloads threshold (METHOD.md §1), optionally narrowed by author or search text, plus every
watchlist model. Each candidate's GitHub link comes from the config (``[links]``, watchlist),
else from its model card (``core.links``); a card is read again only when the model
repository changed since the last discovery. Models that link to the same repository form a
family; families on a shared monorepo are flagged; models without a link are listed so the
user can set one (``ptlm-tui link``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.errors import Cancelled, InputError, NetworkError
from core.links import LinkResult, extract_link, override_link
from core.progress import CancelToken, EtaTracker, Progress, ProgressCallback
from core.repo_ids import family_id_for, github_key

if TYPE_CHECKING:
    import polars as pl

    from cache.store import CacheStore
    from core.config import Settings
    from core.sources.hub import HubClient, HubModel

_AUTHOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}$")


@dataclass(frozen=True)
class FamilyFound:
    """A family discovery found or updated."""

    family: str
    gh_repo: str
    monorepo: bool
    variants: tuple[str, ...]
    new: bool


@dataclass(frozen=True)
class UnlinkedModel:
    """A candidate model whose card names no usable GitHub repository."""

    model: str
    downloads: int | None
    pipeline_tag: str | None
    candidates: tuple[str, ...]  # GitHub repositories the card mentions but that did not qualify

    def hint(self) -> str:
        """The command that links it, with the first candidate as a suggestion."""
        repo = self.candidates[0] if self.candidates else "OWNER/REPO"
        return f"ptlm-tui link {self.model} {repo}"


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
                f"offline: no request made; the cache knows {len(self.families)} families and "
                f"{len(self.unlinked)} models without a GitHub link"
            )
        new = sum(f.new for f in self.families)
        mono = sum(f.monorepo for f in self.families)
        text = f"discovered {self.candidates} models: {len(self.families)} families ({new} new"
        text += f", {mono} on a shared monorepo)" if mono else ")"
        if self.unlinked:
            text += f", {len(self.unlinked)} without a GitHub link (set one with `ptlm-tui link MODEL OWNER/REPO`)"
        if self.failures:
            text += f", {len(self.failures)} failed (see above)"
        return text + f"; {self.cards_fetched} cards read, {self.cards_reused} unchanged"


@dataclass(frozen=True)
class _Resolved:
    model: HubModel
    link: LinkResult
    card: str | None
    fetched: bool
    from_watchlist: bool


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
        return cached_report(store)
    from core.sources.failures import SourceFailure
    from core.sources.hub import make_hub_client

    report = DiscoverReport()
    notify = on_progress or (lambda _p: None)

    def on_wait(left: float, what: str) -> None:
        notify(Progress("discover", report.candidates, None, f"rate limited: {what}", waiting_seconds=left))

    hub = make_hub_client(settings, cancel=cancel, on_wait=on_wait)
    try:
        found = {} if watchlist_only else _listing(hub, settings, author, search, limit, notify)
    except SourceFailure as exc:
        raise NetworkError("The Hub's model listing failed", f"{exc.status}: {exc.detail}", exc.hint) from None
    watch = {item.model: item.github for item in settings.watchlist}
    resolved = _resolve_all(store, settings, hub, found, watch, report, notify, cancel)
    report.candidates = len(resolved)
    _record(store, settings, resolved, report)
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
) -> list[_Resolved]:
    from core.sources.failures import SourceFailure
    from core.workpool import run_parallel

    cards = {
        row["model"]: row
        for row in store.read("model_cards").iter_rows(named=True)  # one row per model: small
    }
    todo: list[tuple[str, HubModel | None]] = [(model_id, model) for model_id, model in found.items()]
    todo += [(model_id, None) for model_id in watch if model_id not in found]

    def work(entry: tuple[str, HubModel | None]) -> _Resolved:
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
            card, fetched = hub.model_card(model.id), True
        card_data = model.card_data
        if card_data is None and cached is not None and cached["card_data"]:
            card_data = json.loads(cached["card_data"])
        link = override or extract_link(card or "", model.id, card_data)
        return _Resolved(model, link, card, fetched, model.id in watch)

    resolved: list[_Resolved] = []
    tracker = EtaTracker("discover: cards", len(todo))

    def on_result(entry: tuple[str, HubModel | None], result: _Resolved | BaseException) -> None:
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


def _family_ids(store: CacheStore, settings: Settings) -> tuple[dict[str, str], set[str]]:
    """Return gh-repo key -> family id (config names, then existing families) and the ids taken."""
    families = store.read("families", ["family", "gh_repo"])
    by_repo = {github_key(r): f for f, r in families.iter_rows() if r}
    by_repo.update({github_key(k): v for k, v in settings.family_names.items()})
    return by_repo, set(families["family"].to_list()) | set(settings.family_names.values())


def _record(store: CacheStore, settings: Settings, resolved: list[_Resolved], report: DiscoverReport) -> None:
    import polars as pl

    from cache.schema import TABLES
    from core.commits import upsert_rows

    now = dt.datetime.now(dt.UTC)
    with store.locked():
        _apply_renames(store, settings)
        by_repo, taken = _family_ids(store, settings)
        existing_families = store.read("families")
        known = set(existing_families["family"].to_list())
        groups: dict[str, list[_Resolved]] = {}
        for item in sorted(resolved, key=lambda r: r.model.id):
            if item.link.repo is None:
                report.unlinked.append(
                    UnlinkedModel(item.model.id, item.model.downloads, item.model.pipeline_tag, item.link.candidates)
                )
                continue
            groups.setdefault(github_key(item.link.repo), []).append(item)
        family_of: dict[str, str] = {}
        family_rows, variant_rows = [], []
        for key, items in sorted(groups.items()):
            family = by_repo.get(key)
            if family is None:
                family = _unique(family_id_for(items[0].link.repo or key), taken)
                by_repo[key] = family
            family_of[key] = family
            gh_repo = items[0].link.repo or key
            monorepo = any(i.link.monorepo for i in items)
            report.families.append(
                FamilyFound(family, gh_repo, monorepo, tuple(i.model.id for i in items), family not in known)
            )
            family_rows.append(
                {
                    "family": family,
                    "gh_repo": gh_repo,
                    "monorepo": monorepo,
                    "source": None
                    if family in known
                    else ("watchlist" if all(i.from_watchlist for i in items) else "discover"),
                    "added_at": None if family in known else now,
                    "note": "shared monorepo: GitHub activity is not this family's alone" if monorepo else None,
                }
            )
        for item in resolved:
            family = family_of.get(github_key(item.link.repo)) if item.link.repo else None
            m = item.model
            variant_rows.append(
                {
                    "family": family,
                    "model": m.id,
                    "downloads": m.downloads,
                    "likes": m.likes,
                    "pipeline_tag": m.pipeline_tag,
                    "created_at": m.created_at,
                    "last_modified": m.last_modified,
                    "gh_link": item.link.repo,
                    "link_source": item.link.source,
                    "gated": m.gated,
                    "added_at": now,
                }
            )
        old_variants = store.read("variants")
        seen = set(old_variants["model"].to_list())
        for row in variant_rows:
            if row["model"] in seen:
                row["added_at"] = None  # keep when it was first added
        families = pl.DataFrame(family_rows, schema=TABLES["families"]) if family_rows else None
        variants = pl.DataFrame(variant_rows, schema=TABLES["variants"]) if variant_rows else None
        if families is not None:
            store.write("families", upsert_rows(existing_families, families, ["family"]))
        if variants is not None:
            _relabel_moved_models(store, old_variants, variants)
            store.write("variants", upsert_rows(old_variants, variants, ["model"]))
        fetched = [r for r in resolved if r.fetched]
        if fetched:
            cards = pl.DataFrame(
                {
                    "model": [r.model.id for r in fetched],
                    "sha": [r.model.sha for r in fetched],
                    "card": [r.card for r in fetched],
                    "card_data": [json.dumps(r.model.card_data) if r.model.card_data else None for r in fetched],
                    "fetched_at": [now] * len(fetched),
                },
                schema=TABLES["model_cards"],
            )
            store.write("model_cards", upsert_rows(store.read("model_cards"), cards, ["model"]))


def _apply_renames(store: CacheStore, settings: Settings) -> None:
    """Give families the ids set in ``[family_names]``, in every table that names them (vectorised)."""
    import polars as pl

    if not settings.family_names:
        return
    wanted = {github_key(k): v for k, v in settings.family_names.items()}
    families = store.read("families", ["family", "gh_repo"])
    renames = {
        f: wanted[github_key(r)]
        for f, r in families.iter_rows()
        if r and github_key(r) in wanted and wanted[github_key(r)] != f
    }
    if not renames:
        return
    for table in ("families", "variants", "commits", "sync_state"):
        if store.exists(table):
            frame = store.read(table)
            store.write(table, frame.with_columns(pl.col("family").replace(renames)))


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _relabel_moved_models(store: CacheStore, old: pl.DataFrame, new: pl.DataFrame) -> None:
    """A model now linked to another family takes its cached HF commits along (vectorised)."""
    import polars as pl

    moved = (
        new.filter(pl.col("family").is_not_null())
        .join(old.select("model", pl.col("family").alias("old")), on="model")
        .filter(pl.col("old").is_not_null() & (pl.col("old") != pl.col("family")))
        .select(pl.col("model").alias("repo"), pl.col("family").alias("new_family"))
    )
    if moved.height == 0 or not store.exists("commits"):
        return
    commits = store.read("commits")
    relabelled = (
        commits.join(moved.with_columns(pl.lit("huggingface").alias("platform")), on=["platform", "repo"], how="left")
        .with_columns(pl.coalesce("new_family", "family").alias("family"))
        .drop("new_family")
    )
    store.write("commits", relabelled)


def cached_report(store: CacheStore) -> DiscoverReport:
    """Return what the cache knows (families, unlinked models) without any request."""
    report = DiscoverReport(offline=True)
    families = store.read("families")
    variants = store.read("variants")
    members: dict[str, list[str]] = {}
    for family, model in variants.select("family", "model").iter_rows():
        if family is not None:
            members.setdefault(family, []).append(model)
    for row in families.sort("family").iter_rows(named=True):
        report.families.append(
            FamilyFound(
                row["family"],
                row["gh_repo"] or "",
                bool(row["monorepo"]),
                tuple(sorted(members.get(row["family"], []))),
                False,
            )
        )
    report.unlinked = unlinked_models(store, variants)
    report.candidates = variants.height
    return report


def unlinked_models(store: CacheStore, variants: pl.DataFrame | None = None) -> list[UnlinkedModel]:
    """Return the discovered models without a GitHub link, most downloaded first, with card candidates."""
    import polars as pl

    from core.links import candidates as card_candidates

    frame = store.read("variants") if variants is None else variants
    frame = frame.filter(pl.col("family").is_null()).sort("downloads", descending=True, nulls_last=True)
    if frame.height == 0:
        return []
    cards = {
        row["model"]: row
        for row in store.read("model_cards")
        .filter(pl.col("model").is_in(frame["model"].implode()))
        .iter_rows(named=True)
    }
    out = []
    for row in frame.iter_rows(named=True):
        cached = cards.get(row["model"])
        seen: list[str] = []
        if cached is not None:
            data: Any = json.loads(cached["card_data"]) if cached["card_data"] else None
            for cand in card_candidates(cached["card"] or "", row["model"], data):
                if cand.repo.lower() not in (s.lower() for s in seen):
                    seen.append(cand.repo)
        out.append(UnlinkedModel(row["model"], row["downloads"], row["pipeline_tag"], tuple(seen)))
    return out

"""Provides families from links: grouping models by GitHub repository, family ids, and writing them.

Discovery (online) and relinking (offline, after ``ptlm-tui link``) both end here: a list of
models with their decided link becomes rows of the families, variants and model_cards tables.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.mining.links import LinkResult, extract_link, is_monorepo, override_link
from core.mining.repo_ids import family_id_for, github_key

if TYPE_CHECKING:
    import polars as pl

    from cache.store import CacheStore
    from core.config import Settings
    from core.mining.hub import HubModel


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


@dataclass(frozen=True)
class Resolved:
    """A candidate model and the GitHub link decided for it."""

    model: HubModel
    link: LinkResult
    card: str | None
    fetched: bool
    from_watchlist: bool


def _family_ids(store: CacheStore, settings: Settings) -> tuple[dict[str, str], set[str]]:
    """Return gh-repo key -> family id (config names, then existing families) and the ids taken."""
    families = store.families(["family", "gh_repo"])
    by_repo = {github_key(r): f for f, r in families.iter_rows() if r}
    by_repo.update({github_key(k): v for k, v in settings.family_names.items()})
    return by_repo, set(families["family"].to_list()) | set(settings.family_names.values())


def record_families(
    store: CacheStore, settings: Settings, resolved: list[Resolved]
) -> tuple[list[FamilyFound], list[UnlinkedModel]]:
    """Group resolved models into families by GitHub repository and write families, variants and cards.

    Family ids: ``[family_names]`` in config, else the id a family with that repository already
    has, else ``owner_repo`` (made unique). Existing rows keep their first ``added_at`` and
    ``source``; a model that moved to another family takes its cached HF commits along.

    Returns:
        The families found (with their variants) and the models without a link.
    """
    import polars as pl

    from cache.schema import FAMILIES, VARIANTS

    now = dt.datetime.now(dt.UTC)
    unlinked = [
        UnlinkedModel(r.model.id, r.model.downloads, r.model.pipeline_tag, r.link.candidates)
        for r in sorted(resolved, key=lambda r: r.model.id)
        if r.link.repo is None
    ]
    groups: dict[str, list[Resolved]] = {}
    for item in sorted(resolved, key=lambda r: r.model.id):
        if item.link.repo is not None:
            groups.setdefault(github_key(item.link.repo), []).append(item)
    _apply_renames(store, settings)
    by_repo, taken = _family_ids(store, settings)
    existing = store.families(["family", "gh_repo"])
    known = set(existing["family"].to_list())
    cached_spelling = {github_key(r): r for r in existing["gh_repo"].drop_nulls().to_list()}
    found: list[FamilyFound] = []
    family_of: dict[str, str] = {}
    for key, items in sorted(groups.items()):
        gh_repo = _spelling(items, cached_spelling.get(key))
        family = by_repo.get(key) or _unique(family_id_for(gh_repo), taken)
        by_repo[key] = family_of[key] = family
        monorepo = any(i.link.monorepo for i in items)
        found.append(FamilyFound(family, gh_repo, monorepo, tuple(i.model.id for i in items), family not in known))
    if found:
        store.upsert_families(pl.DataFrame([_family_row(f, groups, known, now) for f in found], schema=FAMILIES))
    old_variants = store.variants(["model", "family"])
    seen = set(old_variants["model"].to_list())
    rows = [_variant_row(r, family_of, None if r.model.id in seen else now) for r in resolved]
    touched = {f.family for f in found}
    if rows:
        variants = pl.DataFrame(rows, schema=VARIANTS)
        # Commits first: a crash before the variants are written leaves them to move again.
        touched |= _relabel_moved_models(store, old_variants, variants)
        store.upsert_variants(variants)
    _write_cards(store, [r for r in resolved if r.fetched], now)
    if touched:
        from core.drift.digest import refresh_drift_summary

        refresh_drift_summary(store, sorted(touched))  # variants came or went: their figures too
    return found, unlinked


def _family_row(
    found: FamilyFound, groups: dict[str, list[Resolved]], known: set[str], now: dt.datetime
) -> dict[str, Any]:
    # None never overwrites (an upsert): an existing family keeps its source and added_at.
    items = groups[github_key(found.gh_repo)]
    new = found.family not in known
    return {
        "family": found.family,
        "gh_repo": found.gh_repo,
        "monorepo": found.monorepo,
        "source": ("watchlist" if all(i.from_watchlist for i in items) else "discover") if new else None,
        "added_at": now if new else None,
        "note": "shared monorepo: GitHub activity is not this family's alone" if found.monorepo else None,
    }


def _variant_row(item: Resolved, family_of: dict[str, str], added_at: dt.datetime | None) -> dict[str, Any]:
    m = item.model
    return {
        "family": family_of.get(github_key(item.link.repo)) if item.link.repo else None,
        "model": m.id,
        "downloads": m.downloads,
        "likes": m.likes,
        "pipeline_tag": m.pipeline_tag,
        "created_at": m.created_at,
        "last_modified": m.last_modified,
        "gh_link": item.link.repo,
        "link_source": item.link.source,
        "gated": m.gated,
        "added_at": added_at,
    }


def _write_cards(store: CacheStore, fetched: list[Resolved], now: dt.datetime) -> None:
    """Keep the cards just read, keyed by the model's head commit, so an unchanged model is not re-read."""
    import polars as pl

    from cache.schema import MODEL_CARDS

    if not fetched:
        return
    cards = pl.DataFrame(
        {
            "model": [r.model.id for r in fetched],
            "sha": [r.model.sha for r in fetched],
            "card": [r.card for r in fetched],
            "card_data": [json.dumps(r.model.card_data) if r.model.card_data else None for r in fetched],
            "fetched_at": [now] * len(fetched),
        },
        schema=MODEL_CARDS,
    )
    store.upsert_model_cards(cards)


def _apply_renames(store: CacheStore, settings: Settings) -> None:
    """Give families the ids set in ``[family_names]``, wherever the cache names them."""
    if not settings.family_names:
        return
    wanted = {github_key(k): v for k, v in settings.family_names.items()}
    families = store.families(["family", "gh_repo"])
    renames = {
        f: wanted[github_key(r)]
        for f, r in families.iter_rows()
        if r and github_key(r) in wanted and wanted[github_key(r)] != f
    }
    if renames:
        store.rename_families(renames)


def _spelling(items: list[Resolved], cached: str | None = None) -> str:
    """The repository id as it is to be written (GitHub compares ids case-insensitively).

    The user's own spelling (``[links]``, the watchlist) first; then the one the cache already
    holds, so that re-reading cards (``discover --offline``, ``link``) never rewrites an id that
    came from the Hub or GitHub (``01-ai/Yi`` stays ``01-ai/Yi`` when a card writes ``01-ai/yi``);
    then the spelling most of the models' cards use.
    """
    explicit = [i.link.repo for i in items if i.link.repo and i.link.source in ("config", "watchlist")]
    if explicit:
        return explicit[0]
    if cached is not None:
        return cached
    counts: dict[str, int] = {}
    for item in items:
        if item.link.repo:
            counts[item.link.repo] = counts.get(item.link.repo, 0) + 1
    popular = sorted(items, key=lambda i: -(i.model.downloads or 0))
    return max(counts, key=lambda repo: (counts[repo], -next(n for n, i in enumerate(popular) if i.link.repo == repo)))


def _unique(base: str, taken: set[str]) -> str:
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}-{n}", n + 1
    taken.add(candidate)
    return candidate


def _relabel_moved_models(store: CacheStore, old: pl.DataFrame, new: pl.DataFrame) -> set[str]:
    """A model now linked to another family takes its cached HF commits along (vectorised); return the families left."""
    import polars as pl

    moved = (
        new.filter(pl.col("family").is_not_null())
        .join(old.select("model", pl.col("family").alias("old")), on="model")
        .filter(pl.col("old").is_not_null() & (pl.col("old") != pl.col("family")))
        .select(pl.col("model").alias("repo"), pl.col("family").alias("new_family"), "old")
    )
    if moved.height:
        store.move_commits(
            moved.select(pl.lit("huggingface").alias("platform"), "repo", pl.col("new_family").alias("family"))
        )
    return set(moved["old"].to_list())


def unlinked_models(store: CacheStore, variants: pl.DataFrame | None = None) -> list[UnlinkedModel]:
    """Return the discovered models without a GitHub link, most downloaded first, with card candidates."""
    import polars as pl

    from core.mining.links import candidates as card_candidates

    frame = store.variants() if variants is None else variants
    frame = frame.filter(pl.col("family").is_null()).sort("downloads", descending=True, nulls_last=True)
    if frame.height == 0:
        return []
    cards = {row["model"]: row for row in store.model_cards(frame["model"].to_list()).iter_rows(named=True)}
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


def cached_models(store: CacheStore, settings: Settings) -> list[Resolved]:
    """Return every model the cache knows, with its link decided again from config and cached cards.

    No request is made: this is how ``ptlm-tui link`` and offline discovery apply the user's
    ``[links]``, watchlist and ``[family_names]`` at once. A model without a cached card keeps
    the link it has (for example one that came with an import).
    """
    from core.mining.hub import HubModel

    watch = {item.model: item.github for item in settings.watchlist}
    cards = {row["model"]: row for row in store.model_cards().iter_rows(named=True)}
    out = []
    for row in store.variants().iter_rows(named=True):
        cached = cards.get(row["model"])
        data: Any = json.loads(cached["card_data"]) if cached is not None and cached["card_data"] else None
        model = HubModel(
            id=row["model"],
            sha=cached["sha"] if cached is not None else None,
            downloads=row["downloads"],
            likes=row["likes"],
            pipeline_tag=row["pipeline_tag"],
            created_at=row["created_at"],
            last_modified=row["last_modified"],
            gated=row["gated"],
            private=False,
            card_data=data,
        )
        link = override_link(model.id, settings.links, watch.get(model.id))
        if link is None and cached is not None:
            link = extract_link(cached["card"] or "", model.id, data)
        if link is None or (link.repo is None and row["gh_link"]):
            link = LinkResult(
                row["gh_link"], row["link_source"], monorepo=bool(row["gh_link"]) and is_monorepo(row["gh_link"])
            )
        out.append(Resolved(model, link, cached["card"] if cached else None, False, model.id in watch))
    return out

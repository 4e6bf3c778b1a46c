"""Provides a family's commits of both platforms with their labels, one commit's details, and web links.

The list reads only the light columns (no message, no files) so a 100,000-commit family
opens fast; the commit screen reads the rest for one commit. The commit on the other
platform is found from the label's ``linked_sha`` or from a commit id quoted in the message
(HF "Auto Sync from git://github.com/owner/repo.git/commit/<sha>" commits do this).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl

from cache.store import CacheStore
from core.analysis.events import cut_until
from core.commits import commit_key
from core.config import Settings
from core.labels import effective_labels, label_columns
from core.models import GITHUB, HUGGINGFACE, is_valid_repo_id

LIST_COLUMNS = (
    "key",  # the commit key (``core.commits.commit_key``) that commit_detail and labels use
    "platform",
    "repo",
    "sha",
    "authored_at",
    "title",
    "label",
    "label_source",
    "confidence",
    "linked_sha",
)
_LABEL_COLUMNS = ("platform", "repo", "sha", "label", "source", "confidence", "linked_sha", "labelled_at")
_SHA = re.compile(r"^[0-9a-fA-F]{7,64}$")
# A commit id quoted in a message: a GitHub commit URL or the Hub's auto-sync form.
_QUOTED_COMMIT = re.compile(r"github\.com[/:]([\w.-]+/[\w.-]+?)(?:\.git)?/commit/([0-9a-fA-F]{7,40})")


def _labels_for(store: CacheStore, repos: list[str]) -> pl.LazyFrame:
    return store.labels(repos=repos)


def family_commits(store: CacheStore, family: str, *, until: dt.date | None = None) -> pl.DataFrame:
    """Return ``LIST_COLUMNS`` for every commit of ``family``, newest first.

    ``label`` is null when no classifier or person has labelled the commit yet.
    """
    commits = store.collect(
        cut_until(store.family_commits(family, ["family", "platform", "repo", "sha", "authored_at", "title"]), until)
    )
    commits = commits.with_columns(commit_key().alias("key"))
    repos = commits["repo"].unique().to_list()
    labels = store.collect(_labels_for(store, repos).select(*_LABEL_COLUMNS))
    if labels.is_empty():
        # Nothing labelled yet (a classifier has not run): no join.
        none = [pl.lit(None, dtype=pl.String).alias(c) for c in ("label", "label_source", "linked_sha")]
        labelled = commits.with_columns(*none, pl.lit(None, dtype=pl.Float64).alias("confidence"))
    else:
        one_each = not labels.select(pl.struct("platform", "repo", "sha").is_duplicated().any()).item()
        # One label per commit (the usual case): it is the effective one, no ranking needed.
        winners = labels.lazy() if one_each else effective_labels(labels.lazy())
        # commits_with_labels' join, on the key computed once above (it would compute it again).
        winners = label_columns(winners, key="key")
        labelled = commits.lazy().join(winners, on=["platform", "repo", "key"], how="left").collect()
    # Newest first; ties keep the cache's order (a stable sort on one key is much cheaper).
    return labelled.select(LIST_COLUMNS).sort("authored_at", descending=True, maintain_order=True)


@dataclass(frozen=True)
class LabelRow:
    """One label a commit received (a commit may have a rule, a model and a manual label)."""

    label: str
    source: str
    confidence: float | None
    model: str | None
    labelled_at: dt.datetime | None
    reason: str | None


@dataclass(frozen=True)
class LinkedCommit:
    """The matching commit on the other platform."""

    platform: str
    repo: str
    sha: str
    title: str
    authored_at: dt.datetime | None
    how: str  # "label" (linked_sha), "message" (quoted in a message)


@dataclass(frozen=True)
class CommitDetail:
    """Everything the commit screen shows."""

    family: str
    platform: str
    repo: str
    sha: str
    authored_at: dt.datetime | None
    author: str
    title: str
    message: str
    files: tuple[tuple[str, str], ...]  # (status letter or "", path)
    parents: tuple[str, ...]
    labels: tuple[LabelRow, ...] = ()
    linked: tuple[LinkedCommit, ...] = field(default_factory=tuple)

    @property
    def label(self) -> LabelRow | None:
        """The label that counts (manual > llm > rule, newest first), or None."""
        rank = {"manual": 0, "llm": 1, "rule": 2}
        ranked = sorted(
            self.labels,
            key=lambda r: (rank.get(r.source, 9), -(r.labelled_at.timestamp() if r.labelled_at else 0)),
        )
        return ranked[0] if ranked else None


def parse_files(files: str | None) -> tuple[tuple[str, str], ...]:
    """Split the commits table's ``files`` field (``S:path|...``) into (status, path) pairs."""
    out = []
    for entry in (files or "").split("|"):
        if not entry:
            continue
        status, sep, path = entry.partition(":")
        out.append((status, path) if sep and len(status) == 1 and status.isalpha() else ("", entry))
    return tuple(out)


def commit_detail(store: CacheStore, platform: str, repo: str, sha: str) -> CommitDetail | None:
    """Return the commit ``sha`` (its commit key) of ``repo`` with labels and linked commits, or None."""
    rows = store.collect(
        store.commits(repos=[repo], platform=platform).with_columns(commit_key()).filter(pl.col("commit_key") == sha)
    )
    if rows.is_empty():
        return None
    row = rows.row(0, named=True)
    labels = store.collect(store.labels(repos=[repo], platform=platform)).filter(pl.col("sha") == sha)
    label_rows = tuple(
        LabelRow(r["label"], r["source"], r["confidence"], r["model"], r["labelled_at"], r["reason"])
        for r in labels.iter_rows(named=True)
    )
    detail = CommitDetail(
        family=row["family"],
        platform=platform,
        repo=repo,
        sha=sha,
        authored_at=row["authored_at"],
        author=row["author"] or "",
        title=row["title"] or "",
        message=row["message"] or "",
        files=parse_files(row["files"]),
        parents=tuple((row["parents"] or "").split()),
        labels=label_rows,
    )
    linked_labels = [s for s in labels["linked_sha"].drop_nulls().to_list() if s]
    return CommitDetail(**{**detail.__dict__, "linked": linked_commits(store, detail, linked_labels)})


def linked_commits(store: CacheStore, detail: CommitDetail, linked_shas: list[str]) -> tuple[LinkedCommit, ...]:
    """Return the commits on the other platform that ``detail`` mirrors or is mirrored by."""
    other = GITHUB if detail.platform == HUGGINGFACE else HUGGINGFACE
    family_other = store.commits(
        ["family", "platform", "repo", "sha", "authored_at", "title", "message"],
        families=[detail.family],
        platform=other,
    )
    found: list[LinkedCommit] = []
    if detail.platform == HUGGINGFACE:
        wanted = [(s, "label") for s in linked_shas] + [
            (m.group(2), "message") for m in _QUOTED_COMMIT.finditer(detail.message + "\n" + detail.title)
        ]
        for prefix, how in wanted:
            hits = store.collect(family_other.filter(pl.col("sha").str.starts_with(prefix.lower())))
            found += [_linked(r, how) for r in hits.head(1).iter_rows(named=True)]
    elif _SHA.match(detail.sha):
        short = detail.sha[:7].lower()
        by_label = store.labels(["platform", "repo", "sha", "linked_sha"], platform=other).filter(
            pl.col("linked_sha").str.starts_with(short)
        )
        keys = store.collect(by_label)["sha"].to_list()
        hits = store.collect(
            family_other.filter(pl.col("sha").is_in(keys) | pl.col("message").str.contains(short, literal=True))
        )
        found += [_linked(r, "label" if r["sha"] in keys else "message") for r in hits.head(5).iter_rows(named=True)]
    unique = {(c.platform, c.repo, c.sha): c for c in found}
    return tuple(unique.values())


def _linked(row: dict[str, object], how: str) -> LinkedCommit:
    when = row["authored_at"]
    return LinkedCommit(
        platform=str(row["platform"]),
        repo=str(row["repo"]),
        sha=str(row["sha"]),
        title=str(row["title"] or ""),
        authored_at=when if isinstance(when, dt.datetime) else None,
        how=how,
    )


def commit_url(settings: Settings, platform: str, repo: str, sha: str) -> str | None:
    """Return the web page of a commit, or None when the repo, the sha or the base URL cannot make one.

    Repository names and shas come from the cache (and from strangers before that), so both
    are checked before they go into a URL that a browser will open.
    """
    if not is_valid_repo_id(repo) or not _SHA.match(sha or ""):
        return None
    if platform == HUGGINGFACE:
        return f"{settings.hf_endpoint()}/{repo}/commit/{sha}"
    if platform == GITHUB:
        base = settings.github.base_url.rstrip("/")
        if not base.startswith(("https://", "http://")):
            return None  # file:// mirrors and the like have no web page
        return f"{base}/{repo}/commit/{sha}"
    return None

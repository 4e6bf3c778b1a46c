"""Provides effective_labels(), the one label per commit that analyses and the app use, and set_manual_label().

A commit may carry several labels (rules, a local model, a human). The human wins, then the
model, then the rules; among equals the newest wins. The labels table's ``sha`` column holds
the commit key (``core.commits.commit_key``): the sha, or time and title for sha-less rows.
"""

from __future__ import annotations

import polars as pl

from cache.store import CacheStore
from core.commits import commit_key

SOURCE_RANK = {"manual": 0, "llm": 1, "rule": 2}


def effective_labels(labels: pl.LazyFrame) -> pl.LazyFrame:
    """Return one row per (platform, repo, sha): the winning label and its provenance."""
    rank = pl.col("source").replace_strict(SOURCE_RANK, default=9, return_dtype=pl.Int8)
    # Order by precedence only (two small numeric keys, not the three string keys as well):
    # unique(keep="first") then keeps each commit's best row. Several times faster on
    # hundreds of thousands of labels, with the same result.
    return (
        labels.with_columns(rank.alias("_rank"))
        .sort(["_rank", "labelled_at"], descending=[False, True], nulls_last=True, maintain_order=True)
        .unique(subset=["platform", "repo", "sha"], keep="first", maintain_order=True)
        .drop("_rank")
    )


def commits_with_labels(commits: pl.LazyFrame, labels: pl.LazyFrame) -> pl.LazyFrame:
    """Return commits with ``label, label_source, confidence`` columns joined on the commit key."""
    winners = effective_labels(labels).select(
        "platform",
        "repo",
        pl.col("sha").alias("commit_key"),
        "label",
        pl.col("source").alias("label_source"),
        "confidence",
        "linked_sha",
    )
    return (
        commits.with_columns(commit_key())
        .join(winners, on=["platform", "repo", "commit_key"], how="left")
        .drop("commit_key")
    )


def set_manual_label(store: CacheStore, *, platform: str, repo: str, sha: str, label: str) -> None:
    """Record a label set by hand for one commit; it wins over rule and model labels.

    Args:
        store: The cache.
        platform: ``github`` or ``huggingface``.
        repo: The commit's repository.
        sha: The commit key (``core.commits.commit_key``: the sha, or time and title).
        label: One of ``core.models.ALL_LABELS``.

    Raises:
        InputError: The label is unknown or the commit is not in the cache.
    """
    import datetime as dt

    from cache.schema import TABLES
    from core.errors import InputError
    from core.models import ALL_LABELS

    if label not in ALL_LABELS:
        raise InputError("Unknown change type", repr(label), "pick one of: " + ", ".join(ALL_LABELS))
    with store.locked():
        found = store.collect(
            store.scan("commits", ["platform", "repo", "sha", "authored_at", "title"])
            .filter((pl.col("platform") == platform) & (pl.col("repo") == repo))
            .with_columns(commit_key())
            .filter(pl.col("commit_key") == sha)
            .select(pl.len()),
            "commits",
        ).item()
        if not found:
            raise InputError("No such commit in the cache", f"{platform} {repo} {sha[:12]}", "re-open the family")
        labels = store.read("labels")
        same = (pl.col("platform") == platform) & (pl.col("repo") == repo) & (pl.col("sha") == sha)
        # Keep the link to the other platform's commit that a classifier found.
        linked = labels.filter(same & pl.col("linked_sha").is_not_null()).sort("labelled_at")["linked_sha"]
        row = {name: None for name in TABLES["labels"]} | {
            "platform": platform,
            "repo": repo,
            "sha": sha,
            "label": label,
            "confidence": 1.0,
            "source": "manual",
            "labelled_at": dt.datetime.now(dt.UTC),
            "reason": "set by hand",
            "linked_sha": linked[-1] if linked.len() else None,
        }
        kept = labels.filter(~(same & (pl.col("source") == "manual")))
        store.write("labels", pl.concat([kept, pl.DataFrame([row], schema=TABLES["labels"])]))

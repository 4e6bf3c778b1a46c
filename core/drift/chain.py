"""Provides first_parent_order(): each repository's first-parent chain, in order, from its commits' parents.

Drift reads the default branch's first-parent history (METHOD.md §8.2). The cache holds every
reachable commit with its parents, appended sync after sync, so the chain is recovered from
the ``parents`` column rather than stored: the head is the commit no other commit names as a
parent, and the chain is followed by pointer doubling (jump 1, 2, 4, ... first parents at once),
a logarithmic number of joins instead of a Python walk over 100k commits.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from core.drift.events import ORDER_SCHEMA

# Enough doublings for 2**62 commits; a cycle (impossible in git, possible in a hand-made
# table) cannot loop for ever.
_MAX_ROUNDS: Final = 62


def _heads(nodes: pl.LazyFrame, commits: pl.LazyFrame) -> pl.LazyFrame:
    """The head of each repository: named by no commit as a parent; the newest if several."""
    named = (
        commits.select("repo", pl.col("parents").fill_null("").str.split(" ").alias("sha"))
        .explode("sha")
        .filter(pl.col("sha") != "")
        .unique()
    )
    return (
        nodes.join(named, on=["repo", "sha"], how="anti")
        .sort("repo", "authored_at", "sha", descending=[False, True, True])
        .group_by("repo", maintain_order=True)
        .first()
        .select("repo", "sha")
    )


def first_parent_order(commits: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Return ``repo, sha, seq, authored_at`` for the commits on each repository's first-parent chain.

    Args:
        commits: ``repo, sha, parents, authored_at`` (the cache's commits columns), any number
            of repositories. A repository whose commits all lack parents (HF commits read from
            the Hub's API, which gives none) is ordered by author date instead.

    Returns:
        One row per chain commit; ``seq`` 0 is the root, the head has the largest.
    """
    lazy = commits.lazy().select("repo", "sha", "parents", "authored_at").unique(["repo", "sha"])
    known = lazy.group_by("repo").agg(pl.col("parents").is_not_null().any().alias("known"))
    by_date = (
        lazy.join(known.filter(~pl.col("known")), on="repo", how="semi")
        .sort("repo", "authored_at", "sha")
        .with_columns(pl.int_range(pl.len()).over("repo").cast(pl.Int64).alias("seq"))
        .select(list(ORDER_SCHEMA))
    )
    with_parents = lazy.join(known.filter(pl.col("known")), on="repo", how="semi")
    nodes = with_parents.select(
        "repo", "sha", "authored_at", pl.col("parents").fill_null("").str.split(" ").list.first().alias("to")
    ).collect()
    jump = nodes.filter(pl.col("to") != "").select("repo", "sha", "to")
    reached = _heads(nodes.lazy(), with_parents).with_columns(pl.lit(0, pl.Int64).alias("dist")).collect()
    step = 1
    for _ in range(_MAX_ROUNDS):
        # ``reached`` holds the chain at distances [0, step) from the head; shift it by ``step``.
        new = reached.join(jump, on=["repo", "sha"], how="inner").select(
            "repo", pl.col("to").alias("sha"), (pl.col("dist") + step).alias("dist")
        )
        if new.is_empty():
            break
        reached = pl.concat([reached, new])
        jump = jump.join(jump.rename({"sha": "to", "to": "to2"}), on=["repo", "to"], how="inner").select(
            "repo", "sha", pl.col("to2").alias("to")
        )
        step *= 2
    ordered = (
        reached.unique(["repo", "sha"], keep="first")
        .join(nodes.select("repo", "sha", "authored_at"), on=["repo", "sha"], how="inner")
        .with_columns((pl.col("dist").max().over("repo") - pl.col("dist")).alias("seq"))
        .select(list(ORDER_SCHEMA))
    )
    return pl.concat([ordered, by_date.collect()]).sort("repo", "seq")

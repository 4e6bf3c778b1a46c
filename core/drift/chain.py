"""Provides first_parent_order(): each repository's first-parent chain, in order, from its commits' parents.

Drift reads the default branch's first-parent history (docs/method.md §8.2). The cache holds every
reachable commit with its parents, appended sync after sync, so the chain is recovered from
the ``parents`` column rather than stored: the head is the commit no other commit names as a
parent, and the chain is followed by pointer doubling (jump 1, 2, 4, ... first parents at once)
over commit numbers: a logarithmic number of vector gathers instead of a Python walk.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from core.drift.events import ORDER_SCHEMA

# Enough doublings for 2**62 commits; a cycle (impossible in git, possible in a hand-made
# table) cannot loop for ever.
_MAX_ROUNDS: Final = 62


def first_parent_order(commits: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    """Return ``repo, sha, seq, authored_at`` for the commits on each repository's first-parent chain.

    Args:
        commits: ``repo, sha, parents, authored_at`` (the cache's commits columns), any number
            of repositories. A repository whose commits all lack parents (HF commits read from
            the Hub's API, which gives none) is ordered by author date instead.

    Returns:
        One row per chain commit; ``seq`` 0 is the root, the head has the largest.
    """
    # A commit listed twice (the cache keeps the newest row per key, a hand-made table may not)
    # is harmless: the walk reaches one of the copies.
    frame = commits.lazy().select("repo", "sha", "parents", "authored_at").collect()
    known = frame.filter(pl.col("parents").is_not_null())["repo"].unique().implode()
    by_date = (
        frame.filter(~pl.col("repo").is_in(known))
        .sort("repo", "authored_at", "sha")
        .with_columns(pl.int_range(pl.len()).over("repo").cast(pl.Int64).alias("seq"))
        .select(list(ORDER_SCHEMA))
    )
    nodes = frame.filter(pl.col("repo").is_in(known)).with_row_index("id")
    jump, heads = _links(nodes)
    reached = heads
    dist = pl.zeros(reached.len(), pl.Int64, eager=True)
    step = 1
    for _ in range(_MAX_ROUNDS):
        # ``reached`` holds the chains at distances [0, step) from their heads; shift them by ``step``.
        ahead = jump.gather(reached)
        found = ahead.is_not_null()
        if not found.any():
            break
        reached = pl.concat([reached, ahead.filter(found)])
        dist = pl.concat([dist, dist.filter(found) + step])
        jump = jump.gather(jump)  # now jumps 2 * step first parents (null past the root)
        step *= 2
    ordered = (
        nodes.select("repo", "sha", "authored_at")
        .gather(reached)
        .with_columns(dist.alias("dist"))
        .with_columns((pl.col("dist").max().over("repo") - pl.col("dist")).alias("seq"))
        .select(list(ORDER_SCHEMA))
    )
    return pl.concat([ordered, by_date]).sort("repo", "seq")


def _links(nodes: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """Return each node's first parent (a node number, null for a root or a parent not listed) and the heads.

    One join maps every parent id to its node number; everything after is integer work. A
    head is a commit no other commit names as a parent; when a repository has several (stale
    rows), the newest by author date.
    """
    parents = (
        nodes.select("id", "repo", pl.col("parents").fill_null("").str.split(" ").alias("parent"))
        .with_columns(pl.int_ranges(pl.col("parent").list.len()).alias("position"))
        .explode("parent", "position")
        .filter(pl.col("parent") != "")
    )
    targets = nodes.select("repo", pl.col("sha").alias("parent"), pl.col("id").alias("to"))
    links = parents.join(targets, on=["repo", "parent"], how="inner")
    n = nodes.height
    first = links.filter(pl.col("position") == 0)
    jump = pl.Series("to", [None] * n, dtype=pl.UInt32).scatter(first["id"], first["to"])
    named = links["to"].unique().implode()
    heads = (
        nodes.filter(~pl.col("id").is_in(named))
        .sort("repo", "authored_at", "sha", descending=[False, True, True])
        .unique("repo", keep="first")["id"]
    )
    return jump, heads

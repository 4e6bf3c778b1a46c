"""Provides the record of proposals in the cache: what was sent or written, its result, and what is still open.

Every pull request sent (``open``), every attempt that failed (``failed``; ``unknown`` when the
Hub did not answer the commit itself, so it may exist) and every patch written (``written``) is
one row of the cache's proposals table (docs/formats.md "Proposals"). Dry runs are not recorded:
a plan is recomputed in a moment and records nothing that happened. The files of open pull
requests are remembered so that the same version is not proposed twice (the app's "PR open").
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

import polars as pl

from core.propose.model import TO_HUB, Plan

if TYPE_CHECKING:
    from cache.store import CacheStore

OPEN_STATE: Final = "open"
FAILED: Final = "failed"
UNKNOWN: Final = "unknown"  # the commit request got no answer: the pull request may exist
WRITTEN: Final = "written"  # a --to-github patch file


def new_proposal_id() -> str:
    """A fresh id for one proposal."""
    return uuid.uuid4().hex


def proposal_row(
    plan: Plan,
    *,
    proposal_id: str,
    state: str,
    pr_url: str | None = None,
    commit_oid: str | None = None,
    error: str | None = None,
    patch_file: str | None = None,
    now: dt.datetime | None = None,
) -> dict[str, object]:
    """One row of the proposals table for ``plan`` and how it ended."""
    when = now or dt.datetime.now(dt.UTC)
    files = [
        {
            "hf_path": f.hf_path,
            "gh_path": f.gh_path,
            "state": f.state,
            "blob": f.new_blob,
            "old_blob": f.old_blob,
            "commits": f.commits,
        }
        for f in plan.files
    ]
    skipped = [{"hf_path": x.hf_path, "gh_path": x.gh_path, "reason": x.reason} for x in plan.skipped]
    shas = " ".join(c.sha for c in plan.commits)
    to_hub = plan.direction == TO_HUB
    return {
        "proposal_id": proposal_id,
        "family": plan.family,
        "variant": plan.variant,
        "gh_repo": plan.gh_repo,
        "direction": plan.direction,
        "files": json.dumps(files, ensure_ascii=False),
        "gh_commits": shas if to_hub else "",
        "title": plan.title,
        "pr_url": pr_url,
        "state": state,
        "created_at": when,
        "updated_at": when,
        "error": error,
        "hf_commits": "" if to_hub else shas,
        "hf_parent": plan.hf_parent,
        "commit_oid": commit_oid,
        "patch_file": patch_file,
        "skipped": json.dumps(skipped, ensure_ascii=False),
    }


def record(store: CacheStore, row: dict[str, object]) -> None:
    """Keep one proposal row in the cache."""
    from cache.schema import TABLES

    store.record_proposals(pl.DataFrame([row], schema=TABLES["proposals"]))


def proposals(store: CacheStore, families: Sequence[str] | None = None) -> pl.DataFrame:
    """Every recorded proposal (proposals columns), newest first; only ``families`` when given."""
    frame = store.proposals()
    if families:
        frame = frame.filter(pl.col("family").is_in(list(families)))
    return frame


def open_proposals(store: CacheStore, family: str | None = None) -> pl.DataFrame:
    """One row per file of every open Hub pull request: ``family, variant, hf_path, gh_path, blob, pr_url, created_at``.

    The app marks these files "PR open"; ``plan_proposal`` leaves them out unless forced.
    """
    frame = store.proposals().filter((pl.col("state") == OPEN_STATE) & (pl.col("direction") == TO_HUB))
    if family is not None:
        frame = frame.filter(pl.col("family") == family)
    rows = [
        {
            "family": row["family"],
            "variant": row["variant"],
            "hf_path": f["hf_path"],
            "gh_path": f["gh_path"],
            "blob": f["blob"],
            "pr_url": row["pr_url"],
            "created_at": row["created_at"],
        }
        for row in frame.iter_rows(named=True)
        for f in json.loads(row["files"] or "[]")
    ]
    schema: dict[str, pl.DataType] = {
        "family": pl.String(),
        "variant": pl.String(),
        "hf_path": pl.String(),
        "gh_path": pl.String(),
        "blob": pl.String(),
        "pr_url": pl.String(),
        "created_at": pl.Datetime("us", "UTC"),
    }
    return pl.DataFrame(rows, schema=schema, orient="row")


def open_files(store: CacheStore, variant: str) -> dict[tuple[str, str], str]:
    """``(hf_path, blob) -> pull request URL`` of the variant's open pull requests (newest wins)."""
    found: dict[tuple[str, str], str] = {}
    for row in open_proposals(store).filter(pl.col("variant") == variant).iter_rows(named=True):
        found.setdefault((row["hf_path"], row["blob"]), row["pr_url"])
    return found


def mark_open_prs(store: CacheStore, rows: pl.DataFrame, family: str | None = None) -> pl.DataFrame:
    """``rows`` with ``pr_url``: the open Hub pull request that already brings each file, null when none.

    ``rows`` name files by ``hf_repo`` (the variant) and ``hf_path``; when they carry ``gh_head``
    (drift rows), only a pull request bringing that GitHub version counts, as in ``plan_proposal``:
    once GitHub moved on, the file can be proposed again and is not marked. Vectorised: the Drift
    view marks a whole family in one join ("PR open" instead of proposing twice).
    """
    prs = open_proposals(store, family).rename({"variant": "hf_repo", "blob": "gh_head"})
    keys = ["hf_repo", "hf_path"] + (["gh_head"] if "gh_head" in rows.columns else [])
    found = prs.unique(keys, keep="first", maintain_order=True).select(*keys, "pr_url")  # newest first
    return rows.drop("pr_url", strict=False).join(found, on=keys, how="left", nulls_equal=False)


def open_pr_by_variant(store: CacheStore, family: str | None = None) -> pl.DataFrame:
    """``hf_repo, files, pr_urls``: per variant, how many files its open pull requests bring, and their URLs."""
    prs = open_proposals(store, family)
    return (
        prs.group_by("variant", maintain_order=True)
        .agg(pl.col("hf_path").n_unique().alias("files"), pl.col("pr_url").unique(maintain_order=True).alias("pr_urls"))
        .rename({"variant": "hf_repo"})
    )


def latest_by_variant(store: CacheStore) -> pl.DataFrame:
    """``variant, proposal``: each variant's newest proposal in a few words (``PR open: URL``, ``failed: why``)."""
    frame = store.proposals().unique("variant", keep="first", maintain_order=True)  # newest first already
    text = (
        pl.when(pl.col("state") == OPEN_STATE)
        .then(pl.concat_str(pl.lit("PR open: "), pl.col("pr_url")))
        .when(pl.col("state") == WRITTEN)
        .then(pl.concat_str(pl.lit("patch written: "), pl.col("patch_file")))
        .otherwise(pl.concat_str(pl.col("state"), pl.lit(": "), pl.col("error").fill_null("")))
    )
    return frame.select("variant", text.alias("proposal"))


def with_latest_proposal(store: CacheStore, status: pl.DataFrame) -> pl.DataFrame:
    """``status`` (one row per repository) with a last column ``proposal``: the variant's latest proposal result."""
    latest = latest_by_variant(store).with_columns(pl.lit("huggingface").alias("platform"))
    return status.join(latest, left_on=["platform", "repo"], right_on=["platform", "variant"], how="left")

"""Provides the label cache: every label with its provenance, in the cache's ``labels`` table.

A commit has at most one label per source (``rule``, ``llm``, ``manual``), keyed by
``(platform, repo, sha, source)`` where ``sha`` is the commit key (``core.commits.commit_key``).
Each row also records the model and its digest, the prompt (or rules) version, the generation
options, the time and the hash of what the classifier saw. A model label is reused when its
``(prompt_version, model, input_hash)`` match the current run, so nothing is asked twice; a new
prompt version, another model or a changed commit asks again, for exactly those commits.
Which label wins is ``core.labels.effective_labels``: manual > llm > rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

import polars as pl

from cache.schema import TABLES
from cache.store import CacheStore

KEY: Final = ["platform", "repo", "sha", "source"]
LLM_REUSE_KEY: Final = ["platform", "repo", "sha", "prompt_version", "model", "input_hash"]


def now() -> dt.datetime:
    """The time stamped on new labels (UTC)."""
    return dt.datetime.now(dt.UTC)


def label_rows(frame: pl.DataFrame, **constants: object) -> pl.DataFrame:
    """Return ``frame`` in the labels schema, filling absent columns from ``constants`` or null.

    ``frame`` may name the commit key ``commit_key`` (as ``classify_frame`` does); it becomes ``sha``.
    """
    if "commit_key" in frame.columns and "sha" not in frame.columns:
        frame = frame.rename({"commit_key": "sha"})
    schema = TABLES["labels"]
    columns = []
    for name, dtype in schema.items():
        if name in frame.columns:
            columns.append(pl.col(name).cast(dtype))
        elif name in constants:
            columns.append(pl.lit(constants[name], dtype=dtype).alias(name))
        else:
            columns.append(pl.lit(None, dtype=dtype).alias(name))
    return frame.select(columns)


def rule_label_rows(classified: pl.DataFrame, *, version: str) -> pl.DataFrame:
    """Return label rows for the output of ``core.classify.rules.classify_frame``."""
    return label_rows(classified, source="rule", prompt_version=version, model="rules", labelled_at=now())


def upsert(store: CacheStore, rows: pl.DataFrame) -> int:
    """Write ``rows`` (labels schema) into the cache, replacing rows with the same key.

    Holds the cache's writer lock for the read-modify-write, so a concurrent ``classify`` or a
    manual label set in the app is never lost. Returns the number of rows written.
    """
    if rows.height == 0:
        return 0
    rows = rows.unique(subset=KEY, keep="last", maintain_order=True)
    with store.locked():
        existing = store.read("labels")
        kept = existing.join(rows.select(KEY), on=KEY, how="anti", nulls_equal=True)
        store.write("labels", pl.concat([kept, rows.select(existing.columns)], how="vertical"))
    return rows.height


def delete(store: CacheStore, keys: pl.DataFrame) -> int:
    """Remove the label rows whose ``(platform, repo, sha, source)`` is in ``keys``; return how many."""
    with store.locked():
        existing = store.read("labels")
        kept = existing.join(keys.select(KEY), on=KEY, how="anti", nulls_equal=True)
        if kept.height != existing.height:
            store.write("labels", kept)
    return existing.height - kept.height


def reusable_llm(store: CacheStore, candidates: pl.DataFrame, *, prompt_version: str, model: str) -> pl.DataFrame:
    """Return the candidates (``platform, repo, sha, input_hash``) whose model label can be reused.

    A model label is reused only when it came from the same prompt version and model and saw
    the same input; anything else is asked again.
    """
    labels = store.scan("labels", [*LLM_REUSE_KEY, "source"]).filter(pl.col("source") == "llm")
    wanted = candidates.select("platform", "repo", "sha", "input_hash").with_columns(
        pl.lit(prompt_version).alias("prompt_version"), pl.lit(model).alias("model")
    )
    cached = store.collect(labels.drop("source"), "labels")
    return wanted.join(cached, on=LLM_REUSE_KEY, how="semi").select("platform", "repo", "sha", "input_hash")


def manual_keys(store: CacheStore) -> pl.DataFrame:
    """Return ``platform, repo, sha`` of commits a person has labelled (never re-labelled by a model)."""
    lazy = store.scan("labels", ["platform", "repo", "sha", "source"]).filter(pl.col("source") == "manual")
    return store.collect(lazy.select("platform", "repo", "sha"), "labels")

"""Provides the label cache: every label with its provenance, stored through the cache's label operations.

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

from cache.schema import LABELS, conform
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
    return conform(frame, LABELS, **constants)


def rule_label_rows(classified: pl.DataFrame, *, version: str) -> pl.DataFrame:
    """Return label rows for the output of ``core.classify.rules.classify_frame``."""
    return label_rows(classified, source="rule", prompt_version=version, model="rules", labelled_at=now())


def upsert(store: CacheStore, rows: pl.DataFrame) -> int:
    """Store ``rows`` (labels schema), replacing labels with the same key; return how many were given.

    An append: a concurrent ``classify`` or a label set by hand in the app is never lost, and
    labels that did not change are not written again.
    """
    if rows.height == 0:
        return 0
    return store.record_labels(rows.unique(subset=KEY, keep="last", maintain_order=True))


def reusable_llm(store: CacheStore, candidates: pl.DataFrame, *, prompt_version: str, model: str) -> pl.DataFrame:
    """Return the candidates (``platform, repo, sha, input_hash``) whose model label can be reused.

    A model label is reused only when it came from the same prompt version and model and saw
    the same input; anything else is asked again.
    """
    labels = store.labels(LLM_REUSE_KEY, source="llm")
    wanted = candidates.select("platform", "repo", "sha", "input_hash").with_columns(
        pl.lit(prompt_version).alias("prompt_version"), pl.lit(model).alias("model")
    )
    cached = store.collect(labels)
    return wanted.join(cached, on=LLM_REUSE_KEY, how="semi").select("platform", "repo", "sha", "input_hash")


def manual_keys(store: CacheStore) -> pl.DataFrame:
    """Return ``platform, repo, sha`` of commits a person has labelled (never re-labelled by a model)."""
    return store.manual_labels(["platform", "repo", "sha"])

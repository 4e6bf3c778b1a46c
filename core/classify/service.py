"""Provides classify(), set_manual_label() and the label views the CLI and the app share.

``classify`` labels every selected commit with the rules first (instant, offline) and writes
them; with the ``ollama`` backend it then asks the local model about the commits the rules
left below ``classify.threshold``, skipping commits a person labelled and answers already
cached. A manual label always wins (``core.labels.effective_labels``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import polars as pl

from cache.store import CacheStore
from core.classify import label_cache, rules
from core.classify.labels import LABELS, normalise_label
from core.classify.llm_run import LlmRunStats, ask_model
from core.classify.prompts import prompt_input_expr
from core.commits import commit_key
from core.config import Settings
from core.errors import InputError
from core.labels import effective_labels, label_columns
from core.progress import CancelToken, Progress, ProgressCallback, format_duration

BACKENDS = ("rules", "ollama")
COMMIT_COLUMNS = ["family", "platform", "repo", "sha", "authored_at", "title", "message", "files"]


@dataclass
class ClassifyReport:
    """What a classify run did; ``summary()`` is the one line the CLI prints and the app shows."""

    backend: str
    families: int = 0
    commits: int = 0
    rule_labelled: int = 0
    below_threshold: int = 0
    manual: int = 0  # commits below the threshold that a person labelled: never asked
    llm: LlmRunStats = field(default_factory=LlmRunStats)
    elapsed: float = 0.0
    label_counts: dict[str, int] = field(default_factory=dict)  # effective labels of the selected commits

    @property
    def cancelled(self) -> bool:
        """True when the run was stopped early (finished work is kept)."""
        return self.llm.cancelled

    @property
    def error(self) -> str | None:
        """One line saying why the model could not be used, or None."""
        return self.llm.error

    def summary(self) -> str:
        """Return a one-line account of the run."""
        text = (
            f"labelled {self.commits} commits of {self.families} families with rules "
            f"({self.below_threshold} below the confidence threshold)"
        )
        if self.backend == "ollama":
            llm = self.llm
            text += (
                f"; {llm.model}: {llm.answered} answered, {llm.cached} cached"
                + (f", {llm.unusable} unusable (unclear)" if llm.unusable else "")
                + (f", {llm.failed} failed" if llm.failed else "")
                + (f", {self.manual} kept manual" if self.manual else "")
            )
            if llm.cancelled:
                text += f"; stopped early, {llm.asked} of {llm.candidates - llm.cached} asked (kept)"
            if llm.error:
                text += "; the model stopped (see the error), the rules' labels are kept for the rest"
        return f"{text} in {format_duration(self.elapsed)}"


def _read_commits(store: CacheStore, families: Sequence[str] | None) -> pl.DataFrame:
    return store.collect(store.commits(COMMIT_COLUMNS, families=list(families) if families else None))


def classify(
    store: CacheStore,
    settings: Settings,
    families: Sequence[str] | None = None,
    *,
    backend: str | None = None,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ClassifyReport:
    """Label the commits of ``families`` (all when None) and store the labels.

    Args:
        store: The cache; labels go to its ``labels`` table as they are made.
        settings: The ``classify`` section and the Ollama host.
        families: Family ids to label; None or empty means every family.
        backend: ``rules`` or ``ollama``; None means ``settings.classify.backend``.
        on_progress: Receives progress (counts and ETA).
        cancel: Stops the model part early; everything finished is kept.

    Returns:
        The report. When Ollama cannot be used, ``report.error`` says why and how to fix it,
        and the rules' labels stay.

    Raises:
        InputError: Unknown backend.
    """
    started = time.monotonic()
    backend = backend or settings.classify.backend
    if backend not in BACKENDS:
        raise InputError("Unknown classify backend", backend, "use rules or ollama")
    report = ClassifyReport(backend=backend)
    commits = _read_commits(store, families)
    report.commits, report.families = commits.height, commits["family"].n_unique()
    if on_progress:
        on_progress(Progress("rules", 0, commits.height))
    classified = rules.classify_frame(commits)
    report.rule_labelled = label_cache.upsert(
        store, label_cache.rule_label_rows(classified, version=rules.RULES_VERSION)
    )
    if on_progress:
        on_progress(Progress("rules", commits.height, commits.height, "done"))
    unsure = pl.col("confidence") < settings.classify.threshold
    report.below_threshold = classified.filter(unsure).height
    if backend == "ollama" and report.below_threshold:
        candidates = pl.concat(
            [commits.select("title", "message", "files"), classified.select("commit_key", "confidence", "linked_sha")],
            how="horizontal",
        ).with_columns(commits["platform"], commits["repo"])
        candidates = candidates.filter(unsure).rename({"commit_key": "sha"})
        manual = label_cache.manual_keys(store)
        kept = candidates.join(manual, on=["platform", "repo", "sha"], how="anti")
        report.manual = candidates.height - kept.height
        kept = kept.with_columns(prompt_input_expr()).select("platform", "repo", "sha", "prompt_input", "linked_sha")
        report.llm = ask_model(store, settings, kept, on_progress=on_progress, cancel=cancel)
    report.label_counts = _label_counts(store, commits)
    store.compact_if_worthwhile()
    report.elapsed = time.monotonic() - started
    return report


def _label_counts(store: CacheStore, commits: pl.DataFrame) -> dict[str, int]:
    keys = commits.select("platform", "repo", commit_key().alias("sha"))
    winners = store.collect(effective_labels(store.labels())).join(keys, on=["platform", "repo", "sha"], how="semi")
    counts = winners.group_by("label").len().sort(["len", "label"], descending=[True, False])
    return {row["label"]: row["len"] for row in counts.iter_rows(named=True)}


def find_commit(store: CacheStore, repo: str, sha: str, platform: str | None = None) -> tuple[str, str, str]:
    """Return ``(platform, repo, commit_key)`` of the one cached commit ``sha`` names.

    ``sha`` may be a full commit key or a sha prefix of at least 7 characters, as people type it.

    Raises:
        InputError: No such commit, or the prefix is ambiguous.
    """
    lazy = store.commits(["platform", "repo", "sha", "authored_at", "title"], repos=[repo], platform=platform)
    keys = store.collect(lazy.select("platform", commit_key()))
    exact = keys.filter(pl.col("commit_key") == sha)
    prefix = keys.filter(pl.col("commit_key").str.starts_with(sha)) if len(sha) >= 7 else keys.clear()
    found = exact if exact.height else prefix
    if found.height == 1:
        return str(found["platform"][0]), repo, str(found["commit_key"][0])
    where = f"{platform + ' ' if platform else ''}{repo} {sha[:40]}"
    if found.height == 0:
        raise InputError(
            "No such commit in the cache", where, "give the commit's sha (7+ characters) as `ptlm-tui labels` lists it"
        )
    raise InputError(
        "Ambiguous commit", f"{where} matches {found.height} commits", "give more of the sha or --platform"
    )


def set_manual_label(store: CacheStore, *, platform: str, repo: str, sha: str, label: str) -> None:
    """Record a person's label for one commit; it wins over model and rule labels from now on.

    Args:
        store: The cache.
        platform: ``github`` or ``huggingface``.
        repo: ``owner/name``.
        sha: The commit key (the sha; time and title for sha-less rows) or a sha prefix of 7+ characters.
        label: One of the 15 change types, ``bug fix``, ``add model`` or ``unclear``
            (spellings such as ``pipeline_performance`` are accepted).

    Raises:
        InputError: Unknown label, or no such commit in the cache.
    """
    normal = normalise_label(label)
    if normal is None:
        raise InputError("Unknown label", repr(label)[:60], "use one of: " + ", ".join(LABELS))
    platform, repo, sha = find_commit(store, repo, sha, platform)
    # The repository's labels are read, then the commit's picked: a filter on the sha too makes
    # the Parquet reader slower, not faster (its statistics already skip to the repository).
    linked = (
        store.collect(store.labels(["sha", "linked_sha"], repos=[repo], platform=platform))
        .filter(pl.col("sha") == sha)
        .select(pl.col("linked_sha").drop_nulls().first())
    )
    store.set_manual_label(
        platform=platform, repo=repo, sha=sha, label=normal, linked_sha=linked.item() if linked.height else None
    )


def clear_manual_label(store: CacheStore, *, platform: str, repo: str, sha: str) -> bool:
    """Remove a person's label for one commit (the model's or the rules' label shows again); True if one was removed."""
    return store.clear_manual_label(platform=platform, repo=repo, sha=sha)


def commit_labels(store: CacheStore, families: Sequence[str] | None = None) -> pl.DataFrame:
    """Return the commits of ``families`` with their effective label, for per-commit views.

    Columns: the commits' ``family, platform, repo, sha, authored_at, title`` plus
    ``commit_key, label, label_source, confidence, reason, model, linked_sha`` (null when unlabelled).
    """
    commits = _read_commits(store, families).select("family", "platform", "repo", "sha", "authored_at", "title")
    winners = store.collect(label_columns(effective_labels(store.labels()), extra=("reason", "model")))
    return commits.with_columns(commit_key()).join(winners, on=["platform", "repo", "commit_key"], how="left")


def family_label_counts(store: CacheStore, families: Sequence[str] | None = None) -> pl.DataFrame:
    """Return ``family, platform, label, commits`` (effective labels), for per-family views."""
    return (
        commit_labels(store, families)
        .filter(pl.col("label").is_not_null())
        .group_by("family", "platform", "label")
        .agg(pl.len().cast(pl.Int64).alias("commits"))
        .sort(["family", "platform", "commits", "label"], descending=[False, False, True, False])
    )

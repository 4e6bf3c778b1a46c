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
from core.words import noun, plural

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
    pending_only: bool = False  # only commits without a label were taken (the app's c and C)
    already_labelled: int = 0  # commits left as they were because they had a label (pending_only)

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
        if self.pending_only and not self.commits:
            return f"nothing to label: all {self.already_labelled:,} commits already have a label"
        unlabelled = "unlabelled " if self.pending_only else ""
        text = (
            f"labelled {self.commits:,} {unlabelled}{noun(self.commits, 'commit')} of "
            f"{plural(self.families, 'family')} with rules "
            f"({self.below_threshold:,} below the confidence threshold)"
        )
        if self.pending_only and self.already_labelled:
            text += f"; {self.already_labelled:,} already labelled were left as they are"
        if self.backend == "ollama" and not self.below_threshold:
            text += "; nothing for the model to label (every rule label is confident)"
        elif self.backend == "ollama":
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
    pending_only: bool = False,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ClassifyReport:
    """Label the commits of ``families`` (all when None) and store the labels.

    Args:
        store: The cache; labels go to its ``labels`` table as they are made.
        settings: The ``classify`` section and the Ollama host.
        families: Family ids to label; None or empty means every family.
        backend: ``rules`` or ``ollama``; None means ``settings.classify.backend``.
        pending_only: Take only commits that still need a label (see ``pending_commits``) and
            leave labelled ones as they are, so a second run says there is nothing to do.
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
    report = ClassifyReport(backend=backend, pending_only=pending_only)
    commits = _read_commits(store, families)
    if pending_only:
        everything = commits.height
        commits = pending_commits(store, commits, backend, settings.classify.threshold)
        report.already_labelled = everything - commits.height
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


def pending_commits(store: CacheStore, commits: pl.DataFrame, backend: str, threshold: float) -> pl.DataFrame:
    """Return the rows of ``commits`` that still need a label from ``backend``.

    With the rules a commit needs one when it has no label at all; with ``ollama`` also when
    its only label is a rule label below ``threshold`` (the model has not answered yet).
    """
    labels = store.labels(["platform", "repo", "sha", "source", "confidence"])
    if backend == "ollama":
        labels = labels.filter((pl.col("source") != "rule") | (pl.col("confidence") >= threshold))
    settled = store.collect(labels.select("platform", "repo", pl.col("sha").alias("commit_key")).unique())
    keyed = commits.with_columns(commit_key())
    return keyed.join(settled, on=["platform", "repo", "commit_key"], how="anti").drop("commit_key")


def count_pending(store: CacheStore, settings: Settings, families: Sequence[str] | None = None) -> tuple[int, int]:
    """Return ``(commits that need a label, all commits)`` of ``families`` for the configured backend.

    What ``classify(..., pending_only=True)`` would take; the app asks before labelling many.
    """
    columns = ["family", "platform", "repo", "sha", "authored_at", "title"]
    commits = store.collect(store.commits(columns, families=list(families) if families else None))
    pending = pending_commits(store, commits, settings.classify.backend, settings.classify.threshold)
    return pending.height, commits.height


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


def family_summary(store: CacheStore, families: Sequence[str] | None = None) -> pl.DataFrame:
    """Return the per-family account ``classify`` prints: label counts, top types and Jaccard similarity.

    Columns: ``family, gh_commits, hf_commits, typed, by_model, by_hand, gh_top_type, hf_top_type, jaccard``.
    """
    from core.analysis.similarity import change_type_similarity
    from core.models import CHANGE_TYPES

    labelled = commit_labels(store, families)
    typed = labelled.filter(pl.col("label").is_in(list(CHANGE_TYPES)))
    top = (
        typed.group_by("family", "platform", "label")
        .len()
        .sort(["family", "platform", "len", "label"], descending=[False, False, True, False])
        .unique(["family", "platform"], keep="first", maintain_order=True)
        .pivot(on="platform", index="family", values="label")
    )
    counts = labelled.group_by("family").agg(
        (pl.col("platform") == "github").sum().alias("gh_commits"),
        (pl.col("platform") == "huggingface").sum().alias("hf_commits"),
        pl.col("label").is_in(list(CHANGE_TYPES)).sum().alias("typed"),
        (pl.col("label_source") == "llm").sum().alias("by_model"),
        (pl.col("label_source") == "manual").sum().alias("by_hand"),
    )
    for name in ("github", "huggingface"):
        if name not in top.columns:
            top = top.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    similarity = change_type_similarity(labelled.lazy()).select("family", pl.col("jaccard").round(3))
    return (
        counts.join(top.rename({"github": "gh_top_type", "huggingface": "hf_top_type"}), on="family", how="left")
        .join(similarity, on="family", how="left")
        .sort("family")
    )

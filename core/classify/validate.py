"""Provides validate_gold(): label a gold file (docs/formats.md) and measure agreement with its labels.

Gold rows need ``platform``, ``title`` and the gold column (``label`` by default); ``repo``,
``sha``, ``authored_at``, ``message`` and ``files`` are used when present, so the study's
GitHub sample (no sha, no files, lower-cased messages) is read as it is. Figures are given per
platform and overall (docs/method.md §5 asks for raw agreement and per-class figures beside κ,
because the GitHub sample is almost all one class).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from cache.store import CacheStore
from core.classify import rules
from core.classify.labels import normalise_label_expr
from core.classify.llm_run import LlmRunStats, ask_model
from core.classify.metrics import agreement_report
from core.classify.prompts import PROMPT_VERSION, prompt_input_expr
from core.commits import parse_utc_times
from core.config import Settings
from core.errors import InputError
from core.io.tables import read_table
from core.labels import effective_labels
from core.progress import CancelToken, ProgressCallback

REQUIRED = ("platform", "title")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
PLATFORM_NAMES = {"github": "github", "gh": "github", "huggingface": "huggingface", "hf": "huggingface"}


@dataclass
class ValidationResult:
    """Agreement of the classifier with a gold file."""

    gold_file: str
    source: str  # "rules" or "rules+ollama:<model>"
    overall: dict[str, Any]
    platforms: dict[str, dict[str, Any]]
    rows: pl.DataFrame  # platform, repo, title, gold, predicted, confidence, reason
    skipped: int = 0  # rows without a gold label
    llm: LlmRunStats | None = None

    def as_json(self) -> dict[str, Any]:
        """The overall figures (``n, kappa, agreement, macro_f1, per_class``) plus per-platform ones."""
        extra: dict[str, Any] = {"gold": self.gold_file, "source": self.source, "skipped_rows": self.skipped}
        if self.llm is not None:
            extra["llm"] = {
                "model": self.llm.model,
                "prompt_version": PROMPT_VERSION,
                "asked": self.llm.asked,
                "cached": self.llm.cached,
                "unusable": self.llm.unusable,
            }
        return self.overall | {"platforms": self.platforms} | extra

    def per_class_frame(self) -> pl.DataFrame:
        """Per scope (each platform, then ``all``) and class: precision, recall, F1, support, predicted."""
        scopes = [*self.platforms.items(), ("all", self.overall)]
        rows = [
            {"scope": scope, "label": label, **{k: figures[k] for k in ("precision", "recall", "f1")}}
            | {"support": figures["support"], "predicted": figures["predicted"]}
            for scope, report in scopes
            for label, figures in report["per_class"].items()
        ]
        schema = {
            "scope": pl.String,
            "label": pl.String,
            "precision": pl.Float64,
            "recall": pl.Float64,
            "f1": pl.Float64,
            "support": pl.Int64,
            "predicted": pl.Int64,
        }
        return pl.DataFrame(rows, schema=schema)


def read_gold(path: Path, column: str = "label") -> tuple[pl.DataFrame, int]:
    """Read a gold file into commit rows with a ``gold`` column; return them and the number of unlabelled rows skipped.

    Raises:
        InputError: Missing columns, unknown platforms or gold labels outside the vocabulary.
    """
    raw = read_table(path)
    missing = [c for c in (*REQUIRED, column) if c not in raw.columns]
    if missing:
        raise InputError(
            "Gold file lacks columns",
            f"{path}: {', '.join(missing)}",
            "see docs/formats.md: platform, repo, sha, authored_at, title, message, files, label",
        )
    for name in ("repo", "sha", "authored_at", "message", "files"):
        if name not in raw.columns:
            raw = raw.with_columns(pl.lit(None, dtype=pl.String).alias(name))
    frame = raw.with_row_index("line", offset=2).with_columns(
        pl.col("platform")
        .str.strip_chars()
        .str.to_lowercase()
        .replace_strict(PLATFORM_NAMES, default=None, return_dtype=pl.String),
        pl.col(column).fill_null("").str.strip_chars().alias("_gold_raw"),
    )
    labelled = frame.filter(pl.col("_gold_raw") != "")
    skipped = frame.height - labelled.height
    labelled = labelled.with_columns(normalise_label_expr(pl.col("_gold_raw")).alias("gold"))
    bad_platform = labelled.filter(pl.col("platform").is_null())
    if bad_platform.height:
        raise InputError(
            "Unknown platform in gold file", f"{path}:{bad_platform['line'][0]}", "use github or huggingface"
        )
    bad = labelled.filter(pl.col("gold").is_null())
    if bad.height:
        values = ", ".join(sorted(set(bad["_gold_raw"].to_list()))[:5])
        raise InputError(
            "Gold labels outside the vocabulary",
            f"{path}:{bad['line'][0]}: {values}",
            "use the 15 change types of docs/method.md §5, bug fix, add model or unclear",
        )
    # Rows without a sha are keyed by time and title (core.commits.commit_key); a row without a
    # usable time gets the epoch, so it still has a key and its model answer is cached.
    times = parse_utc_times(labelled["authored_at"].fill_null("")).fill_null(EPOCH)
    return labelled.with_columns(times.alias("authored_at"), pl.col("repo").fill_null("")), skipped


def validate_gold(
    store: CacheStore,
    settings: Settings,
    path: Path,
    *,
    use_llm: bool = False,
    column: str = "label",
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
) -> ValidationResult:
    """Label the gold rows (rules, then the model below the threshold with ``use_llm``) and measure agreement.

    Model answers go through the label cache like any other, so a second run asks nothing.

    Raises:
        InputError: The gold file is unusable.
        PtlmError: ``use_llm`` and Ollama cannot be used (with the command that fixes it).
    """
    gold, skipped = read_gold(path, column)
    classified = rules.classify_frame(gold)
    predicted = classified.select("label", "confidence", "reason")
    llm: LlmRunStats | None = None
    source = "rules"
    if use_llm:
        unsure = classified["confidence"] < settings.classify.threshold
        candidates = pl.concat(
            [
                gold.select("platform", "title", "message", "files"),
                classified.select("repo", "commit_key", "linked_sha"),
            ],
            how="horizontal",
        ).filter(unsure)
        candidates = candidates.rename({"commit_key": "sha"}).with_columns(prompt_input_expr())
        candidates = candidates.select("platform", "repo", "sha", "prompt_input", "linked_sha")
        llm = ask_model(store, settings, candidates, on_progress=on_progress, cancel=cancel, strict=True)
        answers = store.collect(effective_labels(store.labels(source="llm"))).select(
            "platform", "repo", pl.col("sha").alias("commit_key"), pl.col("label").alias("llm_label")
        )
        joined = classified.with_columns(unsure.alias("_unsure")).join(
            answers, on=["platform", "repo", "commit_key"], how="left", maintain_order="left"
        )
        predicted = joined.select(
            pl.when(pl.col("_unsure") & pl.col("llm_label").is_not_null())
            .then(pl.col("llm_label"))
            .otherwise(pl.col("label"))
            .alias("label"),
            "confidence",
            pl.when(pl.col("_unsure") & pl.col("llm_label").is_not_null())
            .then(pl.lit("llm"))
            .otherwise(pl.col("reason"))
            .alias("reason"),
        )
        source = f"rules+ollama:{settings.classify.model}"
    rows = pl.concat(
        [gold.select("platform", "repo", "title", "gold"), predicted.rename({"label": "predicted"})], how="horizontal"
    )
    platforms = {
        platform: agreement_report(part["gold"], part["predicted"])
        for (platform,), part in sorted(rows.group_by("platform"), key=lambda item: str(item[0][0]))
    }
    return ValidationResult(
        gold_file=str(path),
        source=source,
        overall=agreement_report(rows["gold"], rows["predicted"]),
        platforms=platforms,
        rows=rows,
        skipped=skipped,
        llm=llm,
    )

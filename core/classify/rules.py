"""Provides classify_frame(): the offline rule classifier, vectorised over any number of commits.

Evidence is weighed in a fixed order (``RULE_ORDER``), first match wins:

1. tool-written markers (mirror sync, Hub upload, initial commit, Hub merge);
2. model-card edits that record evaluation results or metadata;
3. code-only edits whose title says comments or speed;
4. one kind of file only (``core.classify.paths``): the files decide;
5. a specific title keyword (``core.classify.keywords``) over a mix of files;
6. one kind of substantive file beside companions (README, .gitattributes, licence, CI);
7. any title keyword; then companions alone; then the most telling file of a mix;
8. keywords in the message body; weak fallbacks; ``unclear``.

Each label carries a confidence (what ``classify.threshold`` compares against before a local
model is asked) and a ``reason`` naming the rule that fired. Nothing here loops over rows in
Python: files are exploded into one row per path, categorised with regexes over the distinct
paths, aggregated back per commit, and combined with ``when`` chains.
"""

from __future__ import annotations

from typing import Final

import polars as pl

from core.classify import keywords as kw
from core.classify.exprs import first_match, message_body
from core.classify.paths import categorise_frame
from core.commits import commit_key
from core.models import HUGGINGFACE

RULES_VERSION: Final = "rules-1"

# File category → label, for the categories whose label does not depend on status or platform.
CATEGORY_LABEL: Final = {
    "gitattributes": "project metadata",
    "meta": "project metadata",
    "media": "external documentation",
    "docs": "external documentation",
    "tokenizer": "preprocessing",
    "preproc_code": "preprocessing",
    "train_artefact": "training infrastructure",
    "train_code": "training infrastructure",
    "weights": "model structure",
    "model_code": "model structure",
    "eval_results": "validation infrastructure",
    "eval_code": "validation infrastructure",
    "config": "parameter tuning",
    "data_split": "input data",
    "data": "input data",
    "data_files": "input data",
    "output": "output data",
}
# Files that accompany the substance of a commit: a README note beside new weights, a licence
# beside code. They decide only when nothing else does.
COMPANIONS: Final = ("gitattributes", "artefact", "meta", "license", "docs", "media")
CODE_CATEGORIES: Final = ("code", "model_code", "train_code", "eval_code", "preproc_code")
# Which label a mixed commit gets: what changes the model most comes first.
LABEL_PRIORITY: Final = {
    label: rank
    for rank, label in enumerate(
        (
            "model structure",
            "training infrastructure",
            "validation infrastructure",
            "preprocessing",
            "input data",
            "output data",
            "parameter tuning",
            "update dependency",
            "add dependency",
            "remove dependency",
            "external documentation",
            "project metadata",
        )
    )
}
PRIORITY_LABEL: Final = {rank: label for label, rank in LABEL_PRIORITY.items()}

# Files named in a title, for commits whose file list is unknown ("Update config.json").
TITLE_FILE: Final = (
    r"[\w.\-/]*\w\.(md|mdx|rst|txt|json|jsonl|ya?ml|toml|cfg|ini|py|sh|ipynb|bin|safetensors|h5|msgpack|onnx|gguf"
    r"|pt|pth|ckpt|ot|model|png|jpe?g|gif|svg|pdf|drawio|csv|tsv|parquet|zip|tgz|gz|html|lock)\b"
    r"|\b(readme|license|licence|notice|requirements|dockerfile|makefile|changelog|gitattributes|gitignore)\b"
)
BODY_CHARS: Final = 400  # message text read by body keywords; long PR bodies add noise, not signal

OUTPUT_COLUMNS: Final = ("platform", "repo", "commit_key", "label", "confidence", "reason", "linked_sha")


def _file_label(category: pl.Expr, status: pl.Expr, is_hf: pl.Expr) -> pl.Expr:
    """The label one changed file argues for (null for code and unknown files)."""
    return (
        pl.when(category == "deps")
        .then(
            # Dependency manifests: the git status says whether a dependency came, changed or went.
            pl.when(status == "A")
            .then(pl.lit("add dependency"))
            .when(status == "D")
            .then(pl.lit("remove dependency"))
            .otherwise(pl.lit("update dependency"))
        )
        .when(category == "artefact")
        .then(pl.when(status == "D").then(pl.lit("remove dependency")).otherwise(pl.lit("project metadata")))
        .when(category == "license")
        .then(
            # docs/method.md §5 lists licence text under documentation and licence-file creation under
            # project metadata. The study's raters applied the second on the Hub, where the
            # licence is also a field of the card's metadata, and the first on GitHub.
            pl.when(is_hf & (status == "A"))
            .then(pl.lit("project metadata"))
            .otherwise(pl.lit("external documentation"))
        )
        .otherwise(category.replace_strict(CATEGORY_LABEL, default=None, return_dtype=pl.String))
    )


def _file_evidence(frame: pl.DataFrame) -> pl.DataFrame:
    """Return one row per commit (``_row``) summarising what its files argue for."""
    files = pl.col("files").fill_null("").str.strip_chars()
    entries = (
        pl.when(files != "")
        .then(files.str.split("|"))
        .otherwise(pl.col("_title_lc").str.extract_all(TITLE_FILE))
        .alias("entry")
    )
    exploded = (
        frame.select("_row", "_is_hf", "_title_status", entries)
        .explode("entry")
        .filter(pl.col("entry").is_not_null() & (pl.col("entry").str.strip_chars() != ""))
        .with_columns(
            pl.coalesce(pl.col("entry").str.extract(r"^([AMDT]):", 1), pl.col("_title_status")).alias("status"),
            pl.col("entry")
            .str.replace(r"^[AMDT]:", "")
            .str.strip_chars()
            .str.to_lowercase()
            .str.replace(r"^(gitattributes|gitignore)$", ".$1")
            .alias("path"),
        )
    )
    # Paths repeat heavily (README.md, config.json): categorise each distinct path once.
    categories = categorise_frame(exploded.select(pl.col("path").unique()))
    per_file = exploded.join(categories, on="path", how="left").with_columns(
        _file_label(pl.col("category"), pl.col("status"), pl.col("_is_hf")).alias("flabel")
    )
    per_file = per_file.with_columns(
        pl.col("category").is_in(COMPANIONS).alias("companion"),
        pl.col("flabel").replace_strict(LABEL_PRIORITY, default=None, return_dtype=pl.Int32).alias("prio"),
    )
    label, companion, category = pl.col("flabel"), pl.col("companion"), pl.col("category")
    return per_file.group_by("_row").agg(
        pl.len().alias("n_files"),
        label.is_not_null().sum().alias("n_known"),
        label.drop_nulls().n_unique().alias("n_labels"),
        label.drop_nulls().first().alias("first_label"),
        category.first().alias("first_category"),
        pl.col("prio").filter(~companion).min().alias("sub_prio"),
        label.filter(~companion).drop_nulls().n_unique().alias("n_sub"),
        label.filter(~companion & (category != "config")).drop_nulls().n_unique().alias("n_sub_noconfig"),
        pl.col("prio").filter(companion).min().alias("comp_prio"),
        (category == "weights").any().alias("has_weights"),
        category.is_in(CODE_CATEGORIES).all().alias("all_code"),
        category.is_in(CODE_CATEGORIES).any().alias("has_code"),
    )


def _prepare(commits: pl.DataFrame) -> pl.DataFrame:
    """Return the columns the rules read, with missing optional columns filled in."""
    frame = commits
    for name, dtype in (
        ("repo", pl.String),
        ("sha", pl.String),
        ("authored_at", pl.Datetime("us", "UTC")),
        ("title", pl.String),
        ("message", pl.String),
        ("files", pl.String),
    ):
        if name not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=dtype).alias(name))
    title = pl.col("title").fill_null("")
    message = pl.col("message").fill_null("")
    # The message usually repeats the title; the body is what follows it.
    body = message_body(title, message).str.slice(0, BODY_CHARS)
    return frame.with_row_index("_row").select(
        "_row",
        "platform",
        "repo",
        commit_key(),
        (pl.col("platform") == HUGGINGFACE).alias("_is_hf"),
        title.str.to_lowercase().alias("_title_lc"),
        kw.prepared_text(title).alias("_text"),
        kw.prepared_text(body).alias("_body"),
        title.alias("_title"),
        message.alias("_message"),
        "files",
    )


def _title_features(frame: pl.DataFrame) -> pl.DataFrame:
    """Return what the rules read off a title, once per distinct title (titles repeat a lot)."""
    text = pl.col("_text")
    return frame.select(text.unique()).with_columns(
        pl.when(text.str.contains(kw.DELETED_VERB))
        .then(pl.lit("D"))
        .when(text.str.contains(kw.ADDED_VERB))
        .then(pl.lit("A"))
        .otherwise(pl.lit("M"))
        .alias("_title_status"),
        kw.first_keyword(text).alias("_kw"),
        text.str.contains(kw.AUTO_SYNC).alias("_m_sync"),
        text.str.contains(kw.HUB_UPLOAD).alias("_m_upload"),
        text.str.contains(kw.INITIAL_COMMIT).alias("_m_initial"),
        text.str.contains(kw.MERGE).alias("_m_merge"),
        text.str.contains(kw.CARD_EVAL).alias("_m_card_eval"),
        text.str.contains(kw.CARD_METADATA).alias("_m_card_metadata"),
        text.str.contains(kw.CODE_COMMENTS).alias("_m_comments"),
        text.str.contains(kw.BUG_FIX).alias("_m_bug"),
    )


def classify_frame(commits: pl.DataFrame) -> pl.DataFrame:
    """Label every commit with the rules: one output row per input row, in input order.

    Args:
        commits: Commits with at least ``platform`` and ``title``; ``repo``, ``sha``,
            ``authored_at``, ``message`` and ``files`` (docs/formats.md) are used when present.

    Returns:
        ``platform, repo, commit_key, label, confidence, reason, linked_sha``: the commit key
        (``core.commits.commit_key``), one of ``core.models.ALL_LABELS``, a confidence in
        [0, 1], the rule that fired, and for mirror commits the GitHub sha they name.
    """
    frame = _prepare(commits)
    frame = frame.join(_title_features(frame), on="_text", how="left")
    # Body keywords matter only where the title names nothing: read long messages only there.
    needs_body = frame.filter(pl.col("_kw").is_null() & (pl.col("_body") != ""))
    frame = frame.join(
        needs_body.select("_row", kw.first_keyword(pl.col("_body")).alias("_body_kw")), on="_row", how="left"
    )
    evidence = _file_evidence(frame)
    frame = frame.join(evidence, on="_row", how="left").with_columns(
        pl.col("n_files").fill_null(0),
        (pl.col("files").fill_null("").str.strip_chars() == "").alias("_from_title"),
    )
    decided = frame.with_columns(_decide().struct.unnest()).sort("_row")
    return decided.select(
        "platform",
        "repo",
        "commit_key",
        "label",
        pl.col("confidence").round(2),
        "reason",
        pl.coalesce(pl.col("_title").str.extract(kw.LINKED_SHA, 1), pl.col("_message").str.extract(kw.LINKED_SHA, 1))
        .str.to_lowercase()
        .alias("linked_sha"),
    )


def _decide() -> pl.Expr:
    """The rule cascade as one struct expression of ``label, confidence, reason``."""
    is_hf = pl.col("_is_hf")
    has_files = pl.col("n_files") > 0
    pure = has_files & (pl.col("n_known") == pl.col("n_files")) & (pl.col("n_labels") == 1)
    docs_or_none = ~has_files | (pure & (pl.col("first_label") == "external documentation"))
    code_only = has_files & pl.col("all_code")
    kw_label = pl.col("_kw").replace_strict(kw.KEYWORD_LABEL, default=None, return_dtype=pl.String)
    kw_conf = pl.col("_kw").replace_strict(kw.KEYWORD_CONFIDENCE, default=0.0, return_dtype=pl.Float64)
    body_label = pl.col("_body_kw").replace_strict(kw.KEYWORD_LABEL, default=None, return_dtype=pl.String)
    is_merge = pl.col("_m_merge")
    dominant = has_files & ((pl.col("n_sub") == 1) | (pl.col("has_weights") & (pl.col("n_sub_noconfig") == 1)))
    title_files = pl.col("_from_title").cast(pl.Float64) * 0.1  # files read off a title count for less
    sub_label = pl.col("sub_prio").replace_strict(PRIORITY_LABEL, default=None, return_dtype=pl.String)
    comp_label = pl.col("comp_prio").replace_strict(PRIORITY_LABEL, default=None, return_dtype=pl.String)

    def lit(label: str) -> pl.Expr:
        return pl.lit(label, dtype=pl.String)

    # (condition, label, confidence, reason) in order; the first true condition decides.
    cascade: list[tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]] = [
        (pl.col("_m_sync"), lit("sharing"), pl.lit(0.95), lit("marker:auto-sync")),
        (pl.col("_m_upload") & (is_hf | ~has_files), lit("sharing"), pl.lit(0.9), lit("marker:upload")),
        (pl.col("_m_initial"), lit("project metadata"), pl.lit(0.9), lit("marker:initial-commit")),
        (is_hf & is_merge, lit("sharing"), pl.lit(0.85), lit("marker:hub-merge")),
        (
            docs_or_none & pl.col("_m_card_eval"),
            lit("validation infrastructure"),
            pl.lit(0.85),
            lit("card:evaluation-results"),
        ),
        (
            docs_or_none & pl.col("_m_card_metadata"),
            lit("project metadata"),
            pl.lit(0.8),
            lit("card:metadata"),
        ),
        (
            code_only & (pl.col("_kw") == "performance"),
            lit("pipeline performance"),
            pl.lit(0.75),
            lit("code+title:performance"),
        ),
        (
            code_only & pl.col("_m_comments"),
            lit("internal documentation"),
            pl.lit(0.75),
            lit("code+title:comments"),
        ),
        (
            pure,
            pl.col("first_label"),
            0.9 - title_files,
            pl.format("files:{}", pl.col("first_category")),
        ),
        (
            has_files & kw_label.is_not_null() & (kw_label != "external documentation") & (kw_conf >= 0.7),
            kw_label,
            kw_conf,
            pl.format("title:{}", pl.col("_kw")),
        ),
        (dominant, sub_label, 0.8 - title_files, pl.format("files:mostly-{}", sub_label.str.replace_all(" ", "-"))),
        (
            kw_label.is_not_null(),
            kw_label,
            kw_conf - pl.when(has_files).then(0.0).otherwise(0.05) - pl.when(is_merge).then(0.1).otherwise(0.0),
            pl.format("title:{}", pl.col("_kw")),
        ),
        (
            has_files & (pl.col("n_sub") == 0) & comp_label.is_not_null(),
            comp_label,
            pl.when(pl.col("has_code")).then(0.5).otherwise(0.7),
            lit("files:companions"),
        ),
        (has_files & (pl.col("n_sub") >= 2), sub_label, pl.lit(0.6), lit("files:mixed")),
        (body_label.is_not_null(), body_label, pl.lit(0.55), pl.format("message:{}", pl.col("_body_kw"))),
        (pl.col("_m_upload"), lit("sharing"), pl.lit(0.55), lit("marker:upload")),
        (is_merge, lit("sharing"), pl.lit(0.4), lit("merge")),
        (pl.col("_m_bug"), lit("bug fix"), pl.lit(0.45), lit("title:bug-fix")),
        (pl.col("has_code").fill_null(False), lit("model structure"), pl.lit(0.45), lit("files:code")),
    ]
    fallback = pl.struct(lit("unclear").alias("label"), pl.lit(0.0).alias("confidence"), lit("no rule").alias("reason"))
    return first_match(
        (
            (
                condition.fill_null(False),
                pl.struct(
                    label.alias("label"), confidence.cast(pl.Float64).alias("confidence"), reason.alias("reason")
                ),
            )
            for condition, label, confidence, reason in cascade
        ),
        fallback,
    )


RULE_ORDER: Final = (
    "marker:auto-sync",
    "marker:upload",
    "marker:initial-commit",
    "marker:hub-merge",
    "card:evaluation-results",
    "card:metadata",
    "code+title:performance",
    "code+title:comments",
    "files:<category>",
    "title:<keyword> (specific, over mixed files)",
    "files:mostly-<label>",
    "title:<keyword>",
    "files:companions",
    "files:mixed",
    "message:<keyword>",
    "marker:upload (GitHub)",
    "merge",
    "title:bug-fix",
    "files:code",
    "no rule",
)

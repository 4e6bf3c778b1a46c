"""Provides the verbs classify, validate, labels and label (METHOD.md §5, FORMATS.md)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError, InputError

if TYPE_CHECKING:  # the parser is built for every command; keep polars, pydantic and ollama out of it
    from core.config import Settings
    from tui.cli.context import Context

PLATFORMS = ("github", "huggingface")


def add_model_options(parser: argparse.ArgumentParser) -> None:
    """Add the options that choose and tune the local model."""
    group = parser.add_argument_group("local model (Ollama)")
    group.add_argument("--model", metavar="NAME", help="Ollama model (setting classify.model)")
    group.add_argument("--host", metavar="URL", help="Ollama server (setting classify.ollama_host, env OLLAMA_HOST)")
    group.add_argument("--threshold", type=float, metavar="X", help="ask the model below this rule confidence (0-1)")
    group.add_argument("--concurrency", type=int, metavar="N", help="parallel Ollama requests")


def classify_settings(ctx: Context) -> Settings:
    """Return the settings with this command's model flags applied (validated like the config file)."""
    from pydantic import ValidationError

    from core.config import ClassifySettings

    args = ctx.args
    flags = {
        "model": args.model,
        "ollama_host": args.host,
        "threshold": args.threshold,
        "concurrency": args.concurrency,
    }
    update = {k: v for k, v in flags.items() if v is not None}
    if not update:
        return ctx.settings
    try:
        section = ClassifySettings.model_validate(ctx.settings.classify.model_dump() | update)
    except ValidationError as exc:
        first = exc.errors()[0]
        flag = "--" + str(first["loc"][0]).replace("ollama_", "").replace("_", "-")
        raise ConfigError(f"Invalid {flag}", first["msg"], "see `ptlm-tui classify --help`") from exc
    return ctx.settings.model_copy(update={"classify": section})


def _families(ctx: Context, names: list[str]) -> list[str] | None:
    from tui.cli.analysis_cmds import selected_families

    ctx.args.family = names or None
    return selected_families(ctx)


def run_classify(ctx: Context) -> int:
    """ptlm-tui classify [FAMILY...]: label commits with the rules, then Ollama for the unsure ones."""
    from core.classify.service import classify
    from core.io.tables import write_table
    from tui.cli.context import ProgressLine

    if not ctx.store.has_commits():
        raise InputError(
            "The cache holds no commits", ctx.store.where, "run `ptlm-tui import FILE` or `ptlm-tui sync` first"
        )
    settings = classify_settings(ctx)
    families = _families(ctx, ctx.args.families)
    progress = ProgressLine(ctx.err)
    try:
        report = classify(ctx.store, settings, families, backend=ctx.args.backend, on_progress=progress)
    finally:
        progress.close()
    write_table(_family_summary(ctx, families), ctx.args.format, ctx.args.output, ctx.out)
    ctx.info(report.summary())
    if report.error:
        ctx.info(f"ptlm-tui: error: {report.error}")
        return 1
    return 130 if report.cancelled else 0


def _family_summary(ctx: Context, families: list[str] | None) -> Any:
    """Per family: labelled commits per platform, the commonest type on each side, and the Jaccard similarity."""
    import polars as pl

    from core.analysis.similarity import change_type_similarity
    from core.classify.service import commit_labels
    from core.models import CHANGE_TYPES

    labelled = commit_labels(ctx.store, families)
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


def run_validate(ctx: Context) -> int:
    """ptlm-tui validate --gold FILE: agreement of the classifier with gold labels."""
    from core.classify.validate import validate_gold
    from tui.cli.context import ProgressLine

    progress = ProgressLine(ctx.err)
    try:
        result = validate_gold(
            ctx.store,
            classify_settings(ctx),
            ctx.args.gold,
            use_llm=ctx.args.llm,
            column=ctx.args.column,
            on_progress=progress,
        )
    finally:
        progress.close()
    if ctx.args.format == "json":
        text = json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = _validation_text(result)
    if ctx.args.output:
        try:
            ctx.args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError("Cannot write output", f"{ctx.args.output}: {exc.strerror}", "check the path") from exc
    else:
        ctx.out.write(text)
    return 0


def _validation_text(result: Any) -> str:
    from core.text import one_line

    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    lines = [f"gold: {one_line(result.gold_file)}   labels: {result.source}"]
    if result.skipped:
        lines.append(f"skipped {result.skipped} rows without a gold label")
    lines.append(f"{'scope':<14}{'n':>5}{'kappa':>8}{'agreement':>11}{'macro-F1':>10}")
    scopes = [*result.platforms.items(), ("all", result.overall)]
    for name, figures in scopes:
        lines.append(
            f"{name:<14}{figures['n']:>5}{fmt(figures['kappa']):>8}{fmt(figures['agreement']):>11}"
            f"{fmt(figures['macro_f1']):>10}"
        )
    lines += ["", f"{'label':<28}{'precision':>10}{'recall':>8}{'F1':>7}{'gold':>6}{'pred':>6}"]
    for label, c in result.overall["per_class"].items():
        lines.append(
            f"{one_line(label, 27):<28}{c['precision']:>10.3f}{c['recall']:>8.3f}{c['f1']:>7.3f}"
            f"{c['support']:>6}{c['predicted']:>6}"
        )
    if result.overall["kappa"] is not None and len(result.platforms) > 1:
        lines += ["", "κ is chance-corrected; on a sample that is nearly all one class, read agreement and F1 too."]
    return "\n".join(lines) + "\n"


def run_labels(ctx: Context) -> int:
    """ptlm-tui labels: every commit with its effective label and where it came from."""
    from core.classify.service import commit_labels
    from core.io.tables import write_table

    frame = commit_labels(ctx.store, _families(ctx, ctx.args.families))
    if ctx.args.format == "table":
        frame = frame.select("family", "platform", "repo", "commit_key", "title", "label", "label_source", "confidence")
    write_table(frame, ctx.args.format, ctx.args.output, ctx.out)
    return 0


def run_label(ctx: Context) -> int:
    """ptlm-tui label REPO SHA LABEL: set (or --clear) a manual label."""
    from core.classify.service import clear_manual_label, find_commit, set_manual_label

    args = ctx.args
    if args.clear:
        platform, repo, key = find_commit(ctx.store, args.repo, args.sha, args.platform)
        removed = clear_manual_label(ctx.store, platform=platform, repo=repo, sha=key)
        ctx.info(f"manual label {'removed' if removed else 'was not set'} for {platform} {repo} {key[:12]}")
        return 0
    if not args.label:
        raise InputError("No label given", f"{args.repo} {args.sha}", "add the label, or --clear to remove one")
    platform, repo, key = find_commit(ctx.store, args.repo, args.sha, args.platform)
    set_manual_label(ctx.store, platform=platform, repo=repo, sha=key, label=" ".join(args.label))
    ctx.info(f"labelled {platform} {repo} {key[:12]} by hand")
    return 0


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add classify, validate, labels and label."""
    from tui.cli.analysis_cmds import add_output_options

    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "classify",
        parents=[common],
        formatter_class=fmt,
        help="label commits with change types (rules, then a local Ollama model)",
        description="Label every commit with one of the study's 15 change types (METHOD.md §5). Rules label "
        "everything offline first; with --backend ollama a local model labels the commits the rules are unsure "
        "of. Labels are cached: nothing is asked twice, and a manual label always wins. Ctrl+C keeps the "
        "finished work.",
        epilog="examples:\n  ptlm-tui classify\n  ptlm-tui classify google-bert_bert facebook_bart\n"
        "  ptlm-tui classify --backend ollama --model qwen2.5:7b-instruct --concurrency 2\n"
        "  OLLAMA_HOST=http://gpu-box:11434 ptlm-tui classify --backend ollama --format csv -o families.csv",
    )
    p.add_argument("families", nargs="*", metavar="FAMILY", help="family ids (default: all)")
    p.add_argument("--backend", choices=("rules", "ollama"), help="rules (default setting) or ollama")
    add_model_options(p)
    add_output_options(p, ("table", "csv", "json", "parquet"), "table")
    p.set_defaults(func=run_classify)

    p = subparsers.add_parser(
        "validate",
        parents=[common],
        formatter_class=fmt,
        help="agreement of the classifier with gold labels",
        description="Label a gold file (FORMATS.md) and print n, Cohen's kappa, raw agreement, macro-F1 and "
        "per-class precision/recall/F1, per platform and overall. Rows need platform, title and the gold "
        "label; sha, files and times are used when present.",
        epilog="examples:\n  ptlm-tui validate --gold ../shared/data/gold/hf_dev.csv\n"
        "  ptlm-tui validate --gold gh_dev.csv --format json\n"
        "  ptlm-tui validate --gold hf_dev.csv --llm --model llama3.1:8b",
    )
    p.add_argument("--gold", required=True, type=Path, metavar="FILE", help="gold file, .csv or .parquet")
    p.add_argument("--llm", action="store_true", help="ask Ollama about the rows the rules are unsure of")
    p.add_argument("--column", default="label", metavar="NAME", help="gold label column (default label)")
    add_model_options(p)
    add_output_options(p, ("table", "json"), "table")
    p.set_defaults(func=run_validate)

    p = subparsers.add_parser(
        "labels",
        parents=[common],
        formatter_class=fmt,
        help="every commit with its label and where it came from",
        description="List commits with their effective label (manual > model > rules), its source and confidence.",
        epilog="examples:\n  ptlm-tui labels google-bert_bert\n  ptlm-tui labels --format csv -o labels.csv",
    )
    p.add_argument("families", nargs="*", metavar="FAMILY", help="family ids (default: all)")
    add_output_options(p, ("table", "csv", "json", "parquet"), "table")
    p.set_defaults(func=run_labels)

    p = subparsers.add_parser(
        "label",
        parents=[common],
        formatter_class=fmt,
        help="set or clear a commit's label by hand",
        description="Set a manual label on one commit; it wins over the rules and the model. SHA may be a "
        "prefix of 7+ characters.",
        epilog="examples:\n  ptlm-tui label google-bert/bert-base-uncased 86b5e09 model structure\n"
        "  ptlm-tui label --platform github openai/gpt-2 c2dae27 --clear",
    )
    p.add_argument("repo", metavar="REPO", help="owner/name")
    p.add_argument("sha", metavar="SHA", help="commit sha or prefix")
    p.add_argument("label", nargs="*", metavar="LABEL", help="change type, e.g. external documentation")
    p.add_argument("--platform", choices=PLATFORMS, help="needed when the repo name exists on both platforms")
    p.add_argument("--clear", action="store_true", help="remove the manual label")
    p.set_defaults(func=run_label)

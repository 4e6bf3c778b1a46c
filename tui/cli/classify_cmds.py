"""Provides the verbs classify, validate, labels and label (docs/method.md §5, docs/formats.md)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import UsageError
from tui.cli.context import TABLE_FORMATS, family_arguments, output_arguments
from tui.cli.main import ERROR, INTERRUPTED, OK, PARTIAL

if TYPE_CHECKING:  # the parser is built for every command; keep polars and ollama out of it
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
    from core.config_schema import SettingError

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
        section = ctx.settings.classify.model_copy(update=update)
    except SettingError as exc:
        flag = "--" + str(exc.path[0]).replace("ollama_", "").replace("_", "-")
        raise UsageError(f"Invalid {flag}", exc.message, f"see `ptlm-tui {ctx.args.command} --help`") from None
    return ctx.settings.model_copy(update={"classify": section})


def run_classify(ctx: Context) -> int:
    """ptlm-tui classify [FAMILY...]: label commits with the rules, then Ollama for the unsure ones."""
    from core.classify.service import classify, family_summary
    from core.errors import InputError
    from tui.cli.context import ProgressLine

    if not ctx.store.has_commits():
        raise InputError(
            "The cache holds no commits", ctx.store.where, "run `ptlm-tui import FILE` or `ptlm-tui sync` first"
        )
    settings = classify_settings(ctx)
    families = ctx.families()
    progress = ProgressLine(ctx.err)
    try:
        report = classify(ctx.store, settings, families, backend=ctx.args.backend, on_progress=progress)
    finally:
        progress.close()
    ctx.table(family_summary(ctx.store, families))
    ctx.info(report.summary())
    if report.error:
        ctx.info(f"ptlm-tui: error: {report.error}")
        return ERROR
    if report.cancelled:
        return INTERRUPTED
    return PARTIAL if report.llm.failed else OK


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
        ctx.emit(json.dumps(result.as_json(), indent=2, ensure_ascii=False) + "\n", json_style=True)
    elif ctx.args.format == "table":
        ctx.emit(_validation_text(result))
    else:
        ctx.table(result.per_class_frame())
    return OK


def _validation_text(result: Any) -> str:
    from core.text import one_line
    from core.words import plural

    def fmt(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    lines = [f"gold: {one_line(result.gold_file)}   labels: {result.source}"]
    if result.skipped:
        lines.append(f"skipped {plural(result.skipped, 'row')} without a gold label")
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

    frame = commit_labels(ctx.store, ctx.families())
    ctx.table(frame, ["family", "platform", "repo", "commit_key", "title", "label", "label_source", "confidence"])
    return OK


def run_label(ctx: Context) -> int:
    """ptlm-tui label REPO SHA LABEL: set (or --clear) a manual label."""
    from core.classify.service import clear_manual_label, find_commit, set_manual_label

    args = ctx.args
    if args.clear and args.label:
        raise UsageError("--clear takes no label", " ".join(args.label), "drop the label or --clear")
    if args.clear:
        platform, repo, key = find_commit(ctx.store, args.repo, args.sha, args.platform)
        removed = clear_manual_label(ctx.store, platform=platform, repo=repo, sha=key)
        ctx.info(f"manual label {'removed' if removed else 'was not set'} for {platform} {repo} {key[:12]}")
        return OK
    if not args.label:
        raise UsageError("No label given", f"{args.repo} {args.sha}", "add the label, or --clear to remove one")
    platform, repo, key = find_commit(ctx.store, args.repo, args.sha, args.platform)
    set_manual_label(ctx.store, platform=platform, repo=repo, sha=key, label=" ".join(args.label))
    ctx.info(f"labelled {platform} {repo} {key[:12]} by hand")
    return OK


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add classify, validate, labels and label."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "classify",
        parents=[common],
        formatter_class=fmt,
        description="Label every commit with one of the study's 15 change types (docs/method.md §5). Rules label "
        "everything offline first; with --backend ollama a local model labels the commits the rules are unsure "
        "of. Labels are cached: nothing is asked twice, and a manual label always wins. Ctrl+C keeps the "
        "finished work. Exit status 1 when the model could not be used (the rules' labels are kept), 3 when some "
        "requests to it failed.",
        epilog="examples:\n  ptlm-tui classify\n  ptlm-tui classify google-bert_bert facebook_bart\n"
        "  ptlm-tui classify --backend ollama --model qwen2.5:7b-instruct --concurrency 2\n"
        "  OLLAMA_HOST=http://gpu-box:11434 ptlm-tui classify --backend ollama --format csv -o families.csv",
    )
    family_arguments(p)
    p.add_argument("--backend", choices=("rules", "ollama"), help="rules (default setting) or ollama")
    add_model_options(p)
    output_arguments(p, TABLE_FORMATS, "table")
    p.set_defaults(func=run_classify)

    p = subparsers.add_parser(
        "validate",
        parents=[common],
        formatter_class=fmt,
        description="Label a gold file (docs/formats.md) and print n, Cohen's kappa, raw agreement, macro-F1 and "
        "per-class precision/recall/F1, per platform and overall. Rows need platform, title and the gold "
        "label; sha, files and times are used when present. csv and parquet give the per-class figures as rows "
        "(scope, label, precision, recall, f1, support, predicted).",
        epilog="examples:\n  ptlm-tui validate --gold gold/hf_dev.csv\n"
        "  ptlm-tui validate --gold gh_dev.csv --format json\n"
        "  ptlm-tui validate --gold hf_dev.csv --llm --model llama3.1:8b",
    )
    p.add_argument("--gold", required=True, type=Path, metavar="FILE", help="gold file, .csv or .parquet")
    p.add_argument("--llm", action="store_true", help="ask Ollama about the rows the rules are unsure of")
    p.add_argument("--column", default="label", metavar="NAME", help="gold label column (default label)")
    add_model_options(p)
    output_arguments(p, TABLE_FORMATS, "table")
    p.set_defaults(func=run_validate)

    p = subparsers.add_parser(
        "labels",
        parents=[common],
        formatter_class=fmt,
        description="List commits with their effective label (manual > model > rules), its source and confidence.",
        epilog="examples:\n  ptlm-tui labels google-bert_bert\n  ptlm-tui labels --format csv -o labels.csv",
    )
    family_arguments(p)
    output_arguments(p, TABLE_FORMATS, "table")
    p.set_defaults(func=run_labels)

    p = subparsers.add_parser(
        "label",
        parents=[common],
        formatter_class=fmt,
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

"""Provides the verbs discover, link, sync and status: mining the Hub and GitHub into the cache."""

from __future__ import annotations

import argparse
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tui.cli.context import TABLE_FORMATS, family_arguments, output_arguments
from tui.cli.main import ERROR, OK, PARTIAL

if TYPE_CHECKING:  # the parser is built for every command; keep polars, git and the Hub client out of it
    import polars as pl

    from core.mining.discover import DiscoverReport
    from tui.cli.context import Context

MAX_LISTED = 30


def _wrap(text: str) -> str:
    return textwrap.fill(text, 100, break_on_hyphens=False)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be 1 or more")
    return value


def _non_negative(text: str) -> int:
    if text.strip() == "0":
        return 0
    return _positive(text)


def _families_frame(report: DiscoverReport) -> pl.DataFrame:
    import polars as pl

    rows = [
        {
            "family": f.family,
            "gh_repo": f.gh_repo,
            "variants": len(f.variants),
            "monorepo": f.monorepo,
            "new": f.new,
            "models": " ".join(f.variants),
        }
        for f in report.families
    ]
    schema = {
        "family": pl.String,
        "gh_repo": pl.String,
        "variants": pl.Int64,
        "monorepo": pl.Boolean,
        "new": pl.Boolean,
        "models": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def _print_unlinked(ctx: Context, report: DiscoverReport) -> None:
    if not report.unlinked:
        return
    count = len(report.unlinked)
    ctx.info(f"{count} model{'s have' if count != 1 else ' has'} no GitHub link; set one with:")
    for item in report.unlinked[:MAX_LISTED]:
        seen = f"  (card mentions: {', '.join(item.candidates[:3])})" if item.candidates else ""
        ctx.info(f"  {item.hint()}{seen}")
    if len(report.unlinked) > MAX_LISTED:
        ctx.info(f"  ... and {len(report.unlinked) - MAX_LISTED} more")


def run_discover(ctx: Context) -> int:
    """ptlm-tui discover: find families on the Hub (or the watchlist) and record them."""
    from core.mining.discover import discover
    from core.progress import CancelToken
    from tui.cli.context import ProgressLine

    settings = ctx.settings
    if ctx.args.min_downloads is not None:
        settings = settings.model_copy(
            update={"hub": settings.hub.model_copy(update={"min_downloads": ctx.args.min_downloads})}
        )
    progress = ProgressLine(ctx.err)
    try:
        report = discover(
            ctx.store,
            settings,
            author=ctx.args.author,
            search=ctx.args.search,
            limit=ctx.args.limit,
            watchlist_only=ctx.args.watchlist,
            on_progress=progress,
            cancel=CancelToken(),
        )
    finally:
        progress.close()
    for model, status, detail in report.failures[:MAX_LISTED]:
        ctx.info(f"failed {model}: {status}: {detail}")
    ctx.table(_families_frame(report))
    _print_unlinked(ctx, report)
    ctx.info(report.summary())
    return outcome_status(len(report.failures), report.candidates)


def outcome_status(failed: int, succeeded: int) -> int:
    """Exit status of a command over many repositories: 3 when some failed, 1 when all did, else 0."""
    if failed and not succeeded:
        return ERROR
    return PARTIAL if failed else OK


def _config_path(ctx: Context) -> Path:
    from core import paths

    return paths.config_file(getattr(ctx.args, "config", None))


def run_link(ctx: Context) -> int:
    """ptlm-tui link MODEL OWNER/REPO: set a model's GitHub repository in the config file."""
    from core.mining.discover import relink
    from core.mining.links import set_link

    path = set_link(_config_path(ctx), ctx.args.model, ctx.args.repo)
    ctx.info(f"linked {ctx.args.model} to {ctx.args.repo} in {path}")
    # Settings are read after the edit, so the new link applies to the cache right away.
    report = relink(ctx.store, ctx.settings)
    family = next((f.family for f in report.families if ctx.args.model in f.variants), None)
    if family is not None:
        ctx.info(f"{ctx.args.model} is now in family {family}; `ptlm-tui sync {family}` fetches its history")
    else:
        ctx.info(f"{ctx.args.model} is not in the cache yet; `ptlm-tui discover --watchlist` adds it")
    return 0


def run_sync(ctx: Context) -> int:
    """ptlm-tui sync [FAMILY...]: fetch new commits of both platforms into the cache."""
    from core.mining.sync import parse_shard, sync
    from core.progress import CancelToken
    from tui.cli.context import ProgressLine

    shard = parse_shard(ctx.args.shard) if ctx.args.shard else None
    progress = ProgressLine(ctx.err)
    try:
        report = sync(
            ctx.store,
            ctx.settings,
            ctx.family_names() or None,
            on_progress=progress,
            cancel=CancelToken(),
            shard=shard,
        )
    finally:
        progress.close()
    ctx.info(report.summary())
    if report.offline:
        return OK  # asked for no network: reporting what the cache holds is the whole job
    for outcome in report.failures[:MAX_LISTED]:
        hint = f" — {outcome.hint}" if outcome.hint else ""
        ctx.info(f"{outcome.status}: {outcome.platform} {outcome.repo}: {outcome.detail}{hint}")
    if len(report.failures) > MAX_LISTED:
        ctx.info(f"... and {len(report.failures) - MAX_LISTED} more (see `ptlm-tui status --failed`)")
    return outcome_status(len(report.failures), len(report.outcomes) - len(report.failures))


def run_status(ctx: Context) -> int:
    """ptlm-tui status: the last sync outcome of every repository."""
    import polars as pl

    from core.mining.sync import sync_status

    wanted = ctx.families()
    frame = sync_status(ctx.store)
    if wanted:
        frame = frame.filter(pl.col("family").is_in(wanted))
    if ctx.args.failed:
        frame = frame.filter(~pl.col("status").is_in(["ok", "never synced"]))
    if frame.height == 0 and ctx.args.format == "table":
        ctx.info("no repositories to show (run `ptlm-tui discover`, then `ptlm-tui sync`)")
        return OK
    from core.propose.record import with_latest_proposal

    frame = with_latest_proposal(ctx.store, frame)
    ctx.table(frame, ["family", "platform", "repo", "status", "commits", "last_success", "detail", "proposal"])
    return OK


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add discover, link, sync and status."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "discover",
        parents=[common],
        formatter_class=fmt,
        description=_wrap(
            "List Hub models with the configured pipeline tags and at least hub.min_downloads downloads "
            "(plus the config's watchlist), read each model card's GitHub link, and group models linking to one "
            "repository into a family. Models without a link are listed; set one with `ptlm-tui link`. A second run "
            "re-reads only cards whose model changed. With --offline, applies the config's links to the cache only. "
            "Exit status 3 when some models could not be read, 1 when none could."
        ),
        epilog="examples:\n  ptlm-tui discover --author google-bert\n  ptlm-tui discover --search biomed --limit 50\n"
        "  ptlm-tui discover --watchlist\n  ptlm-tui discover --format csv -o families.csv",
    )
    p.add_argument("--author", metavar="ORG", help="only models of this Hub user or organisation")
    p.add_argument("--search", metavar="TEXT", help="only models whose id contains TEXT")
    p.add_argument("--limit", type=_positive, metavar="N", help="at most N listed models (the most downloaded)")
    p.add_argument(
        "--min-downloads", type=_non_negative, metavar="N", help="downloads threshold (default hub.min_downloads)"
    )
    p.add_argument("--watchlist", action="store_true", help="only the config's watchlist, no Hub listing")
    output_arguments(p, TABLE_FORMATS, "table")
    p.set_defaults(func=run_discover)

    p = subparsers.add_parser(
        "link",
        parents=[common],
        formatter_class=fmt,
        description=_wrap(
            "Write MODEL = OWNER/REPO into the [links] table of the config file (comments and the rest of "
            "the file are kept) and regroup the cached families at once. The link wins over the model card."
        ),
        epilog="examples:\n  ptlm-tui link microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract microsoft/biomedsearch",
    )
    p.add_argument("model", metavar="MODEL", help="Hugging Face model id, owner/name")
    p.add_argument("repo", metavar="OWNER/REPO", help="GitHub repository")
    p.set_defaults(func=run_link)

    p = subparsers.add_parser(
        "sync",
        parents=[common],
        formatter_class=fmt,
        description=_wrap(
            "Fetch every variant's HF commits (with changed files) and the GitHub repository's history "
            "(a blob-less bare clone in the cache, then `git fetch`). Incremental: a repository with nothing new "
            "transfers no history. Failures are recorded per repository (`ptlm-tui status`) and the rest goes on. "
            "Ctrl+C keeps what finished. Families on shared monorepos are synced only when named. "
            "Tokens: HF_TOKEN (or `hf auth login`), GITHUB_TOKEN / GH_TOKEN. Exit status 3 when some repositories "
            "failed, 1 when all did."
        ),
        epilog="examples:\n  ptlm-tui sync\n  ptlm-tui sync google-bert_bert microsoft_BiomedNLP\n"
        "  PTLM_SYNC__WORKERS=8 ptlm-tui sync\n"
        "  ptlm-tui sync --shard 1/4 & ptlm-tui sync --shard 2/4 & ...   four processes, one cache",
    )
    family_arguments(p)
    p.add_argument(
        "--shard",
        metavar="I/N",
        help="only the I-th of N stable parts of the repositories, so N processes or machines share one cache",
    )
    p.set_defaults(func=run_sync)

    p = subparsers.add_parser(
        "status",
        parents=[common],
        formatter_class=fmt,
        description=_wrap(
            "One row per repository of the cache's families: status (ok, rate_limited, server_error, "
            "timeout, unauthorized, gated, not_found, network, error, never synced), detail, commits in the cache "
            "and when it was last synced."
        ),
        epilog="examples:\n  ptlm-tui status\n  ptlm-tui status --failed\n  ptlm-tui status google-bert_bert\n"
        "  ptlm-tui status --format csv -o status.csv",
    )
    family_arguments(p)
    p.add_argument("--failed", action="store_true", help="only repositories whose last sync failed")
    output_arguments(p, TABLE_FORMATS, "table")
    p.set_defaults(func=run_status)

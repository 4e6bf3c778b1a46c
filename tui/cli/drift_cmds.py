"""Provides the verb drift: which files each HF variant is missing from GitHub (docs/method.md §8)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the parser is built for every command; keep polars and git out of it
    import polars as pl

    from core.drift.compare import DriftRun
    from tui.cli.context import Context

STATES = ("in_sync", "hf_behind", "hf_ahead", "diverged", "removed_on_gh", "removed_on_hf")
EXIT_DRIFT = 3  # --exit-code: some pair is hf_behind or diverged (like `git diff --exit-code`'s 1)
MAX_NAMED = 5  # families named one by one when their file histories are missing
TABLE_COLUMNS = ("hf_repo", "hf_path", "gh_path", "state", "missing", "first_missing", "hf_extra", "common_gh")

EPILOG = """\
states (one per linked pair of an HF file and a GitHub file that once held the same content):
  in_sync         both hold the same version
  hf_behind       HF holds an older GitHub version: GitHub changed the file since
  hf_ahead        GitHub holds an older HF version: HF changed the file since
  diverged        both changed the file after the last version they shared
  removed_on_gh   GitHub deleted (or moved) the file; removed_on_hf: HF deleted it

examples:
  ptlm-tui drift                                       every family, from the cache (no network)
  ptlm-tui drift Qwen_Qwen --state hf_behind,diverged
  ptlm-tui drift --github https://github.com/QwenLM/Qwen --hub https://huggingface.co/Qwen/Qwen-7B
  ptlm-tui drift --github ../Qwen --hub ../Qwen-7B --format csv -o drift.csv
  ptlm-tui drift --github ../Qwen --hub ../Qwen-7B --exit-code >/dev/null || echo "HF lags"
  ptlm-tui drift --github ../Qwen --hub ../Qwen-7B --diff LICENSE
  ptlm-tui drift --diff Qwen_Qwen Qwen/Qwen-7B config.json
  ptlm-tui drift --summary                             per variant: Behind, and its files by state
  ptlm-tui drift --refresh                             compute that summary again (after `cache restore`)
"""


def _states(text: str) -> list[str]:
    wanted = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in STATES]
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(f"unknown state {', '.join(unknown) or repr(text)}; use {', '.join(STATES)}")
    return wanted


def _token_for(ctx: Context) -> Any:
    """Send a token only to the host it belongs to: GitHub's to github.base_url, the Hub's to its endpoint."""
    from urllib.parse import urlsplit

    settings = ctx.settings

    def host(url: str) -> str:
        return urlsplit(url).netloc.lower() if "://" in url else ""

    def token(platform: str, spec: str) -> str | None:
        where = host(spec)
        if not where or not spec.lower().startswith(("http://", "https://")):
            return None
        if where == host(settings.github.base_url):
            return settings.github_token()
        if where == host(settings.hf_endpoint()):
            from core.mining.hub import resolve_hf_token

            return resolve_hf_token(settings)
        return None

    return token


def _table_view(frame: pl.DataFrame) -> pl.DataFrame:
    """The columns a person reads; csv, json and parquet keep docs/formats.md's full ids."""
    import polars as pl

    return frame.select(
        "hf_repo",
        "hf_path",
        "gh_path",
        "state",
        pl.col("missing_gh_commits").alias("missing"),
        pl.col("first_missing_date").dt.strftime("%Y-%m-%d").alias("first_missing"),
        pl.col("hf_extra_commits").alias("hf_extra"),
        pl.col("common_gh_sha").str.slice(0, 10).alias("common_gh"),
    )


def _summary(frame: pl.DataFrame) -> str:
    counts = dict(frame.group_by("state").len().iter_rows())
    parts = [f"{counts[s]} {s}" for s in STATES if counts.get(s)]
    return f"{frame.height} linked pair{'s' * (frame.height != 1)}" + (f": {', '.join(parts)}" if parts else "")


def _cached(ctx: Context) -> pl.DataFrame:
    """Cache mode: the drift table of the named (or every) family; families the cache cannot compute are named."""
    from core.drift.stored import cached_drift

    table, families = cached_drift(ctx.store, ctx.families())
    lacking = [f for f in families if not f.computable]
    for fam in lacking[:MAX_NAMED]:
        what = ", ".join(fam.missing) if fam.missing else "no variant"
        ctx.info(f"{fam.family}: no file history cached for {what}: run `ptlm-tui sync {fam.family}`")
    if len(lacking) > MAX_NAMED:
        ctx.info(f"... and {len(lacking) - MAX_NAMED} more families without cached file histories (`ptlm-tui sync`)")
    if not any(f.computable for f in families):
        from core.errors import InputError

        raise InputError(
            "No family to compare",
            "the cache holds no family whose GitHub and HF file histories are both cached",
            "run `ptlm-tui sync` first, or compare two repositories with --github GIT --hub GIT",
        )
    return table


def _cached_diff(ctx: Context, family: str, variant: str, path: str) -> int:
    from core.demo.source import demo_repositories
    from core.drift.stored import cached_drift, clone_run

    table, families = cached_drift(ctx.store, [family])
    fam = families[0]
    if not fam.computable:
        from core.errors import InputError

        raise InputError(
            "No file history cached",
            f"{family}: {', '.join(fam.missing) or 'no variant'}",
            f"run `ptlm-tui sync {family}`",
        )
    return _diff(ctx, [clone_run(ctx.store, fam, table, ctx.settings, demo_repositories(ctx.store))], variant, path)


def _diff(ctx: Context, runs: list[DriftRun], variant: str | None, path: str) -> int:
    from core.drift.compare import show_diff
    from core.text import clean_display_text

    text = "".join(show_diff(run, path, variant) for run in runs)
    # File contents are untrusted: on a terminal, escape sequences must not reach it.
    ctx.out.write(clean_display_text(text) if ctx.out.isatty() else text)
    return 0


def _write(ctx: Context, frame: pl.DataFrame) -> int:
    import polars as pl

    from core.drift.pairs import ACTION_STATES
    from core.io.tables import write_table

    args = ctx.args
    if args.state:
        frame = frame.filter(pl.col("state").is_in(args.state))
    shown = _table_view(frame) if args.format == "table" else frame
    write_table(shown, args.format, args.output, ctx.out)
    ctx.info(_summary(frame))
    lagging = frame.filter(pl.col("state").is_in(list(ACTION_STATES))).height
    return EXIT_DRIFT if args.exit_code and lagging else 0


SUMMARY_COLUMNS = ("family", "hf_repo", "behind", "status", "files", "behind_f", "diverged", "ahead", "in_sync")


def _variant_summary(ctx: Context) -> int:
    """``--summary`` / ``--refresh``: the per-variant figures the families list shows, computed where missing."""
    import polars as pl

    from core.drift.digest import families_to_refresh, refresh_drift_summary
    from core.io.tables import write_table

    args, store = ctx.args, ctx.store
    wanted = ctx.families()
    if args.refresh:
        done = refresh_drift_summary(store, wanted)
        ctx.info(f"drift summary computed for {done} famil{'y' if done == 1 else 'ies'}")
        if not args.summary:
            return 0
    else:
        stale = families_to_refresh(store)
        stale = [f for f in stale if wanted is None or f in wanted]
        if stale:
            refresh_drift_summary(store, stale)
    frame = store.drift_summary(families=wanted).sort("family", "hf_repo")
    if args.format == "table":
        shown = frame.select(
            "family",
            "hf_repo",
            "behind",
            "status",
            "files",
            pl.col("files_behind").alias("behind_f"),
            pl.col("files_diverged").alias("diverged"),
            pl.col("files_ahead").alias("ahead"),
            pl.col("files_in_sync").alias("in_sync"),
        )
    else:
        shown = frame
    write_table(shown, args.format, args.output, ctx.out)
    known = frame.filter(pl.col("files").is_not_null())
    ctx.info(
        f"{frame.height} variant{'s' * (frame.height != 1)}: {known.filter(pl.col('files') > 0).height} lack GitHub "
        f"files, {frame.filter(pl.col('behind') > 0).height} behind GitHub by commits, "
        f"{frame.height - known.height} without a cached file history"
    )
    return EXIT_DRIFT if args.exit_code and known.filter(pl.col("files") > 0).height else 0


def run_drift(ctx: Context) -> int:
    """ptlm-tui drift: the drift table of cached families, or of two git repositories."""
    from core.errors import InputError

    args = ctx.args
    adhoc = args.github is not None or bool(args.hub)
    positional = list(args.families or [])
    if adhoc and (args.github is None or not args.hub):
        raise InputError("Incomplete ad hoc drift", "--github and --hub go together", "give both (--hub repeatable)")
    if args.diff:
        if adhoc and len(positional) not in (1, 2):
            raise InputError("Which file?", "--diff with --github/--hub takes [VARIANT] PATH", "e.g. --diff LICENSE")
        if not adhoc and len(positional) != 3:
            raise InputError("Which file?", "--diff takes FAMILY VARIANT PATH", "e.g. --diff Qwen_Qwen Qwen/Qwen-7B x")
    if adhoc:
        if args.summary or args.refresh:
            raise InputError("--summary and --refresh read the cache", "not --github/--hub", "drop one")
        if positional and not args.diff:
            raise InputError("Families and --github/--hub exclude each other", " ".join(positional), "give one")
        from core.drift.compare import adhoc_drift

        with adhoc_drift(
            args.github,
            args.hub,
            family=args.family,
            timeout=ctx.settings.github.timeout,
            offline=ctx.settings.offline,
            token_for=_token_for(ctx),
        ) as run:
            if args.diff:
                return _diff(ctx, [run], positional[0] if len(positional) == 2 else None, positional[-1])
            return _write(ctx, run.table)
    if args.family:
        raise InputError("--family names an ad hoc run", args.family, "give families as arguments: drift FAMILY")
    if args.summary or args.refresh:
        if args.diff or args.state:
            raise InputError("--summary lists variants", "--diff and --state are for pairs", "drop them")
        return _variant_summary(ctx)
    if args.diff:
        family, variant, path = positional
        return _cached_diff(ctx, family, variant, path)
    return _write(ctx, _cached(ctx))


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add drift."""
    from tui.cli.context import TABLE_FORMATS, output_arguments

    p = subparsers.add_parser(
        "drift",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="List every pair of an HF file and a GitHub file that once held the same version (the same git "
        "blob), with its state, the GitHub commits HF is missing and their date (docs/method.md §8.2). From the "
        "cache for FAMILY (all families when none; offline), or from any two git repositories with --github and --hub.",
        epilog=EPILOG,
    )
    p.add_argument("families", nargs="*", metavar="FAMILY", help="families of the cache (with --diff: see below)")
    p.add_argument("--github", metavar="GIT", help="a GitHub-side repository: path, bundle, file:// or remote URL")
    p.add_argument("--hub", action="append", metavar="GIT", help="an HF-side repository (repeatable)")
    p.add_argument("--family", metavar="NAME", help="family id for --github/--hub (default: from the GitHub repo)")
    output_arguments(p, TABLE_FORMATS, "table")
    p.add_argument("--state", type=_states, metavar="STATE[,STATE]", help="only pairs in these states")
    p.add_argument(
        "--exit-code", action="store_true", help=f"exit {EXIT_DRIFT} when a listed pair is hf_behind or diverged"
    )
    p.add_argument(
        "--diff",
        action="store_true",
        help="print the difference of one file instead (FAMILY VARIANT PATH; with --github/--hub: [VARIANT] PATH)",
    )
    p.add_argument(
        "--summary",
        action="store_true",
        help="one row per variant instead: Behind (GitHub commits since its last HF commit) and its files by state; "
        f"with --exit-code, exit {EXIT_DRIFT} when a variant lacks GitHub files",
    )
    p.add_argument(
        "--refresh",
        action="store_true",
        help="compute the summary of FAMILY (all when none) again from the cached commits and file changes",
    )
    p.set_defaults(func=run_drift)

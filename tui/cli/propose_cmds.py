"""Provides the verbs propose and proposals: bring GitHub's version of a variant's files to the Hub; list proposals."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the parser is built for every command; keep polars and git out of it
    from core.propose.model import Plan
    from tui.cli.context import Context

PARTIAL = 3  # some files were left out (LFS, size, unreadable): docs/formats.md "Exit status"
PROPOSAL_STATES = ("open", "merged", "closed", "failed", "unknown", "written")
TABLE_COLUMNS = ["created", "family", "variant", "direction", "state", "files", "where", "error"]

EPILOG = """\
what is proposed:
  to the Hub (default)   the variant's files that are behind GitHub (drift state hf_behind; with
                         --diverged, diverged ones too) get GitHub's head version, byte for byte
  --to-github            GitHub files HF is ahead of (hf_ahead) get HF's head version, as a patch
  left out, with why     files tracked by git LFS on either side, LFS pointers, files over
                         propose.max_file_mb (10 MB), files a pull request already brings (--force)

exit status: 0 done (or nothing to propose), 1 error (nothing sent), 2 bad usage,
             3 done but some files were left out (listed).

examples:
  ptlm-tui propose Qwen_Qwen Qwen/Qwen-7B                    the plan: diffs and commit message, nothing sent
  ptlm-tui propose Qwen_Qwen Qwen/Qwen-7B config.json --open-pr
  ptlm-tui propose Qwen_Qwen Qwen/Qwen-7B --format json -o plan.json
  ptlm-tui propose acme_code acme/model --to-github -o fix.patch   then, in a GitHub clone: git am fix.patch
  ptlm-tui proposals --state open
"""


def _write_plan(ctx: Context, plan: Plan, result: dict[str, Any] | None = None) -> None:
    import json

    from core.propose.render import plan_data, plan_text

    if ctx.args.format == "json":
        ctx.emit(json.dumps(plan_data(plan, result), indent=2, ensure_ascii=False) + "\n", json_style=True)
    else:
        ctx.emit(plan_text(plan))


def _status(plan: Plan) -> int:
    return PARTIAL if plan.skipped else 0


def _summary(ctx: Context, plan: Plan) -> None:
    from core.words import plural

    for x in plan.already_open:
        ctx.info(f"{x.hf_path}: PR open: {x.url}")
    if plan.skipped:
        ctx.info(f"{plural(len(plan.skipped), 'file')} left out (LFS, size or unreadable): see 'Left out' above")


def run_propose(ctx: Context) -> int:
    """ptlm-tui propose: plan a proposal; open it on the Hub (--open-pr) or write it as a patch (--to-github)."""
    from core.errors import PtlmError, UsageError
    from core.propose.model import TO_GITHUB, TO_HUB
    from core.propose.plan import plan_proposal

    args = ctx.args
    if args.to_github and args.open_pr:
        raise UsageError(
            "--open-pr and --to-github exclude each other",
            "ptlm-tui never writes to GitHub",
            "--to-github writes a patch file to apply with `git am` in your GitHub clone",
        )
    if args.force and args.to_github:
        raise UsageError("--force applies to Hub pull requests", "--to-github writes a patch", "drop --force")
    if args.output is not None and str(args.output) == "-" and not args.to_github:
        args.output = None  # "-" is stdout
    plan = plan_proposal(
        ctx.store,
        ctx.settings,
        args.family,
        args.variant,
        args.paths,
        direction=TO_GITHUB if args.to_github else TO_HUB,
        diverged=args.diverged,
        force=args.force,
    )
    if not plan.files:
        if args.format == "json" or plan.left_out:
            _write_plan(ctx, plan)
        _summary(ctx, plan)
        side = "behind GitHub" if plan.direction == TO_HUB else "ahead of GitHub"
        reason = "nothing left to propose" if plan.left_out else f"nothing to propose: no linked file is {side}"
        ctx.info(f"{plan.variant}: {reason}")
        return _status(plan)
    if plan.direction == TO_GITHUB:
        return _patch(ctx, plan)
    if not args.open_pr:
        _write_plan(ctx, plan)
        _summary(ctx, plan)
        ctx.info(
            f"dry run: nothing was sent; --open-pr opens this as a pull request on "
            f"{ctx.settings.hf_endpoint()}/{plan.variant}"
        )
        return _status(plan)
    from core.propose.send import send_proposal

    result = send_proposal(ctx.store, ctx.settings, plan)
    data = {"state": result.state, "pr_url": result.pr_url, "error": result.error, "proposal_id": result.proposal_id}
    _write_plan(ctx, plan, data)
    _summary(ctx, plan)
    if not result.ok:
        raise PtlmError("Pull request not opened", result.error or result.state)
    if args.format != "json":
        ctx.emit(f"Pull request: {result.pr_url}\n")
    ctx.info(f"pull request opened on {plan.variant}: {result.pr_url} (nothing changes there until it is merged)")
    return _status(plan)


def _patch(ctx: Context, plan: Plan) -> int:
    from pathlib import Path

    from core.propose.patch import default_patch_name, format_patch, write_patch

    output = ctx.args.output
    if output is not None and str(output) == "-":  # the patch itself on stdout, for `... | git am`
        data = format_patch(plan)
        stream = getattr(ctx.out, "buffer", None)
        if stream is not None:
            stream.write(data)
            stream.flush()
        else:
            ctx.out.write(data.decode("utf-8", "surrogateescape"))
        _summary(ctx, plan)
        ctx.info(f"patch for {plan.gh_repo} written to stdout")
        return _status(plan)
    target = write_patch(ctx.store, plan, output or Path.cwd() / default_patch_name(plan))
    ctx.args.output = None  # -o named the patch: the plan goes to stdout
    _write_plan(ctx, plan, {"state": "written", "patch_file": str(target)})
    _summary(ctx, plan)
    ctx.info(f"patch written: {target} (in your clone of {plan.gh_repo}: git am {target})")
    return _status(plan)


def run_proposals(ctx: Context) -> int:
    """ptlm-tui proposals: every proposal sent, failed or written, newest first."""
    import polars as pl

    from core.propose.record import proposals

    wanted = ctx.families()
    if ctx.args.refresh:
        from core.propose.refresh import refresh_proposals
        from core.words import plural

        looked = refresh_proposals(ctx.store, ctx.settings, wanted)
        for item in looked:
            if item.error:
                ctx.info(f"{item.pr_url}: cannot read its status: {item.error}")
        changed = sum(item.state != "open" for item in looked)
        ctx.info(f"refreshed {plural(len(looked), 'open pull request')}: {changed} merged or closed since")
    frame = proposals(ctx.store, wanted)
    if ctx.args.state:
        frame = frame.filter(pl.col("state").is_in(ctx.args.state))
    if ctx.args.format == "table":
        if frame.height == 0 and ctx.args.output is None:
            ctx.info("no proposals yet (`ptlm-tui propose FAMILY VARIANT` plans one)")
            return 0
        frame = frame.select(
            pl.col("created_at").dt.strftime("%Y-%m-%d %H:%M").alias("created"),
            "family",
            "variant",
            "direction",
            "state",
            pl.col("files").str.json_decode(pl.List(pl.Struct({"hf_path": pl.String}))).list.len().alias("files"),
            pl.coalesce("pr_url", "patch_file").alias("where"),
            pl.col("error").fill_null(""),
        )
    ctx.table(frame, TABLE_COLUMNS if ctx.args.format == "table" else None)
    return 0


def _states(text: str) -> list[str]:
    wanted = [s.strip() for s in text.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in PROPOSAL_STATES]
    if unknown or not wanted:
        raise argparse.ArgumentTypeError(
            f"unknown state {', '.join(unknown) or repr(text)}; use {', '.join(PROPOSAL_STATES)}"
        )
    return wanted


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add propose and proposals."""
    from pathlib import Path

    from tui.cli.context import TABLE_FORMATS, family_arguments, output_arguments

    p = subparsers.add_parser(
        "propose",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Prepare one Hub commit that sets each of VARIANT's files that are behind GitHub to GitHub's "
        "head version (or only PATH...), and print it: each file's diff (JSON files key by key) and the commit "
        "message, which lists every GitHub commit brought over. Nothing is sent without --open-pr, which opens it "
        "as a pull request on the Hub (a token with write access: HF_TOKEN or `hf auth login`). --to-github writes "
        "the other direction as a patch for `git am`. Every pull request, failure and patch is recorded "
        "(`ptlm-tui proposals`).",
        epilog=EPILOG,
    )
    p.add_argument("family", metavar="FAMILY", help="the family (ptlm-tui status lists them)")
    p.add_argument("variant", metavar="VARIANT", help="the HF model, owner/name")
    p.add_argument("paths", nargs="*", metavar="PATH", help="only these files (HF or GitHub paths of linked pairs)")
    p.add_argument("--diverged", action="store_true", help="propose diverged files too (the other side's changes go)")
    p.add_argument("--open-pr", action="store_true", help="send it: open a pull request on the Hub")
    p.add_argument("--force", action="store_true", help="propose files an open pull request already brings")
    p.add_argument(
        "--to-github", action="store_true", help="the other way: files HF is ahead of, as a patch file for git am"
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="how the plan is printed (default text)")
    p.add_argument(
        "--output",
        "-o",
        type=Path,
        metavar="FILE",
        help="write the plan to FILE; with --to-github, the patch (default ./0001-<title>.patch; - for stdout)",
    )
    p.set_defaults(func=run_propose)

    p = subparsers.add_parser(
        "proposals",
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Every proposal recorded in the cache, newest first: pull requests opened (open; merged or "
        "closed once --refresh has seen it on the Hub), attempts that failed (failed; unknown when the Hub never "
        "answered the commit) and patches written (written). Dry runs are not recorded.",
        epilog="examples:\n  ptlm-tui proposals\n  ptlm-tui proposals Qwen_Qwen --state open\n"
        "  ptlm-tui proposals --refresh --state open\n  ptlm-tui proposals --format csv -o proposals.csv",
    )
    family_arguments(p)
    p.add_argument("--state", type=_states, metavar="STATE[,STATE]", help=f"only these ({', '.join(PROPOSAL_STATES)})")
    p.add_argument(
        "--refresh", action="store_true", help="first ask the Hub which open pull requests were merged or closed"
    )
    output_arguments(p, TABLE_FORMATS, "table")
    p.set_defaults(func=run_proposals)

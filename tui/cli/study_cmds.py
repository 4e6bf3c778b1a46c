"""Provides the verbs import-study and compare, and the text of ``report --published``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import InputError, UsageError
from core.words import plural
from tui.cli.context import TABLE_FORMATS, family_arguments, output_arguments
from tui.cli.main import OK

if TYPE_CHECKING:  # the parser is built for every command; keep polars out of it
    from tui.cli.context import Context

PUBLISHED_NOTE = (
    "From the study's replication package (`ptlm-tui import-study`), after its 13 exclusions. GitHub First, "
    "Simultaneous and Hugging Face First are the package's Upstream First, No Lag and Downstream First; the "
    "age groups and their edges are the study's own."
)
METHOD_FLAGS = ("bin_days", "hf_time", "until")


def published_report(ctx: Context) -> tuple[dict[str, Any], str, str]:
    """Return ``report --published``: the report, its title and the note on where the numbers come from.

    Raises:
        UsageError: A family or a method option was given: the study's numbers cannot honour them.
    """
    from core.study import published_report as study_report
    from core.study.published import PUBLISHED_TITLE

    given = [f"--{f.replace('_', '-')}" for f in METHOD_FLAGS if getattr(ctx.args, f, None) is not None]
    given += ctx.family_names()
    if given:
        raise UsageError(
            "Option does not apply to --published",
            ", ".join(given),
            "the published report shows the study's own numbers; drop the option, or drop --published",
        )
    return study_report(ctx.store), PUBLISHED_TITLE, PUBLISHED_NOTE


def run_import_study(ctx: Context) -> int:
    """ptlm-tui import-study DIR: load the study's published results."""
    from core.study import import_study

    result = import_study(ctx.store, ctx.args.directory)
    for line in result.lines():
        ctx.info(line)
    return OK


def run_compare(ctx: Context) -> int:
    """ptlm-tui compare: our pattern beside the study's, per family."""
    import polars as pl

    from core.study import compare_with_published
    from tui.cli.analysis_cmds import analysis_settings

    if not ctx.store.has_commits():
        raise InputError(
            "The cache holds no commits to compare",
            ctx.store.where,
            "run `ptlm-tui import FILE` or `ptlm-tui sync` first; `ptlm-tui report --published` shows the study alone",
        )
    frame = compare_with_published(ctx.store, analysis_settings(ctx), ctx.families())
    both = frame.height
    agree_p, agree_l = int(frame["agree_pattern"].sum()), int(frame["agree_lag"].sum())
    if ctx.args.disagree:
        frame = frame.filter(~pl.col("agree_pattern") | ~pl.col("agree_lag"))
    ctx.table(frame)
    ctx.info(
        f"{plural(both, 'family has', 'families have')} both a computed and a published pattern: pattern agrees "
        f"for {agree_p}, lag for {agree_l}" + ("" if both else " (import-study and sync or import the same family ids)")
    )
    return OK


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add import-study and compare."""
    from tui.cli.analysis_cmds import add_analysis_options

    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "import-study",
        parents=[common],
        formatter_class=fmt,
        description="Load the published results of arXiv 2508.10157 from its replication package "
        "(github.com/SAILResearch/replication-25-synchronization-Patterns, folder dataset/): pattern, lag, "
        "variants, downloads and transitions of its 325 families, after its 13 exclusions. Prints what was "
        "normalised. Re-running replaces the published tables; your own commits are untouched.",
        epilog="examples:\n"
        "  git clone https://github.com/SAILResearch/replication-25-synchronization-Patterns study\n"
        "  ptlm-tui import-study study/dataset\n"
        "  ptlm-tui report --published            the study's headline numbers\n"
        "  ptlm-tui compare --until 2024-10-10    your computed patterns beside the study's",
    )
    p.add_argument("directory", type=Path, metavar="DIR", help="the package's dataset/ folder (or the package root)")
    p.set_defaults(func=run_import_study)

    p = subparsers.add_parser(
        "compare",
        parents=[common],
        formatter_class=fmt,
        description="For each family with commits in the cache and a published result (import-study), show the "
        "computed lag, code and pattern beside the study's and whether they agree. A family with fewer "
        "variants synced than the study had may differ for that reason: compare the variant columns.",
        epilog="examples:\n"
        "  ptlm-tui compare --until 2024-10-10\n"
        "  ptlm-tui compare microsoft_BiomedNLP --format json\n"
        "  ptlm-tui compare --disagree --format csv -o disagreements.csv",
    )
    family_arguments(p)
    add_analysis_options(p)
    output_arguments(p, TABLE_FORMATS, "table")
    p.add_argument("--disagree", action="store_true", help="only families whose pattern or lag differs")
    p.set_defaults(func=run_compare)

"""Provides the verbs locate (where ptlm-tui keeps things) and demo (build the demo cache headless)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from core.errors import InputError, UsageError
from tui.cli.main import OK

if TYPE_CHECKING:
    from tui.cli.context import Context

THINGS = ("config", "cache", "demo", "log")


def run_locate(ctx: Context) -> int:
    """ptlm-tui locate config|cache|demo|log: print a path (and optionally write the example config)."""
    from core import paths

    what = ctx.args.what
    if ctx.args.write_example and what != "config":
        raise UsageError("--write-example only applies to `locate config`", f"got `locate {what}`")
    if what == "config":
        # Not through ctx.settings: the path must print even when the file is broken.
        path = paths.config_file(getattr(ctx.args, "config", None))
        if ctx.args.write_example:
            _write_example(ctx, path)
    elif what == "cache":
        path = ctx.settings.cache_dir
    elif what == "demo":
        path = paths.demo_cache_dir()
    else:
        path = paths.log_dir()
    print(path, file=ctx.out)
    return OK


def _write_example(ctx: Context, path: Any) -> None:
    from core.config_example import example_config
    from core.files import atomic_write

    if path.exists():
        ctx.info(f"{path} exists; left unchanged (--write-example never overwrites)")
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, example_config().encode("utf-8"), mode=0o600)
    except OSError as exc:
        raise InputError("Cannot write the example config", f"{path}: {exc.strerror or exc}", "check the path") from exc
    ctx.info(f"wrote the example config (every setting, commented out) to {path}")


def run_demo(ctx: Context) -> int:
    """ptlm-tui demo: build the demo cache if needed and print where it is."""
    from cache.store import CacheStore
    from core import paths
    from core.demo import FAMILIES, build_demo_cache

    root = paths.demo_cache_dir()
    build_demo_cache(root, force=ctx.args.rebuild)
    commits = CacheStore(root).commit_count()
    ctx.info(f"DEMO DATA (generated, not real): {len(FAMILIES)} invented families, {commits} commits")
    print(root, file=ctx.out)
    return OK


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add locate and demo."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "locate",
        parents=[common],
        formatter_class=fmt,
        description="Print the path ptlm-tui uses for THING: the config file (PTLM_CONFIG_FILE / --config), "
        "the cache (PTLM_CACHE_DIR / --cache-dir / [cache] dir), the demo cache, or the log directory.",
        epilog="examples:\n"
        "  ptlm-tui locate config\n"
        "  ptlm-tui locate config --write-example     create a documented config file (never overwrites)\n"
        '  du -sh "$(ptlm-tui locate cache)"\n'
        "  ptlm-tui locate log",
    )
    p.add_argument("what", choices=THINGS, metavar="THING", help="one of: " + ", ".join(THINGS))
    p.add_argument(
        "--write-example",
        action="store_true",
        help="with config: write the example config there if no file exists yet",
    )
    p.set_defaults(func=run_locate)

    p = subparsers.add_parser(
        "demo",
        parents=[common],
        formatter_class=fmt,
        description="Generate the demo cache (30 invented families covering every pattern, lag and change "
        "type; deterministic, nothing downloaded) if it is missing or from another ptlm-tui version, then "
        "print its directory. `ptlm-tui --demo` opens the app on it.",
        epilog="examples:\n"
        "  ptlm-tui demo\n"
        '  ptlm-tui --cache-dir "$(ptlm-tui demo)" report      headless verbs on the demo\n'
        "  ptlm-tui demo --rebuild",
    )
    p.add_argument("--rebuild", action="store_true", help="regenerate it even if it is current")
    p.set_defaults(func=run_demo)

"""Provides the verbs about the app itself: serve (in a browser), screenshot (an SVG for the README) and keys.

Module imports stay light: textual and textual-serve are imported inside the verbs.
"""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from core.errors import InputError, UsageError
from tui.cli.context import family_arguments
from tui.cli.main import ERROR, OK

if TYPE_CHECKING:
    from tui.cli.context import Context

SCREENS = ("families", "family", "drift", "commit", "dashboard", "help")
PAGE_DIR = Path(__file__).resolve().parent.parent / "web"


def _forwarded_flags(args: argparse.Namespace) -> list[str]:
    flags = []
    if getattr(args, "cache_dir", None):
        flags += ["--cache-dir", str(args.cache_dir)]
    if getattr(args, "config", None):
        flags += ["--config", str(args.config)]
    if getattr(args, "offline", False):
        flags.append("--offline")
    if getattr(args, "demo", False):
        flags.append("--demo")
    return flags


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_command(args: argparse.Namespace) -> str:
    """Return the shell command textual-serve runs for each browser connection."""
    return " ".join(shlex.quote(part) for part in [sys.executable, "-m", "tui", *_forwarded_flags(args)])


def _source_checkout() -> Path | None:
    """The clone this ptlm-tui runs from (its pyproject.toml beside the packages), or None when installed."""
    root = Path(__file__).resolve().parents[2]
    return root if (root / "pyproject.toml").is_file() and (root / "uv.lock").is_file() else None


def serve_install_hint() -> str:
    """How to get textual-serve where this ptlm-tui runs: from the clone, or into the tool's environment."""
    clone = _source_checkout()
    if clone is not None:
        return f"in {clone}, run it with the extra: uv run --extra serve ptlm-tui serve"
    return "reinstall with the extra from your clone of ptlm-tui: uv tool install --reinstall '.[serve]'"


def run_serve(ctx: Context) -> int:
    """ptlm-tui serve: the same app in a web browser (textual-serve), from a page that loads nothing remote."""
    try:
        from textual_serve.server import Server
    except ImportError as exc:
        raise InputError(
            "textual-serve is not installed", "`ptlm-tui serve` needs the optional 'serve' extra", serve_install_hint()
        ) from exc
    args = ctx.args
    if not _is_loopback(args.host):
        ctx.info(
            f"warning: serving on {args.host}: anyone who can reach port {args.port} can use the app and its cache"
        )
    ctx.info(f"ptlm-tui in your browser: http://{args.host}:{args.port} (Ctrl+C stops)")
    Server(
        serve_command(args),
        host=args.host,
        port=args.port,
        title="ptlm-tui",
        public_url=args.public_url,
        templates_path=PAGE_DIR,  # our page: textual-serve's own fetches its font from Google's servers
    ).serve()
    return 0


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not WIDTHxHEIGHT, e.g. 100x30") from None
    if width < 20 or height < 10:
        raise argparse.ArgumentTypeError(f"{text!r} is too small")
    return width, height


async def _drive(pilot: Any, screen: str, family: str | None, output: Path) -> None:
    """Wait for the data, walk to ``screen``, save the SVG and quit."""
    app = pilot.app
    for _ in range(600):  # up to a minute for a large cache
        await pilot.pause(0.1)
        if app.view_complete():
            break
    await app.workers.wait_for_complete()
    await pilot.pause()
    if screen in ("family", "drift", "commit"):
        table = app.screen.table
        if family is not None:
            keys = table.frame["family"].to_list()
            if family not in keys:
                app.exit(return_code=2)
                return
            table.cursor_row = keys.index(family)
        await pilot.press("enter")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        await pilot.pause()
        if screen == "drift":  # the family's Drift view, on the variant with the most files to take
            await pilot.press("D")
            await pilot.pause(0.3)
            await app.workers.wait_for_complete()
            await pilot.pause()
        if screen == "commit":
            await pilot.press("enter")
            await pilot.pause(0.3)
            await app.workers.wait_for_complete()
    elif screen == "dashboard":
        await pilot.press("d")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
    elif screen == "help":
        await pilot.press("question_mark")
    await pilot.pause(0.3)
    app.save_screenshot(filename=output.name, path=str(output.parent))
    app.exit()


def run_screenshot(ctx: Context) -> int:
    """ptlm-tui screenshot: save an SVG of the app (on the demo data with --demo) for the README."""
    from tui.app import make_app
    from tui.launch import use_demo_cache

    args = ctx.args
    demo = bool(args.use_demo or getattr(args, "demo", False))
    if args.use_demo:
        use_demo_cache(args)  # before the cache is first looked at
    families = ctx.families() or []
    if len(families) > 1:
        raise UsageError("screenshot opens one family", " ".join(families), "name one FAMILY")
    family = families[0] if families else None
    output: Path = args.output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    app = make_app(settings=ctx.settings, store=ctx.store, demo=demo)

    async def pilot(p: Any) -> None:
        await _drive(p, args.screen, family, output)

    app.run(headless=True, size=args.size, auto_pilot=pilot)
    if app.return_code == 2:
        raise InputError("The family has no row in the app", str(family), "`ptlm-tui analyze` lists the families")
    ctx.info(f"wrote {output}")
    return OK


def run_keys(ctx: Context) -> int:
    """ptlm-tui keys: the key table from the binding registry (and the README block)."""
    from tui.keytable import key_frame, markdown_key_table, readme_is_current, text_key_table, update_readme

    args = ctx.args
    if args.check and args.readme is None:
        raise UsageError(
            "--check needs --readme FILE", "nothing to check", "e.g. ptlm-tui keys --readme README.md --check"
        )
    if args.readme is not None:
        if args.check:
            if not readme_is_current(args.readme):
                ctx.info(f"{args.readme}: the key table is out of date; run `ptlm-tui keys --readme {args.readme}`")
                return ERROR
            return OK
        ctx.info(f"{args.readme}: key table {'updated' if update_readme(args.readme) else 'already current'}")
        return OK
    keymap = dict(ctx.settings.ui.keymap)
    if args.format == "markdown":
        ctx.emit(markdown_key_table(keymap))
    elif args.format in ("table", "text"):
        ctx.emit(text_key_table(keymap))
    else:
        ctx.table(key_frame(keymap))
    return OK


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add serve, screenshot and keys."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "serve",
        parents=[common],
        formatter_class=fmt,
        description="Serve the app over HTTP with textual-serve: each browser tab runs its own ptlm-tui "
        "on this machine's cache. Listens on localhost unless --host says otherwise.",
        epilog="examples:\n  ptlm-tui serve\n  ptlm-tui serve --port 8080 --offline\n"
        "  ssh -L 8000:localhost:8000 server  # then, on the server: ptlm-tui serve",
    )
    p.add_argument("--host", default="localhost", help="address to listen on (default localhost)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--public-url", default=None, help="URL the browser uses, when behind a proxy")
    p.set_defaults(func=run_serve)

    p = subparsers.add_parser(
        "screenshot",
        parents=[common],
        formatter_class=fmt,
        description="Run the app without a terminal, open a screen and save it as SVG.",
        epilog="examples:\n  ptlm-tui screenshot --demo -o docs/families.svg\n"
        "  ptlm-tui screenshot --demo --screen family aurora-nlp_aurora-bert --size 120x34 -o docs/family.svg\n"
        "  ptlm-tui screenshot --demo --screen drift aurora-nlp_aurora-bert --size 120x34 -o docs/drift.svg\n"
        "  ptlm-tui screenshot --screen dashboard -o dash.svg",
    )
    p.add_argument("-o", "--output", type=Path, default=Path("ptlm-tui.svg"), help="SVG file (default ptlm-tui.svg)")
    p.add_argument("--size", type=_size, default=(100, 30), metavar="WxH", help="terminal size (default 100x30)")
    p.add_argument("--screen", choices=SCREENS, default="families", help="which screen (default families)")
    family_arguments(p, "the family to open for --screen family/drift/commit (default: the first)")
    p.add_argument("--demo", dest="use_demo", action="store_true", help="use the built-in demo data")
    p.set_defaults(func=run_screenshot)

    p = subparsers.add_parser(
        "keys",
        parents=[common],
        formatter_class=fmt,
        description="Print the app's keys, after your [ui.keymap]; or write the README's key table.",
        epilog="examples:\n  ptlm-tui keys\n  ptlm-tui keys --format markdown\n  ptlm-tui keys --readme README.md\n"
        "  ptlm-tui keys --readme README.md --check   # exit 1 if the table is out of date",
    )
    p.add_argument(
        "--format",
        choices=("table", "text", "markdown", "csv", "json", "parquet"),
        default="table",
        help="output format (default table; text is the same)",
    )
    p.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    p.add_argument("--readme", type=Path, metavar="FILE", help="rewrite the key table between the markers in FILE")
    p.add_argument("--check", action="store_true", help="with --readme: only check, exit 1 if out of date")
    p.set_defaults(func=run_keys)

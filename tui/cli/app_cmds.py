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

from core.errors import InputError

if TYPE_CHECKING:
    from tui.cli.context import Context

SCREENS = ("families", "family", "commit", "dashboard", "help")


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


def run_serve(ctx: Context) -> int:
    """ptlm-tui serve: the same app in a web browser (textual-serve)."""
    try:
        from textual_serve.server import Server
    except ImportError as exc:
        raise InputError(
            "textual-serve is not installed",
            "`ptlm-tui serve` needs the optional 'serve' extra",
            "install it: uv tool install 'ptlm-tui[serve]' (or pipx install 'ptlm-tui[serve]')",
        ) from exc
    args = ctx.args
    if not _is_loopback(args.host):
        ctx.info(
            f"warning: serving on {args.host}: anyone who can reach port {args.port} can use the app and its cache"
        )
    ctx.info(f"ptlm-tui in your browser: http://{args.host}:{args.port} (Ctrl+C stops)")
    Server(serve_command(args), host=args.host, port=args.port, title="ptlm-tui", public_url=args.public_url).serve()
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
    if screen in ("family", "commit"):
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
    from cache.store import CacheStore
    from tui.app import make_app

    args = ctx.args
    demo = bool(args.use_demo or getattr(args, "demo", False))
    store = ctx.store
    if demo:
        store = CacheStore(_demo_cache())
    output: Path = args.output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    app = make_app(settings=ctx.settings, store=store, demo=demo)

    async def pilot(p: Any) -> None:
        await _drive(p, args.screen, args.family, output)

    app.run(headless=True, size=args.size, auto_pilot=pilot)
    if app.return_code == 2:
        raise InputError("Unknown family", str(args.family), "`ptlm-tui analyze` lists the families in the cache")
    ctx.info(f"wrote {output}")
    return 0


def _demo_cache() -> Path:
    import importlib

    from core import paths

    try:
        # Built by the study work; imported by name so this verb degrades cleanly without it.
        build_demo_cache = importlib.import_module("core.demo").build_demo_cache
    except (ImportError, AttributeError) as exc:
        raise InputError(
            "The demo data is not available in this build", "core.demo is missing", "drop --demo to use your cache"
        ) from exc
    root = paths.demo_cache_dir()
    build_demo_cache(root)
    return root


def run_keys(ctx: Context) -> int:
    """ptlm-tui keys: the key table from the binding registry (and the README block)."""
    from tui.keytable import markdown_key_table, readme_is_current, text_key_table, update_readme

    args = ctx.args
    if args.readme is not None:
        if args.check:
            if not readme_is_current(args.readme):
                ctx.info(f"{args.readme}: the key table is out of date; run `ptlm-tui keys --readme {args.readme}`")
                return 1
            return 0
        ctx.info(f"{args.readme}: key table {'updated' if update_readme(args.readme) else 'already current'}")
        return 0
    keymap = dict(ctx.settings.ui.keymap)
    ctx.out.write(markdown_key_table(keymap) if args.format == "markdown" else text_key_table(keymap))
    return 0


def register(subparsers: Any, common: argparse.ArgumentParser) -> None:
    """Add serve, screenshot and keys."""
    fmt = argparse.RawDescriptionHelpFormatter
    p = subparsers.add_parser(
        "serve",
        parents=[common],
        formatter_class=fmt,
        help="run the app in a web browser (needs the 'serve' extra)",
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
        help="save an SVG picture of the app (for the README)",
        description="Run the app without a terminal, open a screen and save it as SVG.",
        epilog="examples:\n  ptlm-tui screenshot --demo -o docs/families.svg\n"
        "  ptlm-tui screenshot --demo --screen family --size 120x34 -o docs/family.svg\n"
        "  ptlm-tui screenshot --screen dashboard -o dash.svg",
    )
    p.add_argument("-o", "--output", type=Path, default=Path("ptlm-tui.svg"), help="SVG file (default ptlm-tui.svg)")
    p.add_argument("--size", type=_size, default=(100, 30), metavar="WxH", help="terminal size (default 100x30)")
    p.add_argument("--screen", choices=SCREENS, default="families", help="which screen (default families)")
    p.add_argument("--family", metavar="ID", help="the family to open for --screen family/commit (default: the first)")
    p.add_argument("--demo", dest="use_demo", action="store_true", help="use the built-in demo data")
    p.set_defaults(func=run_screenshot)

    p = subparsers.add_parser(
        "keys",
        parents=[common],
        formatter_class=fmt,
        help="list every key of the app (from the binding registry)",
        description="Print the app's keys, after your [ui.keymap]; or write the README's key table.",
        epilog="examples:\n  ptlm-tui keys\n  ptlm-tui keys --format markdown\n  ptlm-tui keys --readme README.md\n"
        "  ptlm-tui keys --readme README.md --check   # exit 1 if the table is out of date",
    )
    p.add_argument("--format", choices=("text", "markdown"), default="text", help="output format (default text)")
    p.add_argument("--readme", type=Path, metavar="FILE", help="rewrite the key table between the markers in FILE")
    p.add_argument("--check", action="store_true", help="with --readme: only check, exit 1 if out of date")
    p.set_defaults(func=run_keys)

"""Provides launch_app(): build settings and services from the command line and run the app.

``ptlm-tui --demo``, and ``ptlm-tui`` on a cache that holds nothing yet, open the app on the
built-in demo cache (generated on first use, kept apart from real data) so a new user lands on
a living example instead of an empty table.
"""

from __future__ import annotations

import argparse
import sys

from cache.store import CacheStore
from core.config import Settings


def choose_cache(settings: Settings, demo: bool) -> tuple[CacheStore, bool, str | None]:
    """Return the cache to open, whether it is the demo, and a notice for stderr (or None).

    The demo is built here (once per demo version) when it is asked for or when the user's
    cache holds no commits, families or published results.
    """
    from core import paths

    store = CacheStore.from_settings(settings)
    notice = None
    if not demo:
        # A cache of a newer version is reported (and one of the previous release migrated)
        # before the screen opens.
        for line in store.ensure_ready():
            print(f"ptlm-tui: {line}", file=sys.stderr)
        if not store.is_empty():
            return store, False, None
        notice = (
            f"ptlm-tui: {store.where} holds no data yet, so the built-in DEMO DATA is shown; "
            "load real data with `ptlm-tui import FILE`, `ptlm-tui import-study DIR` or `ptlm-tui sync`"
        )
    from core.demo import build_demo_cache

    root = paths.demo_cache_dir()
    build_demo_cache(root)
    return CacheStore(root), True, notice


def use_demo_cache(args: argparse.Namespace) -> None:
    """Point a headless verb at the demo cache (``ptlm-tui --demo report``), building it if needed."""
    from core import paths
    from core.demo import build_demo_cache

    root = paths.demo_cache_dir()
    build_demo_cache(root)
    args.cache_dir = str(root)


def launch_app(args: argparse.Namespace) -> int:
    """Run the terminal app and return its exit status."""
    from tui.app import make_app
    from tui.cli.context import settings_from_args

    settings = settings_from_args(args)
    store, demo, notice = choose_cache(settings, bool(getattr(args, "demo", False)))
    if notice:
        print(notice, file=sys.stderr)
    app = make_app(settings=settings, store=store, demo=demo)
    app.run()
    return app.return_code or 0

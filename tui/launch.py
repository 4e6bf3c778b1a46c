"""Provides launch_app(): build settings and services from the command line and run the app."""

from __future__ import annotations

import argparse


def launch_app(args: argparse.Namespace) -> int:
    """Run the terminal app and return its exit status."""
    from cache.store import CacheStore
    from tui.app import make_app
    from tui.cli.context import settings_from_args

    settings = settings_from_args(args)
    store = CacheStore(settings.cache_dir)
    store.manifest()  # a cache of the wrong version is reported before the screen opens
    app = make_app(settings=settings, store=store)
    app.run()
    return app.return_code or 0

"""Provides open_in_browser(): open a URL where a browser can show it, else copy it.

Over SSH, or on a Linux box without a display, ``webbrowser`` would open a browser on the
remote machine or a console browser fighting the app for the terminal. There the URL is
copied (OSC 52) instead, so the user can paste it locally. Under ``ptlm-tui serve`` the
browser driver opens a tab in the user's own browser.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from tui.clipboard import copy_text

if TYPE_CHECKING:
    from textual.app import App


def browser_here(environ: Mapping[str, str] | None = None, platform: str | None = None) -> bool:
    """True when a graphical browser can open on the machine the user is looking at."""
    env = os.environ if environ is None else environ
    platform = platform or sys.platform
    if env.get("SSH_CONNECTION") or env.get("SSH_TTY"):
        return False
    if platform.startswith("linux") or "bsd" in platform:
        return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))
    return True


def open_in_browser(app: App[Any], url: str) -> str:
    """Open ``url`` (or copy it when no browser is at hand); return what happened, for a notification."""
    if app.is_web or browser_here():
        app.open_url(url)
        return f"Opening {url}"
    method = copy_text(app, url)
    return f"No browser on this machine (SSH or no display): the URL is on the {method}. {url}"

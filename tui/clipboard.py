"""Provides copy_text(): put text on the clipboard, over SSH too.

OSC 52 asks the terminal itself to set its clipboard, so it works over SSH (where a clipboard
tool on the remote machine would fill the wrong clipboard) and in tmux with
``set -g set-clipboard on``. On a local desktop a clipboard tool is used as well, because some
terminals ignore OSC 52.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.app import App

OSC52 = "terminal clipboard (OSC 52)"


def _local_tool() -> list[str] | None:
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return None  # the tool would fill the remote machine's clipboard, not the user's
    candidates: list[list[str]] = []
    if sys.platform == "darwin":
        candidates.append(["pbcopy"])
    if os.environ.get("WAYLAND_DISPLAY"):
        candidates.append(["wl-copy"])
    if os.environ.get("DISPLAY"):
        candidates += [["xclip", "-selection", "clipboard"], ["xsel", "--clipboard", "--input"]]
    return next((c for c in candidates if shutil.which(c[0])), None)


def copy_text(app: App[Any], text: str) -> str:
    """Copy ``text``; return how it was copied, for the notification."""
    app.copy_to_clipboard(text)  # OSC 52, always: harmless where unsupported
    tool = _local_tool()
    if tool is None:
        return OSC52
    try:
        subprocess.run(tool, input=text.encode(), timeout=2, check=True, capture_output=True)
    except (OSError, subprocess.SubprocessError):
        return OSC52
    return f"system clipboard ({tool[0]})"

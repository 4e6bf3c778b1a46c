"""Provides the ``ptlm-tui`` command line: the app by default, headless verbs that call ``core``."""

from tui.cli.main import main

__all__ = ["main"]

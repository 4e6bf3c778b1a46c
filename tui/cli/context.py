"""Provides Context (settings, cache, output streams) and the progress line shared by headless verbs.

Nothing here imports textual: headless commands must start fast and run without a terminal.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO, Any

from cache.store import CacheStore
from core.config import Settings, load_settings
from core.progress import Progress
from core.text import one_line


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Load settings with the command line's global flags as the top layer."""
    overrides: dict[str, Any] = {}
    if getattr(args, "cache_dir", None):
        overrides.setdefault("cache", {})["dir"] = args.cache_dir
    if getattr(args, "offline", False):
        overrides["offline"] = True
    return load_settings(getattr(args, "config", None), overrides=overrides)


@dataclass
class Context:
    """What a verb needs: parsed arguments, settings, the cache and the output streams."""

    args: argparse.Namespace
    out: IO[str] = field(default_factory=lambda: sys.stdout)
    err: IO[str] = field(default_factory=lambda: sys.stderr)

    @cached_property
    def settings(self) -> Settings:
        """Settings with defaults < file < environment < flags."""
        return settings_from_args(self.args)

    def __post_init__(self) -> None:
        output = getattr(self.args, "output", None)
        if output is not None and str(output) != "-":
            # No output option may write into the cache (it would replace cache data).
            self.store.refuse_inside(output, "output file")

    @cached_property
    def store(self) -> CacheStore:
        """The cache selected by --cache-dir / PTLM_CACHE_DIR / the config ([cache] uri, storage options)."""
        store = CacheStore.from_settings(self.settings)
        for line in store.ensure_ready():  # a cache of the previous release is migrated once
            self.info(line)
        return store

    def info(self, message: str) -> None:
        """Print a status message on stderr (stdout stays for data)."""
        print(one_line(message), file=self.err)


class ProgressLine:
    """Shows Progress on stderr: one rewritten line on a terminal, a line every few seconds otherwise."""

    def __init__(self, stream: IO[str] | None = None, interval: float = 2.0) -> None:
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.interval = interval
        self._last = 0.0
        self._width = 0

    def __call__(self, progress: Progress) -> None:
        """Report one progress snapshot."""
        line = one_line(progress.line(), 100)
        now = time.monotonic()
        if self.tty:
            self.stream.write("\r" + line.ljust(self._width))
            self._width = len(line)
            self.stream.flush()
        elif now - self._last >= self.interval or (progress.total and progress.done >= progress.total):
            self.stream.write(line + "\n")
            self.stream.flush()
            self._last = now

    def close(self) -> None:
        """End the rewritten line so later output starts on a fresh line."""
        if self.tty and self._width:
            self.stream.write("\n")
            self.stream.flush()
            self._width = 0

"""Provides Context (settings, cache, families, output) and the progress line shared by headless verbs.

Nothing here imports textual, polars or the cache at module level: a verb pays only for what it uses.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import IO, TYPE_CHECKING, Any

from core.errors import InputError
from core.text import one_line

if TYPE_CHECKING:
    import polars as pl

    from cache.store import CacheStore
    from core.config import Settings
    from core.progress import Progress


def check_keymap_ids(keymap: dict[str, str]) -> None:
    """Refuse ``[ui.keymap]`` ids that name no command of the app (a typo would silently do nothing)."""
    if not keymap:
        return
    import difflib

    from tui.bindings import BY_ID, unknown_keymap_ids

    unknown = unknown_keymap_ids(keymap)
    if unknown:
        close = difflib.get_close_matches(unknown[0], list(BY_ID), n=1)
        guess = f" (did you mean {close[0]}?)" if close else ""
        raise ValueError(f"{unknown[0][:40]!r} is not a key binding id{guess}; `ptlm-tui keys` lists the ids")


def settings_from_args(args: argparse.Namespace) -> Settings:
    """Load settings with the command line's global flags as the top layer."""
    from core.config import load_settings

    overrides: dict[str, Any] = {}
    if getattr(args, "cache_dir", None):
        overrides.setdefault("cache", {})["dir"] = args.cache_dir
    if getattr(args, "offline", False):
        overrides["offline"] = True
    return load_settings(getattr(args, "config", None), overrides=overrides, checks={"ui.keymap": check_keymap_ids})


def family_arguments(parser: argparse.ArgumentParser, what: str = "family ids (default: all)") -> None:
    """Add FAMILY... (positional) and its alias ``--family ID`` (repeatable, comma-separated allowed)."""
    parser.add_argument("families", nargs="*", metavar="FAMILY", help=what)
    parser.add_argument(
        "--family", action="append", dest="family_options", metavar="ID", help="the same as FAMILY (repeatable)"
    )


def output_arguments(parser: argparse.ArgumentParser, formats: tuple[str, ...], default: str) -> None:
    """Add ``--format`` and ``--output``."""
    from pathlib import Path

    parser.add_argument("--format", choices=formats, default=default, help=f"output format (default {default})")
    parser.add_argument("--output", "-o", type=Path, metavar="FILE", help="write to FILE instead of stdout")


TABLE_FORMATS = ("table", "csv", "json", "parquet")


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
        from cache.store import CacheStore

        store = CacheStore.from_settings(self.settings)
        for line in store.ensure_ready():  # a cache of the previous release is migrated once
            self.info(line)
        return store

    def info(self, message: str) -> None:
        """Print a status message on stderr (stdout stays for data)."""
        print(one_line(message), file=self.err)

    def family_names(self) -> list[str]:
        """The families named on the command line (FAMILY... and --family), in order, without repeats."""
        given = [*(getattr(self.args, "families", None) or []), *(getattr(self.args, "family_options", None) or [])]
        return list(dict.fromkeys(f.strip() for value in given for f in value.split(",") if f.strip()))

    def families(self) -> list[str] | None:
        """The named families after checking each is in the cache; None when none was named (all).

        Raises:
            InputError: A named family is in neither the commits nor the families of the cache.
        """
        wanted = self.family_names()
        if not wanted:
            return None
        store = self.store
        known = set(store.collect(store.commits(["family"]).unique())["family"].to_list()) | set(
            store.families(["family"])["family"].to_list()
        )
        missing = [f for f in wanted if f not in known]
        if missing:
            close = sorted(k for k in known if any(m.lower() in k.lower() for m in missing))[:5]
            hint = f"did you mean {', '.join(close)}?" if close else "`ptlm-tui analyze` lists the cache's families"
            raise InputError(f"Unknown famil{'ies' if len(missing) > 1 else 'y'}", ", ".join(missing), hint)
        return wanted

    def emit(self, text: str, *, json_style: bool = False) -> None:
        """Write a verb's text result to ``--output`` or stdout (escaped on a terminal)."""
        from core.io.tables import write_text

        write_text(text, getattr(self.args, "output", None), self.out, json_style=json_style)

    def table(self, frame: pl.DataFrame, table_columns: list[str] | None = None) -> None:
        """Write a verb's table in ``--format`` to ``--output`` or stdout; ``table`` shows only ``table_columns``."""
        from core.io.tables import write_table

        fmt = self.args.format
        if fmt == "table" and table_columns:
            frame = frame.select(table_columns)
        write_table(frame, fmt, getattr(self.args, "output", None), self.out)


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

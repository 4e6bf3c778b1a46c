"""Run the app on the test cache in a fresh interpreter and print what it would write to the terminal.

A fresh process matters: Rich caches each Style's escape codes on first use (``Style._ansi``),
so inside a test session an SVG export (true colour) would leak into later renders.
Usage: python -m tests.ui.colour_probe CACHE_DIR  (TERM/COLORTERM/NO_COLOR from the environment)
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from rich.segment import Segments

from cache.store import CacheStore
from tests.ui.support import app_on, settle


async def probe(cache: Path) -> dict[str, str]:
    app = app_on(CacheStore(cache))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        outputs = []
        for keys in ((), ("enter",)):
            await pilot.press(*keys)
            await settle(pilot)
            with app.console.capture() as capture:
                for strip in app.screen._compositor.render_strips():
                    app.console.print(Segments(list(strip)))
            outputs.append(capture.get())
        return {"color_system": str(app.console.color_system), "theme": app.theme, "output": "".join(outputs)}


if __name__ == "__main__":
    print(json.dumps(asyncio.run(probe(Path(sys.argv[1])))))

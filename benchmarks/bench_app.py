"""Times the terminal app through Pilot on a 10,000-family / 1M-commit cache.

Usage: uv run python benchmarks/bench_app.py [--families 10000] [--commits 1000000] [--big 100000]
                                             [--workdir DIR] [--runs 3]

The cache is generated once (vectorised polars, written through ``core.commits.store_commits``
like an import) and reused from ``--workdir``. Then, in this process, for each run:

- first frame: from ``make_app`` to the families table holding every family, with the first
  rows painted;
- filter keystroke: typing one more character in the ``/`` filter until the table repaints
  with the filtered rows (median over several keystrokes);
- open family: Enter on the family with ``--big`` commits until its timeline and commit list
  are shown;
- drift columns (docs/method.md §8): the Behind and Files figures on screen after the first
  frame, sort keystrokes on each (``b``, ``F``) and the drift filter words, against sorts on
  older columns (``2``, ``3``) and the older field words, in the same app.

The generated cache carries a drift summary for every variant, as a sync leaves it: Behind
from the commits (``refresh_drift_summary``) and synthetic Files figures (a few files
behind or diverged here and there, a tenth of the families with no file history), so the
two columns hold the spread of values a real cache gives them.

Baseline measured in the same run: reading the cache's families and commits columns the app
needs with plain polars (the floor any app on this cache pays), so the ratio shows the app's
own overhead. Targets (issue): first frame < 1.5 s, filter < 50 ms, open family < 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TITLES = (
    "Update README.md",
    "Upload folder using huggingface_hub",
    "Fix tokenizer config",
    "Add evaluation script",
    "Update config.json",
    "Refactor training loop",
    "Add safetensors weights",
    "Bump transformers to 4.40",
    "Merge pull request #12 from org/fix-typo",
    "Initial commit",
    "Update model card",
    "Add ONNX export",
)
FILES = ("M:README.md", "A:model.safetensors", "M:config.json", "M:train.py|M:utils.py", "M:tokenizer.json", "")
BIG_FAMILY = "big_family"


def generate_cache(root: Path, families: int, commits: int, big: int) -> None:
    """Write a cache of ``families`` families and ``commits`` commits, one family holding ``big``."""
    import polars as pl

    from cache.store import CacheStore
    from core.commits import store_commits
    from core.drift.digest import refresh_drift_summary

    store = CacheStore(root)
    rest = commits - big
    i = pl.int_range(0, rest, dtype=pl.Int64, eager=True).alias("i")
    frame = pl.DataFrame(i)
    h = pl.col("i").hash(7)
    fam = (1 + pl.col("i").hash(11) % (families - 1)).cast(pl.Int64)
    small = frame.with_columns(fam.alias("f"), h.alias("h"))
    big_frame = pl.DataFrame({"i": pl.int_range(rest, commits, dtype=pl.Int64, eager=True)}).with_columns(
        pl.lit(0, dtype=pl.Int64).alias("f"), pl.col("i").hash(7).alias("h")
    )
    frame = pl.concat([small, big_frame])
    start = dt.datetime(2018, 1, 1, tzinfo=dt.UTC)
    is_gh = (pl.col("h") % 100) < 80
    n_variants = 1 + pl.col("f") % 8 + pl.when(pl.col("f") == 0).then(12).otherwise(0)
    variant = (pl.col("h") // 100) % n_variants
    # Families live 1 to 5 years; the big one, six years (about 160 bins).
    span_s = pl.when(pl.col("f") == 0).then(2200).otherwise(30 + pl.col("f") * 13 % 1500) * 86_400
    offset_days = pl.col("f") * 37 % 1800
    when = pl.lit(start) + pl.duration(days=offset_days) + pl.duration(seconds=(pl.col("h") // 10_000) % span_s)
    family = pl.when(pl.col("f") == 0).then(pl.lit(BIG_FAMILY)).otherwise(pl.format("family{}", pl.col("f")))
    title = pl.col("h").mod(len(TITLES)).replace_strict(dict(enumerate(TITLES)), return_dtype=pl.String)
    out = frame.select(
        family.alias("family"),
        pl.when(is_gh).then(pl.lit("github")).otherwise(pl.lit("huggingface")).alias("platform"),
        pl.when(is_gh)
        .then(pl.format("org{}/repo{}", pl.col("f"), pl.col("f")))
        .otherwise(pl.format("org{}/model{}-{}", pl.col("f"), pl.col("f"), variant))
        .alias("repo"),
        pl.col("i").hash(3).cast(pl.String).str.pad_start(40, "0").alias("sha"),
        pl.when(is_gh).then(when).otherwise(when.dt.truncate("1d")).alias("authored_at"),
        pl.lit("dev").alias("author"),
        title.alias("title"),
        pl.concat_str([title, pl.lit("\n\nSigned-off-by: dev <dev@example.org>")]).alias("message"),
        (pl.col("h") // 7)
        .mod(len(FILES))
        .replace_strict(dict(enumerate(FILES)), return_dtype=pl.String)
        .alias("files"),
        pl.lit(None, dtype=pl.String).alias("parents"),
        pl.lit("bench").alias("source"),
    )
    store_commits(store, out, source="bench")
    refresh_drift_summary(store)  # an import leaves the figures to the app; a sync computes them
    # Half the commits carry a rule label, as after a first `ptlm-tui classify`.
    from cache.schema import TABLES

    labels = (
        out.filter(pl.col("sha").str.slice(-1).is_in(list("01234567")))
        .select(
            "platform",
            "repo",
            "sha",
            pl.when(pl.col("title").str.contains("README|card"))
            .then(pl.lit("external documentation"))
            .otherwise(pl.lit("model structure"))
            .alias("label"),
            pl.lit(0.7).alias("confidence"),
            pl.lit("rule").alias("source"),
            pl.lit(dt.datetime(2024, 1, 1, tzinfo=dt.UTC)).alias("labelled_at"),
        )
        .with_columns(
            [
                pl.lit(None, dtype=t).alias(n)
                for n, t in TABLES["labels"].items()
                if n not in ("platform", "repo", "sha", "label", "confidence", "source", "labelled_at")
            ]
        )
        .select(list(TABLES["labels"]))
    )
    store.record_labels(labels)
    add_file_figures(store)


def add_file_figures(store: Any) -> None:
    """Give the drift summary Files figures (§8.2) with a realistic spread; Behind stays as computed."""
    import polars as pl

    rows = store.drift_summary()
    h = pl.col("hf_repo").hash(5)
    unknown = pl.col("family").hash(13) % 10 == 0  # no file history cached for this family
    linked = (2 + h % 9).cast(pl.Int64)
    behind = pl.when(h % 5 == 0).then((h // 5) % 3 + 1).otherwise(0).cast(pl.Int64)
    diverged = pl.when(h % 17 == 0).then(1).otherwise(0).cast(pl.Int64)
    ahead = pl.when(h % 23 == 0).then(1).otherwise(0).cast(pl.Int64)
    figures = {
        "files_linked": linked,
        "files_behind": pl.min_horizontal(behind, linked),
        "files_diverged": diverged,
        "files_ahead": ahead,
        "files_removed": pl.lit(0, dtype=pl.Int64),
    }
    rows = rows.with_columns(
        *(pl.when(unknown).then(None).otherwise(expr).alias(name) for name, expr in figures.items())
    ).with_columns(
        (pl.col("files_linked") - pl.col("files_behind") - pl.col("files_diverged") - pl.col("files_ahead"))
        .clip(0)
        .alias("files_in_sync"),
        (pl.col("files_behind") + pl.col("files_diverged")).alias("files"),
        (pl.col("files_behind") * 2 + pl.col("files_diverged")).alias("missing_gh_commits"),
    )
    store.replace_drift_summary(rows, rows["family"].unique().to_list())


SIZE = (120, 40)
FILTER_KEYS = "family12"  # free text, one character at a time: 10,000 → ~1,100 → ~110 → 11 families
FIELD_FILTER = "pattern:disperse stale:>90d"
DRIFT_FILTER = "behind:>10 files:>0 drift:div"
SORT_KEYS = ("b", "F")  # Behind, Files: each twice (largest first, then smallest)
BASELINE_SORTS = ("2", "3")  # Variants, GH commits: older columns, pressed as the drift ones are


class Frames:
    """Timestamps of every frame the app renders, encoded as for a real terminal.

    Headless, Textual computes each update but skips writing it; here it is also encoded
    with the app's console (as the terminal driver would), so a "frame" costs what it would
    cost on a terminal. Installed on App._display for this benchmark process only.
    """

    def __init__(self) -> None:
        self.times: list[float] = []
        from textual.app import App

        original = App._display
        frames = self

        def display(app: Any, screen: Any, renderable: Any) -> None:
            original(app, screen, renderable)
            if renderable is not None and not app._batch_count:
                with app.console.capture():
                    app.console.print(renderable, end="")
                frames.times.append(time.perf_counter())

        App._display = display  # type: ignore[method-assign,assignment]

    def after(self, moment: float) -> float | None:
        """The first frame at or after ``moment``."""
        return next((t for t in self.times if t >= moment), None)


async def _until(condition: Any, limit: float = 120.0) -> None:
    deadline = time.perf_counter() + limit
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the app did not get there in time")
        await asyncio.sleep(0.001)


def _screen_text(app: Any) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def first_frame_child(cache: Path, started_wall: float) -> dict[str, float]:
    """In a fresh process: seconds from process start to the frames with rows, patterns, every column."""
    frames = Frames()
    from cache.store import CacheStore
    from core.config import Settings
    from tui.app import make_app
    from tui.messages import FamiliesLoaded

    offset = time.time() - time.perf_counter()  # perf_counter → wall clock
    imported = time.time() - started_wall
    handled: dict[str, float] = {}

    def hook(message: Any) -> None:
        if isinstance(message, FamiliesLoaded):
            handled.setdefault(message.part, time.perf_counter())

    app = make_app(Settings(), CacheStore(cache))
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await _until(app.view_complete)
        await pilot.pause()
        assert "family1" in _screen_text(app), "rows not painted"
        out = {"imports": imported}
        for part, name in (("index", "rows"), ("drift", "drift"), ("activity", "patterns"), ("handoffs", "complete")):
            frame = frames.after(handled[part])
            assert frame is not None
            out[name] = frame + offset - started_wall
        out["index_read"] = app.load_seconds["index"]
        out["drift_read"] = app.load_seconds["drift"] - app.load_seconds["published"]
        assert not app.drift_pending, "the bench cache should carry every family's drift figures"
    return out


async def interactive(cache: Path) -> dict[str, Any]:
    """Filter keystrokes and opening the big family, in one app; latency to the next frame."""
    frames = Frames()
    from textual.widgets import Input

    from cache.store import CacheStore
    from core.config import Settings
    from tui.app import make_app
    from tui.screens.families import FamiliesScreen, FamiliesTable
    from tui.screens.family import FamilyScreen
    from tui.widgets.frame_table import FrameTable

    applied: list[tuple[str, float]] = []
    family_loaded: list[float] = []
    timeline_loaded: list[float] = []

    def hook(message: Any) -> None:
        if isinstance(message, FamiliesScreen.FilterApplied):
            applied.append((message.text, time.perf_counter()))
        elif isinstance(message, FamilyScreen.Loaded):
            family_loaded.append(time.perf_counter())
        elif isinstance(message, FamilyScreen.TimelineLoaded):
            timeline_loaded.append(time.perf_counter())

    async def keystroke(key: str, expected: str) -> float:
        start = time.perf_counter()
        await pilot.press(key)
        await _until(lambda: any(text == expected and at >= start for text, at in applied))
        await _until(lambda: frames.after(max(at for text, at in applied if text == expected)) is not None)
        done = frames.after(max(at for text, at in applied if text == expected))
        assert done is not None
        return (done - start) * 1000

    app = make_app(Settings(), CacheStore(cache))
    out: dict[str, Any] = {}
    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await _until(app.view_complete)
        await pilot.pause()
        table = app.screen.query_one(FamiliesTable)
        out["families"] = table.row_count
        await pilot.press("slash")
        out["filter_ms"] = [await keystroke(c, FILTER_KEYS[: i + 1]) for i, c in enumerate(FILTER_KEYS)]
        out["filter_rows"] = table.row_count
        await pilot.press("escape", "slash")
        out["field_ms"] = []
        for i, c in enumerate(FIELD_FILTER):
            text = FIELD_FILTER[: i + 1]
            if text.endswith((":", " ")) or text.rstrip().endswith((":", ">")):
                await pilot.press("space" if c == " " else c)  # an incomplete word: an inline message, no new list
                continue
            out["field_ms"].append(await keystroke("space" if c == " " else c, text))
        await pilot.press("escape", "slash")
        out["drift_field_ms"] = []
        for i, c in enumerate(DRIFT_FILTER):
            text = DRIFT_FILTER[: i + 1]
            if text.endswith((":", " ")) or text.rstrip().endswith((":", ">")):
                await pilot.press("space" if c == " " else c)
                continue
            out["drift_field_ms"].append(await keystroke("space" if c == " " else c, text))
        out["drift_filter_rows"] = table.row_count
        await pilot.press("escape")
        await pilot.pause()
        box_text = app.screen.query_one("#filter", Input).value
        out["sort_ms"] = [await keystroke(key, box_text) for key in SORT_KEYS for _ in (0, 1)]
        assert table.sort_key == "files"
        out["sort_baseline_ms"] = [await keystroke(key, box_text) for key in BASELINE_SORTS for _ in (0, 1)]
        await pilot.press("escape")
        await pilot.pause()
        table.cursor_row = table.frame["family"].to_list().index(BIG_FAMILY)
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("enter")
        await _until(lambda: bool(family_loaded))
        await _until(lambda: frames.after(family_loaded[0]) is not None)
        opened = frames.after(family_loaded[0])
        assert opened is not None and isinstance(app.screen, FamilyScreen)
        await pilot.pause()
        assert BIG_FAMILY in _screen_text(app)
        out["open_family_ms"] = (opened - start) * 1000
        first = frames.after(timeline_loaded[0])
        out["open_timeline_ms"] = ((first or opened) - start) * 1000
        out["open_family_read_ms"] = (family_loaded[0] - start) * 1000
        out["open_family_commits"] = app.screen.query_one("#commits", FrameTable).row_count
    return out


async def baseline(cache: Path) -> dict[str, float]:
    """The same data in Textual's DataTable: fill it, refill it for a filter, fill 100k commits."""
    import polars as pl
    from rich.text import Text
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    from cache.store import CacheStore
    from core.config import Settings
    from core.views.commits import family_commits
    from core.views.families import build_view

    store = CacheStore(cache)
    view = build_view(store, Settings().analysis, dt.datetime.now(dt.UTC))
    columns = ["family", "gh_repo", "variants", "gh_commits", "hf_commits", "lag", "pattern"]
    rows = [[Text(str(v)) for v in r] for r in view.select(columns).iter_rows()]
    commits = family_commits(store, BIG_FAMILY)
    commit_rows = [
        [Text(str(v)) for v in r] for r in commits.select("authored_at", "platform", "repo", "title").iter_rows()
    ]

    class Plain(App[None]):
        def compose(self) -> ComposeResult:
            yield DataTable()

    out: dict[str, float] = {}
    app = Plain()
    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        table.add_columns(*columns)
        t0 = time.perf_counter()
        table.add_rows(rows)
        await pilot.pause()
        out["fill_families_ms"] = (time.perf_counter() - t0) * 1000
        kept = view.filter(pl.col("family").str.contains("family1", literal=True)).select(columns)
        t0 = time.perf_counter()
        table.clear()
        table.add_rows([[Text(str(v)) for v in r] for r in kept.iter_rows()])
        await pilot.pause()
        out["refill_filter_ms"] = (time.perf_counter() - t0) * 1000
        table.clear(columns=True)
        table.add_columns("date", "platform", "repo", "title")
        t0 = time.perf_counter()
        table.add_rows(commit_rows)
        await pilot.pause()
        out["fill_commits_ms"] = (time.perf_counter() - t0) * 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--started", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(first_frame_child(args.child, args.started))))
        return
    workdir = args.workdir or Path(tempfile.gettempdir()) / "ptlm-bench-app"
    cache = workdir / f"cache-{args.families}-{args.commits}-{args.big}"
    done = workdir / f"{cache.name}.complete"  # beside the cache, which holds only the store's files
    if not done.exists():
        import shutil

        shutil.rmtree(cache, ignore_errors=True)  # a generation that stopped half way
        t = time.perf_counter()
        generate_cache(cache, args.families, args.commits, args.big)
        done.write_text("generated\n")
        print(f"generated {cache} in {time.perf_counter() - t:.1f} s")
    if args.generate_only:
        return
    print(
        f"cache: {args.families:,} families, {args.commits:,} commits, one family with {args.big:,}; "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start; "
        f"terminal {SIZE[0]}x{SIZE[1]} (Pilot, headless)"
    )
    frames = []
    for _ in range(args.runs):  # each in a fresh process: imports and cold caches count
        started = time.time()
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(cache), "--started", repr(started)],
            capture_output=True,
            text=True,
            check=True,
        )
        frames.append(json.loads(child.stdout.strip().splitlines()[-1]))
    med = {k: statistics.median(f[k] for f in frames) for k in frames[0]}
    results = [asyncio.run(interactive(cache)) for _ in range(args.runs)]
    base = asyncio.run(baseline(cache))
    free = [ms for r in results for ms in r["filter_ms"]]
    field = [ms for r in results for ms in r["field_ms"]]
    keystrokes = free + field
    filter_med, filter_max = statistics.median(keystrokes), max(keystrokes)
    open_med = statistics.median(r["open_family_ms"] for r in results)
    read_med = statistics.median(r["open_family_read_ms"] for r in results)
    timeline_med = statistics.median(r["open_timeline_ms"] for r in results)
    print()
    print(
        f"{'measure (median of ' + str(args.runs) + ' runs)':<46} {'ours':>9} {'target':>8} "
        f"{'baseline':>10} {'ratio':>7}"
    )
    print(f"{'first frame with rows (from process start)':<46} {med['rows']:>8.2f}s {'< 1.5s':>8}")
    print(f"{'  of which Python imports':<46} {med['imports']:>8.2f}s")
    print(f"{'  of which reading the families index':<46} {med['index_read']:>8.2f}s")
    print(f"{'  patterns on screen':<46} {med['patterns']:>8.2f}s")
    print(f"{'  Behind and Files on screen':<46} {med['drift']:>8.2f}s")
    print(f"{'    of which reading the drift summary':<46} {med['drift_read']:>8.2f}s")
    print(f"{'  GH→HF hand-offs on screen (every column)':<46} {med['complete']:>8.2f}s")
    print(
        f"{'filter keystroke → frame (median)':<46} {filter_med:>7.1f}ms {'< 50ms':>8} "
        f"{base['refill_filter_ms']:>8.0f}ms {base['refill_filter_ms'] / filter_med:>6.1f}x"
    )
    print(
        f"{'  free text / field words (median)':<46} {statistics.median(free):>7.1f}ms / "
        f"{statistics.median(field):.1f}ms"
    )
    print(f"{'  worst keystroke':<46} {filter_max:>7.1f}ms")
    drift_words = [ms for r in results for ms in r["drift_field_ms"]]
    sorts = [ms for r in results for ms in r["sort_ms"]]
    sort_base = [ms for r in results for ms in r["sort_baseline_ms"]]
    print(
        f"{'drift filter words (behind: files: drift:)':<46} {statistics.median(drift_words):>7.1f}ms {'< 50ms':>8} "
        f"{statistics.median(field):>8.1f}ms {statistics.median(field) / statistics.median(drift_words):>6.1f}x"
    )
    print(f"{'  worst drift keystroke':<46} {max(drift_words):>7.1f}ms")
    print(
        f"{'sort by Behind/Files (b, F) → frame (median)':<46} {statistics.median(sorts):>7.1f}ms {'< 50ms':>8} "
        f"{statistics.median(sort_base):>8.1f}ms {statistics.median(sort_base) / statistics.median(sorts):>6.1f}x"
    )
    print(f"{'  worst sort keystroke':<46} {max(sorts):>7.1f}ms")
    print(
        f"{'open a 100k-commit family (Enter → frame)':<46} {open_med:>7.0f}ms {'< 300ms':>8} "
        f"{base['fill_commits_ms']:>8.0f}ms {base['fill_commits_ms'] / open_med:>6.1f}x"
    )
    print(f"{'  timeline and why panel on screen':<46} {timeline_med:>7.0f}ms")
    print(f"{'  reading it all (Enter → commits in)':<46} {read_med:>7.0f}ms")
    print(f"{'fill a DataTable with the 10k families':<46} {'':>9} {'':>8} {base['fill_families_ms']:>8.0f}ms")
    print(
        f"\nfilter '{FILTER_KEYS}' leaves {results[0]['filter_rows']} of {results[0]['families']:,} families; "
        f"the big family lists {results[0]['open_family_commits']:,} commits"
    )
    print(
        f"'{DRIFT_FILTER}' leaves {results[0]['drift_filter_rows']} families; "
        f"sorts: {', '.join(SORT_KEYS)} twice each over every family"
    )
    print(
        "baseline: the same rows in Textual's DataTable (refilled for one keystroke; filled with the 100k commits), "
        "measured in this run; for the drift rows, the older field words and sorts by Variants and GH "
        f"({', '.join(BASELINE_SORTS)}, twice each) in the same app"
    )


if __name__ == "__main__":
    main()

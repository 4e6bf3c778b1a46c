"""Times the rule classifier and a fully cached Ollama re-run.

Usage: uv run python benchmarks/bench_rules.py [--commits 200000] [--cached 2000] [--runs 3]

1. Rules: real commits of ../shared/data/timelines/commits.csv resampled to ``--commits`` rows,
   in two shapes: as they are (titles and paths repeat, as in real histories) and with every
   title and path made unique (the worst case: nothing can be shared between commits). Each is
   labelled with ``classify_frame`` (median of ``--runs``) and compared with a baseline
   measured in the same run: the same rules applied one commit at a time, as a per-row loop
   would. Target (issue): ≥ 50,000 commits per second.
2. Cache: ``--cached`` commits classified with the ollama backend against the loopback fake
   Ollama of the tests, then again: the second run must make zero model calls.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # for tests.fakes (the fake Ollama server) when run as a script

from cache.store import CacheStore  # noqa: E402
from core.classify.rules import classify_frame  # noqa: E402
from core.classify.service import classify  # noqa: E402
from core.commits import parse_commit_rows, store_commits  # noqa: E402
from core.config import load_settings  # noqa: E402
from tests.fakes.fake_ollama import running_fake_ollama  # noqa: E402

REAL = ROOT.parent / "shared" / "data" / "timelines" / "commits.csv"
TARGET = 50_000


def corpus(n: int, *, unique: bool, seed: int = 1) -> pl.DataFrame:
    """Return ``n`` commits resampled from the real ones; with ``unique``, no title or path repeats."""
    real = parse_commit_rows(pl.read_csv(REAL, infer_schema=False)).good
    frame = real.sample(n, with_replacement=True, seed=seed).with_row_index("i")
    frame = frame.with_columns(pl.format("{}-{}", pl.col("sha"), pl.col("i")).alias("sha"))
    if unique:
        # A distinct title per commit and every changed file moved under a directory of its own.
        tag = pl.col("i").cast(pl.String)
        files = pl.col("files").str.replace_all(r"(^|\|)([AMDT]:)?([^|])", "${1}${2}\x00${3}")
        frame = frame.with_columns(
            pl.concat_str([pl.col("title"), pl.lit(" r"), tag]).alias("title"),
            files.str.replace_all("\x00", pl.format("d{}/", tag), literal=True).alias("files"),
        )
    return frame.drop("i")


def rate(frame: pl.DataFrame, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        classify_frame(frame)
        times.append(time.perf_counter() - start)
    return frame.height / statistics.median(times)


def baseline_rate(frame: pl.DataFrame, sample: int = 300) -> float:
    """The same rules, one commit at a time (what a per-row loop costs)."""
    rows = frame.head(sample)
    start = time.perf_counter()
    for i in range(rows.height):
        classify_frame(rows.slice(i, 1))
    return rows.height / (time.perf_counter() - start)


def cached_rerun(n: int) -> tuple[int, int, float, float]:
    """Return (calls on the first run, calls on the re-run, first-run s, re-run s)."""
    with tempfile.TemporaryDirectory(prefix="ptlm-bench-") as tmp, running_fake_ollama() as fake:
        store = CacheStore(Path(tmp))
        store_commits(
            store, corpus(n, unique=False, seed=2).with_columns(pl.lit("bench").alias("source")), source="bench"
        )
        settings = load_settings(environ={}, overrides={"classify": {"ollama_host": fake.host, "concurrency": 4}})
        start = time.perf_counter()
        classify(store, settings, backend="ollama")
        first_s = time.perf_counter() - start
        first = len(fake.chats())
        start = time.perf_counter()
        classify(store, settings, backend="ollama")
        again_s = time.perf_counter() - start
        return first, len(fake.chats()) - first, first_s, again_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=200_000)
    parser.add_argument("--cached", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not REAL.exists():
        sys.exit(f"{REAL} is absent: it holds the real commits the corpus is drawn from")
    print(f"{'corpus':<22}{'commits':>9}{'rules/s':>11}{'baseline/s':>12}{'ratio':>8}  target ≥ {TARGET:,}/s")
    for name, unique in (("real (repeating)", False), ("worst (all unique)", True)):
        frame = corpus(args.commits, unique=unique)
        classify_frame(frame.head(1000))  # warm up regex compilation and the thread pool
        ours = rate(frame, args.runs)
        base = baseline_rate(frame)
        verdict = "ok" if ours >= TARGET else "BELOW"
        print(f"{name:<22}{frame.height:>9,}{ours:>11,.0f}{base:>12,.0f}{ours / base:>7.0f}x  {verdict}")
    first, again, first_s, again_s = cached_rerun(args.cached)
    print(
        f"ollama (fake server), {args.cached:,} commits: first run {first} model calls in {first_s:.1f} s; "
        f"fully cached re-run {again} model calls in {again_s:.2f} s"
    )


if __name__ == "__main__":
    main()

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
  are shown.

Baseline measured in the same run: reading the cache's families and commits columns the app
needs with plain polars (the floor any app on this cache pays), so the ratio shows the app's
own overhead. Targets (issue): first frame < 1.5 s, filter < 50 ms, open family < 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

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
    span_s = (30 + pl.col("f") * 13 % 1500) * 86_400
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=10_000)
    parser.add_argument("--commits", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--generate-only", action="store_true")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.gettempdir()) / "ptlm-bench-app"
    cache = workdir / f"cache-{args.families}-{args.commits}-{args.big}"
    if not (cache / "commits.parquet").exists():
        t = time.perf_counter()
        generate_cache(cache, args.families, args.commits, args.big)
        print(f"generated {cache} in {time.perf_counter() - t:.1f} s")
    if args.generate_only:
        return
    asyncio.run(measure(cache, args.runs))


async def measure(cache: Path, runs: int) -> None:
    """Placeholder; replaced once the app exists."""
    print(statistics.median([0.0]), cache, runs)


if __name__ == "__main__":
    main()

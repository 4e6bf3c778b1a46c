"""Times reading a large repository's history against the raw ``git log --raw`` it runs.

Usage: uv run python benchmarks/bench_git_log.py [--commits 100000] [--runs 3] [--workdir DIR]

Builds a repository of N commits (git fast-import; reused from --workdir on later runs), makes
the bare blob-less partial clone sync makes, then times in the same run, median of --runs:
  floor  raw `git log --raw --no-renames --diff-merges=first-parent ... HEAD` (the options sync
         uses), its output read into memory;
  ours   core.mining.git_log.read_log + parse_history, up to two polars frames: the commits (cache
         schema) and every file change with its modes and blob ids.
Target (issue 5): ours ≤ 1.5 × floor.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.mining.git_clones import remote_url, update_clone  # noqa: E402
from core.mining.git_log import LOG_OPTIONS, parse_history, read_log  # noqa: E402
from core.mining.git_run import git_env  # noqa: E402
from tests.fakes.git_repos import bulk_repo  # noqa: E402


def timed(fn: Callable[[], int], runs: int) -> tuple[float, int]:
    times, result = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ptlm-bench-git-"))
    source = workdir / "github" / "bench" / f"repo-{args.commits}"
    if not (source / ".git").exists():
        start = time.perf_counter()
        bulk_repo(source, args.commits)
        print(f"built {args.commits:,} commits in {time.perf_counter() - start:.1f} s")
    base = (workdir / "github").as_uri()
    clone_path = workdir / "cache" / "github" / "bench" / f"repo-{args.commits}.git"
    start = time.perf_counter()
    state = update_clone(
        remote_url(base, f"bench/repo-{args.commits}"), clone_path, env=git_env(base, None), timeout=3600
    )
    print(f"{'cloned' if state.cloned else 'fetched'} (bare, blob:none) in {time.perf_counter() - start:.2f} s")

    def floor() -> int:
        out = subprocess.run(
            ["git", "-c", "core.quotePath=false", "log", *LOG_OPTIONS, "HEAD"],
            cwd=clone_path,
            capture_output=True,
            check=True,
        ).stdout
        return len(out)

    def ours() -> int:
        return parse_history(read_log(clone_path), family="bench", repo="bench/repo").commits.height

    floor()  # warm the page cache for both
    t_floor, size = timed(floor, args.runs)
    t_ours, rows = timed(ours, args.runs)
    print(f"{'commits':>9} {'floor s':>8} {'ours s':>7} {'ratio':>6}  target ≤ 1.5")
    print(f"{rows:>9,} {t_floor:>8.2f} {t_ours:>7.2f} {t_ours / t_floor:>6.2f}  ({size / 1e6:.0f} MB of raw log)")


if __name__ == "__main__":
    main()

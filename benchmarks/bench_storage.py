"""Times the cache's writes and reads at 170k, 1.86M and 3.75M commits, against the Parquet store it replaced.

Usage: uv run python benchmarks/bench_storage.py [--factors 1 11 22] [--workdir DIR] [--base REV]

For each factor it generates a study-shaped commits table (../shared/bench/gen_scale.py), then:
- imports it with ``ptlm-tui import`` (a process: wall time and peak memory) and classifies it;
- builds the same cache with the previous release (the Parquet store, ``git archive REV``, run
  from a temporary directory with the same interpreter and packages);
- times, in this process on the new cache: one sync batch of 10 new commits (``BatchWriter``),
  importing a 10-commit file (and, apart, computing its family's drift figures, which the
  import leaves to where they are read), and one hand label; as processes: ``ptlm-tui label`` (peak memory)
  and ``ptlm-tui import`` of the 10-commit file;
- times ``ptlm-tui analyze`` on both caches (median of 5 alternating processes each).
Every time is also printed as a multiple of ``ptlm-tui --version`` measured in the same run.
Targets (issue 11): a 10-commit batch or import under 100 ms of work; a hand label under 100 ms
and 200 MB; import of 1.86M commits under 1 GB; analyze no slower than the Parquet store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_analysis import SHARED_BENCH, generate  # noqa: E402  (benchmarks/ is the script's directory)
from bench_analysis import run as run_process  # noqa: E402


def run(cmd: list[str]) -> tuple[float, float]:
    """Run ``cmd``; return wall seconds and peak resident memory in MB."""
    elapsed, peak, _ = run_process(cmd, dict(os.environ))
    return elapsed, peak


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def old_release(base: str, workdir: Path) -> Path:
    """Extract the Parquet-store release into ``workdir/old`` (once)."""
    target = workdir / f"old-{base}"
    if not target.exists():
        target.mkdir(parents=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", base, "tui", "core", "cache"], capture_output=True)
        if archive.returncode:
            sys.exit(f"git archive {base} failed: {archive.stderr.decode()}")
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def ten_commits(family: str, repo: str, tag: str) -> list[dict[str, object]]:
    when = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    return [
        {
            "family": family,
            "platform": "github",
            "repo": repo,
            "sha": f"{tag}{i:038x}"[:40],
            "authored_at": when + dt.timedelta(minutes=i),
            "author": "bench",
            "title": f"Bench commit {i}",
            "message": f"Bench commit {i}",
            "files": "M:train.py",
            "parents": None,
            "source": "sync",
        }
        for i in range(10)
    ]


def in_process(cache: Path, workdir: Path) -> dict[str, float]:
    """Median seconds of a 10-commit sync batch, a 10-commit import, its family's drift figures and a hand label."""
    import polars as pl

    from cache.schema import COMMITS
    from cache.store import CacheStore
    from core.classify.service import set_manual_label
    from core.drift.digest import refresh_drift_summary
    from core.io.importer import import_commit_files
    from core.mining.fetch import Fetched
    from core.mining.outcomes import RepoOutcome
    from core.mining.writer import BatchWriter

    store = CacheStore(cache)
    family, repo = store.families(["family", "gh_repo"]).row(0)
    batch, imports, refreshes, labels = [], [], [], []
    shas = store.collect(store.commits(["sha"], repos=[repo]).head(5))["sha"].to_list()
    for n in range(5):
        frame = pl.DataFrame(ten_commits(family, repo, f"b{n}"), schema=COMMITS)
        writer = BatchWriter(store, [])
        writer.add(Fetched(RepoOutcome("github", repo, family, "ok", "10 new commits", new_commits=10), frame))
        batch.append(timed(writer.flush))
        csv = workdir / f"ten-{n}.csv"
        pl.DataFrame(ten_commits(family, repo, f"i{n}"), schema=COMMITS).drop("parents", "source").with_columns(
            pl.col("authored_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ")
        ).write_csv(csv)
        imports.append(timed(lambda csv=csv: import_commit_files(store, [csv])))  # type: ignore[misc]
        # Not part of the import: the family's figures, computed later where they are read
        # (the app in the background, ``drift --summary``).
        refreshes.append(timed(lambda: refresh_drift_summary(store, [family])))
        labels.append(
            timed(
                lambda sha=shas[n]: set_manual_label(  # type: ignore[misc]
                    store, platform="github", repo=repo, sha=sha, label="bug fix"
                )
            )
        )
    store.compact(["commits", "families", "variants", "manual_labels", "sync_state"])
    return {
        "sync batch": statistics.median(batch),
        "import 10": statistics.median(imports),
        "drift refresh": statistics.median(refreshes),
        "hand label": statistics.median(labels),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", type=float, nargs="+", default=[1, 11, 22])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--base", default="e83cca4", help="the Parquet-store release to compare with")
    parser.add_argument("--in-process", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.in_process:
        from cache.store import CacheStore

        work = in_process(args.in_process, args.in_process.parent)
        store = CacheStore(args.in_process)
        repo = store.families(["gh_repo"])["gh_repo"][1]
        sha = store.collect(store.commits(["sha"], repos=[repo]).head(1))["sha"][0]
        print(json.dumps([work, repo, sha]))
        return
    if not SHARED_BENCH.exists():
        sys.exit(f"{SHARED_BENCH} is absent: it holds the generator")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ptlm-bench-storage-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cli = [sys.executable, "-m", "tui"]
    old_src = old_release(args.base, workdir)
    # From its own directory: ``-m`` puts the working directory first on the import path.
    old_cli = ["env", "-C", str(old_src), f"PYTHONPATH={old_src}", sys.executable, "-m", "tui"]
    version = statistics.median(run([*cli, "--version"])[0] for _ in range(5))
    bytecode = "off" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "on"
    print(f"ptlm-tui --version: {version * 1000:.0f} ms (Python bytecode cache {bytecode}); ratios below are × that")
    print(
        f"{'commits':>9} {'import s':>9} {'import MB':>9} {'batch ms':>9} {'import10 ms':>11}"
        f" {'drift ms':>8}"
        f" {'label ms':>9}"
        f" {'label MB':>9} {'label× ':>7} {'import10×':>9} {'analyze s':>10} {'old analyze s':>13} {'old/new':>7}"
        f" {'old label s':>11}"
    )
    for factor in args.factors:
        data = generate(factor, workdir)
        commits = sum(1 for _ in data.open("rb")) - 1
        new, old = workdir / f"new-{factor:g}", workdir / f"old-{factor:g}"
        subprocess.run(["rm", "-rf", str(new), str(old)], check=True)
        t_import, m_import = run([*cli, "--cache-dir", str(new), "import", str(data)])
        run([*cli, "--cache-dir", str(new), "classify"])
        run([*old_cli, "--cache-dir", str(old), "import", str(data)])
        run([*old_cli, "--cache-dir", str(old), "classify"])
        if not (old / "commits.parquet").exists():
            sys.exit(f"{old} is not a cache of the Parquet release: the comparison would be meaningless")
        # In a child process: this one stays small, so the peak memory of the processes it
        # starts is theirs (a forked child's high-water mark starts at its parent's size).
        probe = subprocess.run(
            [sys.executable, __file__, "--in-process", str(new)], capture_output=True, text=True, check=True
        )
        work, repo, sha = json.loads(probe.stdout)
        t_label, m_label = run([*cli, "--cache-dir", str(new), "label", repo, sha, "bug fix"])
        t_import10, _ = run([*cli, "--cache-dir", str(new), "import", str(workdir / "ten-0.csv")])
        t_old_label, _ = run([*old_cli, "--cache-dir", str(old), "label", repo, sha, "bug fix"])
        analyze = ["analyze", "--format", "csv", "-o", str(workdir / "patterns.csv")]
        # Alternating runs, median of each: a loaded machine moves single runs by a second.
        pairs = [
            (run([*cli, "--cache-dir", str(new), *analyze])[0], run([*old_cli, "--cache-dir", str(old), *analyze])[0])
            for _ in range(5)
        ]
        t_new, t_old = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
        print(
            f"{commits:>9,} {t_import:>9.1f} {m_import:>9.0f} {work['sync batch'] * 1000:>9.0f}"
            f" {work['import 10'] * 1000:>11.0f} {work['drift refresh'] * 1000:>8.0f}"
            f" {work['hand label'] * 1000:>9.0f} {m_label:>9.0f}"
            f" {t_label / version:>6.1f}x {t_import10 / version:>8.1f}x {t_new:>10.2f} {t_old:>13.2f}"
            f" {t_old / t_new:>6.2f}x {t_old_label:>11.1f}",
            flush=True,
        )


if __name__ == "__main__":
    main()

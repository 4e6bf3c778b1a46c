"""Times drift: a 100k-commit family from cached frames, and `drift --github --hub` against plain `git log --raw`.

Usage: uv run python benchmarks/bench_drift.py [--commits 100000] [--variants 20] [--runs 3] [--workdir DIR]
                                               [--parts cache adhoc sync]

Builds (git fast-import; reused from --workdir on later runs) a GitHub repository of N commits
with a merge every 20 commits, and V HF variants: small real git repositories whose files are
copies of GitHub file versions taken at different points of its history, then changed on their
own (so every state occurs). Then, in the same run, median of --runs:

  cache    drift of the family from the frames the cache holds (commits with parents, file
           changes with blob ids: what `git log --raw` over every commit gives), computed by
           core.drift.family.family_drift: first-parent chains, events, links, states.
           Also the same after reading those frames from Parquet, and §8.1 behind per variant.
           Target: < 2 s.
  ad hoc   `ptlm-tui drift --github A --hub B` on two local repositories (core.drift.compare,
           read in place, the first variant as B) vs the two plain
           `git log --first-parent --raw --no-renames --no-abbrev --format=%H%x1f%at` runs it
           needs (ids, dates, changes), output read into memory. Target: ≤ 1.5×.
  one run  reading the history for sync: one `git log --raw --diff-merges=first-parent` over
           every commit (what sync now runs: commits and file changes from one run) vs the
           former `--name-status` run plus a separate first-parent `--raw` run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from core.drift.behind import behind_by_variant  # noqa: E402
from core.drift.compare import adhoc_drift  # noqa: E402
from core.drift.family import family_drift  # noqa: E402
from core.mining.git_log import LOG_OPTIONS, parse_history, read_log  # noqa: E402
from tests.fakes.git_repos import BULK_PATHS, bulk_content, bulk_repo  # noqa: E402

RAW = ["--raw", "--no-renames", "--no-abbrev", "--diff-merges=first-parent"]


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def git_out(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, check=True).stdout


def variant_repo(path: Path, gh_commits: int, k: int) -> None:
    """An HF variant that copied 40 GitHub files as they were at some commit, then changed a few."""
    if (path / ".git").exists() and (path / ".bench-v2").exists():
        return
    if path.exists():
        import shutil

        shutil.rmtree(path)
    _build_variant(path, gh_commits, k)
    (path / ".bench-v2").touch()


def _build_variant(path: Path, gh_commits: int, k: int) -> None:
    if (path / ".git").exists():
        return
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "--quiet", "--initial-branch=main"], cwd=path, check=True)
    # Where this variant copied GitHub: spread over the history, and variant 0 at its head.
    at = gh_commits - 1 if k == 0 else gh_commits * k // 21
    chunks: list[bytes] = []
    when = int(dt.datetime(2015, 1, 1, tzinfo=dt.UTC).timestamp()) + at * 3_600 + 60
    # The content GitHub's path held at commit `at`: bulk_repo writes commit n's number.
    copied = {}
    for i in range(k * 10, k * 10 + 40):
        # bulk_repo's commit n writes path (7n + 131j) % 400, j < 3: solve for the last n <= at.
        residues = [(343 * (i - 131 * j)) % 400 for j in range(3)]  # 343 = 7^-1 mod 400
        last = max(at - ((at - r) % 400) for r in residues)
        if last >= 0:
            copied[BULK_PATHS[i % 400]] = bulk_content(BULK_PATHS[i % 400], last)
    for c in range(25):
        message = f"Upload {c}\n".encode()
        chunks.append(f"commit refs/heads/main\nmark :{c + 1}\n".encode())
        chunks.append(f"author HF <hf@example.org> {when + c * 86_400} +0000\n".encode())
        chunks.append(f"committer HF <hf@example.org> {when + c * 86_400} +0000\n".encode())
        chunks.append(f"data {len(message)}\n".encode() + message)
        if c:
            chunks.append(f"from :{c}\n".encode())
        files = copied if c == 0 else {f"own/file_{c % 5}.json": f'{{"v": {c}}}\n'.encode()}
        if c % 7 == 3 and copied:  # an HF edit of a copied file: hf_ahead or diverged
            name = sorted(copied)[c % len(copied)]
            files = {name: b"edited on HF " + str(c).encode() + b"\n"}
        for name, data in files.items():
            chunks.append(f"M 100644 inline {name}\ndata {len(data)}\n".encode() + data + b"\n")
        chunks.append(b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], input=b"".join(chunks), cwd=path, check=True)
    subprocess.run(["git", "reset", "--quiet", "--hard", "main"], cwd=path, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=100_000)
    parser.add_argument("--variants", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--parts", nargs="+", choices=("cache", "adhoc", "sync"), default=["cache", "adhoc", "sync"])
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ptlm-bench-drift-"))
    gh = workdir / f"gh-{args.commits}"
    if not (gh / ".git").exists():
        start = time.perf_counter()
        bulk_repo(gh, args.commits, merge_every=20)
        print(f"built {args.commits:,} GitHub commits in {time.perf_counter() - start:.1f} s")
    hubs = [workdir / f"hf-{args.commits}-{k}" for k in range(args.variants)]
    for k, hub in enumerate(hubs):
        variant_repo(hub, args.commits, k)

    # What the cache holds: every commit with parents, every file change with blob ids.
    histories = [parse_history(read_log(gh), family="bench", repo="bench/code", platform="github")]
    histories += [
        parse_history(read_log(h), family="bench", repo=f"bench/model-{k}", platform="huggingface")
        for k, h in enumerate(hubs)
    ]
    commits = pl.concat([h.commits for h in histories])
    changes = pl.concat([h.changes for h in histories])
    parquet = workdir / "frames"
    parquet.mkdir(exist_ok=True)
    commits.write_parquet(parquet / "commits.parquet")
    changes.write_parquet(parquet / "changes.parquet")
    print(f"cache frames: {commits.height:,} commits, {changes.height:,} file changes, {args.variants} variants")

    def from_frames() -> pl.DataFrame:
        return family_drift("bench", "bench/code", commits, changes)

    def from_parquet() -> pl.DataFrame:
        c = pl.scan_parquet(parquet / "commits.parquet").filter(pl.col("family") == "bench")
        keys = c.select("platform", "repo", "sha")
        x = pl.scan_parquet(parquet / "changes.parquet").join(keys, on=["platform", "repo", "sha"], how="semi")
        return family_drift("bench", "bench/code", c.collect(), x.collect())

    def behind() -> pl.DataFrame:
        return behind_by_variant(commits)

    if "cache" in args.parts:
        cache_part(args.runs, from_frames, from_parquet, behind)
    if "adhoc" in args.parts:
        adhoc_part(args.runs, gh, hubs[0])
    if "sync" in args.parts:
        sync_part(args.runs, gh)


def cache_part(
    runs: int,
    from_frames: Callable[[], pl.DataFrame],
    from_parquet: Callable[[], pl.DataFrame],
    behind: Callable[[], pl.DataFrame],
) -> None:
    from_frames()  # warm polars' thread pool and the page cache
    t_frames, table = timed(from_frames, runs)
    t_parquet, _ = timed(from_parquet, runs)
    t_behind, per_variant = timed(behind, runs)
    states = dict(table.group_by("state").len().iter_rows())
    print(f"drift table: {table.height} pairs {states}; behind: {per_variant['behind'].max()} at most")
    print(f"{'cache':>8} {'frames s':>9} {'parquet s':>10} {'behind s':>9}  target < 2 s")
    print(f"{'':>8} {t_frames:>9.2f} {t_parquet:>10.2f} {t_behind:>9.2f}")


def adhoc_part(runs: int, gh: Path, hub: Path) -> None:
    """Ad hoc on two local repositories, against the two git log runs it needs."""

    def plain() -> int:
        fp = ["log", "--first-parent", *RAW, "--format=%H%x1f%at", "HEAD"]  # ids and dates: all drift needs
        return len(git_out(gh, *fp)) + len(git_out(hub, *fp))

    def ours() -> int:
        with adhoc_drift(str(gh), [str(hub)], family="bench") as run:
            return run.table.height

    plain()
    t_plain, _ = timed(plain, runs)
    t_ours, pairs = timed(ours, runs)
    print(f"{'ad hoc':>8} {'git log s':>9} {'drift s':>10} {'ratio':>9}  target ≤ 1.5")
    print(f"{'':>8} {t_plain:>9.2f} {t_ours:>10.2f} {t_ours / t_plain:>9.2f}  ({pairs} pairs)")


def sync_part(runs: int, gh: Path) -> None:
    """Reading for sync: one run for commits and changes, or two runs."""

    def one_run() -> int:
        return len(git_out(gh, "log", *LOG_OPTIONS, "HEAD"))

    def two_runs() -> int:
        fmt = "--format=%x00%H%x1f%P%x1f%an%x1f%at%x1f%B%x00"
        names = git_out(gh, "log", "--no-renames", "--name-status", fmt, "HEAD")
        raw = git_out(gh, "log", "--first-parent", *RAW, fmt, "HEAD")
        return len(names) + len(raw)

    def one_run_parsed() -> int:
        return parse_history(read_log(gh), family="b", repo="b/c").changes.height

    t_one, size = timed(one_run, runs)
    t_two, _ = timed(two_runs, runs)
    t_parsed, rows = timed(one_run_parsed, runs)
    print(f"{'sync log':>8} {'one run s':>9} {'two runs s':>10} {'ratio':>9}  {'one run + parse s':>18}")
    print(
        f"{'':>8} {t_one:>9.2f} {t_two:>10.2f} {t_one / t_two:>9.2f}  {t_parsed:>18.2f}"
        f"  ({size / 1e6:.0f} MB of raw log, {rows:,} file changes)"
    )


if __name__ == "__main__":
    main()

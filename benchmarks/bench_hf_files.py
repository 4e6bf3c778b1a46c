"""Measures the two ways to get the changed files of HF commits: the compare endpoint or a bare clone.

Usage: uv run python benchmarks/bench_hf_files.py [--commits 30 300] [--latency 0 0.05] [--workdir DIR]

For a model repository of N commits, served both by the fake Hub's API (compare endpoint) and
over git's smart HTTP by the same server (``git http-backend``), with an added delay per HTTP
request standing in for the round trip to huggingface.co, it times and counts requests for:
  first    every commit's files: commit pages + one compare per commit, versus
           `git clone --bare --filter=blob:none` + `git log --no-renames --name-status`;
  one new  one more commit: one compare, versus `git fetch` + log of the new commit.
The product's choice (sync.changed_files = "auto": clone above 3 new commits, else compare) rests
on these figures; see core/sources/hub.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.sources.git_history import parse_log, read_log, update_clone  # noqa: E402
from core.sources.git_run import git_env  # noqa: E402
from core.sources.hub import HubClient  # noqa: E402
from tests.fakes.fake_hub import FakeHub  # noqa: E402
from tests.fakes.git_repos import add_commits, bulk_repo  # noqa: E402


def compare_all(hub: FakeHub, repo: str) -> tuple[float, int, int]:
    api = HubClient(hub.url, None, timeout=30, max_retries=0)
    hub.reset_log()
    start = time.perf_counter()
    commits, _ = api.commits(repo, set())
    files = [api.changed_files(repo, c.id) for c in commits]
    return time.perf_counter() - start, hub.count(), sum(map(len, files))


def compare_one(hub: FakeHub, repo: str) -> tuple[float, int]:
    api = HubClient(hub.url, None, timeout=30, max_retries=0)
    hub.reset_log()
    start = time.perf_counter()
    api.changed_files(repo, hub.models[repo].sha)
    return time.perf_counter() - start, hub.count()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, nargs="+", default=[30, 300])
    parser.add_argument("--latency", type=float, nargs="+", default=[0.0, 0.05])
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ptlm-bench-hf-"))
    print(f"{'commits':>7} {'latency':>8} {'case':>8} {'compare s':>10} {'req':>5} {'clone s':>8} {'req':>5}")
    for n in args.commits:
        for latency in args.latency:
            root = workdir / f"n{n}-l{latency}"
            shutil.rmtree(root, ignore_errors=True)
            bulk_repo(root / "git" / "org" / "model", n, files_per_commit=2)
            with FakeHub(latency=latency, git_root=root / "git") as hub:
                model = hub.add_model("org/model", commits=0)
                model.add_commits(n, start=dt.datetime(2023, 1, 1, tzinfo=dt.UTC))
                t_cmp, r_cmp, _ = compare_all(hub, "org/model")
                env = git_env(hub.url, None)
                clone_path = root / "cache" / "model.git"
                hub.reset_log()
                start = time.perf_counter()
                update_clone(f"{hub.url}/org/model", clone_path, env=env, timeout=600)
                rows = parse_log(read_log(clone_path), family="f", repo="org/model").height
                t_clone, r_clone = time.perf_counter() - start, hub.count()
                assert rows == n, rows
                print(f"{n:>7} {latency:>8.2f} {'first':>8} {t_cmp:>10.2f} {r_cmp:>5} {t_clone:>8.2f} {r_clone:>5}")
                model.add_commits(1)
                add_commits(root / "git" / "org" / "model", 1)
                t_one, r_one = compare_one(hub, "org/model")
                hub.reset_log()
                start = time.perf_counter()
                state = update_clone(f"{hub.url}/org/model", clone_path, env=env, timeout=600)
                parse_log(read_log(clone_path, since=state.before), family="f", repo="org/model")
                t_fetch, r_fetch = time.perf_counter() - start, hub.count()
                print(f"{n:>7} {latency:>8.2f} {'one new':>8} {t_one:>10.2f} {r_one:>5} {t_fetch:>8.2f} {r_fetch:>5}")


if __name__ == "__main__":
    main()

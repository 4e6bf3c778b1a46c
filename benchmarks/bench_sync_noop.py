"""Times a sync of 50 families with nothing new, against the loopback fake Hub and local repositories.

Usage: uv run python benchmarks/bench_sync_noop.py [--families 50] [--variants 2] [--runs 3] [--workdir DIR]
                                                   [--slow-internet 10]

Sets up N families (a local GitHub repository of 200 commits each, reached through file://,
and V Hugging Face variants of 20 commits each on the fake Hub, linked through their model
cards), runs discover and a first sync, then times the second sync (nothing new) two ways:
  process   `ptlm-tui sync` as a user runs it (interpreter start and imports included);
  in-process core.mining.sync.sync() alone.
The fake Hub runs in this process, the CLI in another. Target (issue 5): under 5 s.
Also printed: requests the no-op sync made (model info only; no commit pages, no compare).

--slow-internet S runs the process once more with every connection to a host other than this
machine routed to a proxy that answers only after S seconds (a stand-in for a name server that
does not answer, where a lookup of huggingface.co hangs for seconds). ptlm-tui asks only the
configured Hub, so that run takes as long as the others; "reached out" counts the attempts.
This is where the 14 s between process and in-process went (issue 14): huggingface_hub fetched
`/api/agent-harnesses` from the public Hub when the endpoint was set only in the config file.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cache.store import CacheStore  # noqa: E402
from core.config import load_settings  # noqa: E402
from core.mining.discover import discover  # noqa: E402
from core.mining.sync import sync  # noqa: E402
from tests.fakes.fake_hub import FakeHub  # noqa: E402
from tests.fakes.fake_proxy import FakeProxy  # noqa: E402
from tests.fakes.git_repos import bulk_repo  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--families", type=int, default=50)
    parser.add_argument("--variants", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--slow-internet", type=float, default=0.0, metavar="S")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ptlm-bench-sync-"))
    gh_root = workdir / "github"
    with FakeHub() as hub:
        for f in range(args.families):
            repo = f"lab{f:02d}/code{f:02d}"
            if not (gh_root / repo / ".git").exists():
                bulk_repo(gh_root / repo, 200)
            for v in range(args.variants):
                hub.add_model(
                    f"lab{f:02d}/model{f:02d}-v{v}",
                    downloads=100_000 - f,
                    commits=20,
                    card=f"# model\nTraining code: https://github.com/{repo}\n",
                )
        config = workdir / "config.toml"
        config.write_text(
            f'[cache]\ndir = "{workdir / "cache"}"\n[hub]\nendpoint = "{hub.url}"\n'
            f'[github]\nbase_url = "{gh_root.as_uri()}"\n'
        )
        subprocess.run(["rm", "-rf", str(workdir / "cache")], check=True)
        settings = load_settings(config)
        store = CacheStore(settings.cache_dir)
        start = time.perf_counter()
        found = discover(store, settings)
        print(
            f"discover: {len(found.families)} families, {found.candidates} models "
            f"in {time.perf_counter() - start:.2f} s"
        )
        start = time.perf_counter()
        first = sync(store, settings)
        print(f"first sync: {first.summary()} (wall {time.perf_counter() - start:.2f} s)")
        # As a user's shell has it: no test-only switches (telemetry on), the endpoint only in the config.
        env = {**os.environ, "PTLM_CONFIG_FILE": str(config)}
        for name in ("HF_HUB_DISABLE_TELEMETRY", "HF_ENDPOINT"):
            env.pop(name, None)
        cli = [sys.executable, "-m", "tui", "sync"]
        process_times, inprocess_times, requests = [], [], []
        for _ in range(args.runs):
            hub.reset_log()
            start = time.perf_counter()
            run = subprocess.run(cli, env=env, capture_output=True, text=True, check=True)
            process_times.append(time.perf_counter() - start)
            requests.append(hub.count())
            assert "0 new commits" in run.stderr, run.stderr
            start = time.perf_counter()
            report = sync(store, settings)
            inprocess_times.append(time.perf_counter() - start)
            assert all(o.ok and o.new_commits == 0 for o in report.outcomes), report.summary()
        history = hub.count("/commits/") + hub.count("git-upload-pack")
        repos = args.families * (1 + args.variants)
        print(
            f"{'families':>8} {'repos':>6} {'process s':>10} {'in-process s':>13} {'requests':>9} {'history':>8}"
            "  target < 5 s"
        )
        print(
            f"{args.families:>8} {repos:>6} {statistics.median(process_times):>10.2f} "
            f"{statistics.median(inprocess_times):>13.2f} {requests[-1]:>9} {history:>8}"
        )
        if args.slow_internet:
            with FakeProxy(delay=args.slow_internet) as internet:
                start = time.perf_counter()
                subprocess.run(cli, env=env | internet.environment(), capture_output=True, text=True, check=True)
                slow = time.perf_counter() - start
            print(
                f"with every outside connection delayed {args.slow_internet:g} s: process {slow:.2f} s, "
                f"reached out {len(internet.targets)} times {sorted(set(internet.targets))}"
            )


if __name__ == "__main__":
    main()

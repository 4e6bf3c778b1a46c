"""Times how fast `ptlm-tui --version` and `ptlm-tui --help` answer, against a bare `python -c pass`.

Usage: uv run python benchmarks/bench_startup.py [--runs 21]

Each command runs --runs times as a fresh process through the installed entry point; the median
is printed with its ratio to a bare interpreter started the same way in the same run. Two
environments: this machine's as it is (PYTHONDONTWRITEBYTECODE set here, so ptlm-tui's own
modules are compiled at every start) and with Python allowed to keep a bytecode cache (after
one warm-up run), as on a user's machine. Also timed: `ptlm-tui locate config`, a verb that
loads the settings. Target (issue 14): --version within 3× of the bare interpreter.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ENTRY = Path(sys.executable).with_name("ptlm-tui")


def timed(cmd: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    as_is = dict(os.environ)
    with_pyc = {k: v for k, v in as_is.items() if k != "PYTHONDONTWRITEBYTECODE"}
    commands = {
        "--version": [str(ENTRY), "--version"],
        "--help": [str(ENTRY), "--help"],
        "locate config": [str(ENTRY), "locate", "config"],
    }
    print(f"{'environment':>16} {'command':>14} {'median ms':>10} {'python -c pass ms':>18} {'ratio':>6}")
    for name, env in (("as is", as_is), ("bytecode cache", with_pyc)):
        for cmd in commands.values():
            subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, check=True)  # warm-up (and the pyc files)
        bare = timed([sys.executable, "-c", "pass"], env, args.runs)
        for label, cmd in commands.items():
            ours = timed(cmd, env, args.runs)
            print(f"{name:>16} {label:>14} {ours * 1000:>10.1f} {bare * 1000:>18.1f} {ours / bare:>5.1f}x")
    print(f"PYTHONDONTWRITEBYTECODE here: {as_is.get('PYTHONDONTWRITEBYTECODE', '(unset)')}; target: --version ≤ 3x")


if __name__ == "__main__":
    main()

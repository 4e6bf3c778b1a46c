"""Times `ptlm-tui import` + `ptlm-tui analyze --format csv` as a user runs them, against the study-style baseline.

Usage: uv run python benchmarks/bench_analysis.py [--factors 1 4] [--runs 3] [--workdir DIR] [--large 10]

For each factor it generates a study-shaped commits table with ../shared/bench/gen_scale.py, then,
in the same run and on the same file:

- ours: two processes, exactly as a user types them: the installed `ptlm-tui` entry point
  (the one beside this interpreter) `import FILE` into a fresh cache, then `analyze --format csv`.
  Run in this machine's environment as it is (PYTHONDONTWRITEBYTECODE set or not), and once more
  with Python allowed to keep a bytecode cache of ptlm-tui's own modules (after one warm-up run),
  as on a user's machine. The dependencies' bytecode is compiled at install in both
  ([tool.uv] compile-bytecode).
- `analyze FILE`: the same file analysed in one process, without a cache.
- baseline: ../shared/bench/paper_style_pandas.py FILE (the study's per-family pandas approach).

Each figure is the median of --runs runs (the baseline: one run per factor, it takes a minute at
factor 4). The verdicts of ours and the baseline are compared family by family. Peak memory is
the largest resident set of the import and analyze processes. Targets (issue 14): ours ≥ 20×
the baseline at factor 4 and ≥ 8× at factor 1. --large N also times factor N (no baseline;
issue 3: < 5 s and < 1.5 GB at factor 10).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = ROOT.parent / "shared" / "bench"
ENTRY = Path(sys.executable).with_name("ptlm-tui")


def run(cmd: list[str], env: dict[str, str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, float, bytes]:
    """Run ``cmd``; return wall seconds, peak resident memory in MB, and stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE if stdout is None else stdout, stderr=subprocess.PIPE, env=env, cwd=ROOT
    )
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} failed: {err.decode(errors='replace')}")
    return elapsed, usage.ru_maxrss / 1024, out


def generate(factor: float, workdir: Path) -> Path:
    """Return the study-shaped commits table of ``factor`` in ``workdir`` (generated once)."""
    data = workdir / f"commits-{factor:g}.csv"
    if not data.exists():
        subprocess.run(
            [sys.executable, str(SHARED_BENCH / "gen_scale.py"), str(factor), str(data)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return data


def ours(data: Path, workdir: Path, env: dict[str, str], tag: str) -> tuple[float, float, float, Path]:
    """One user-style run: import into a fresh cache, then analyze; return times, peak MB and the CSV."""
    cache = workdir / f"cache-{tag}"
    shutil.rmtree(cache, ignore_errors=True)
    result = workdir / f"ours-{tag}.csv"
    t_import, m_import, _ = run([str(ENTRY), "--cache-dir", str(cache), "import", str(data)], env)
    t_analyze, m_analyze, _ = run(
        [str(ENTRY), "--cache-dir", str(cache), "analyze", "--format", "csv", "-o", str(result)], env
    )
    return t_import, t_analyze, max(m_import, m_analyze), result


def median_runs(runs: int, data: Path, workdir: Path, env: dict[str, str], tag: str) -> tuple[float, float, float]:
    times = [ours(data, workdir, env, f"{tag}-{i}") for i in range(runs)]
    return (
        statistics.median(t[0] for t in times),
        statistics.median(t[1] for t in times),
        max(t[2] for t in times),
    )


def same_verdicts(ours_csv: Path, baseline_csv: Path) -> bool:
    import polars as pl

    cols = ["family", "lag", "sync", "intensity", "code", "pattern"]
    a = pl.read_csv(ours_csv).select(cols).sort("family")
    b = pl.read_csv(baseline_csv).select(cols).sort("family")
    return a.equals(b)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", type=float, nargs="*", default=[1, 4])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--large", type=float, nargs="*", default=[])
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if not SHARED_BENCH.exists():
        sys.exit(f"{SHARED_BENCH} is absent: it holds the generator and the baseline")
    if not ENTRY.exists():
        sys.exit(f"{ENTRY} is missing: run `uv sync` first")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ptlm-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    as_is = dict(os.environ)
    with_pyc = {k: v for k, v in as_is.items() if k != "PYTHONDONTWRITEBYTECODE"}
    print(
        f"environment: PYTHONDONTWRITEBYTECODE={as_is.get('PYTHONDONTWRITEBYTECODE', '(unset)')}, {os.cpu_count()} CPUs"
    )
    print(f"ours: {ENTRY} import FILE, then analyze --format csv (two processes); median of {args.runs}")
    header = (
        f"{'factor':>6} {'commits':>9} {'mode':>14} {'import s':>9} {'analyze s':>10} {'total s':>8} {'peak MB':>8}"
        f" {'baseline s':>11} {'ratio':>7} same"
    )
    print(header)
    for factor in [*args.factors, *args.large]:
        data = generate(factor, workdir)
        commits = sum(1 for _ in data.open("rb")) - 1  # messages here have no newlines
        baseline_s = None
        if factor in args.factors:
            baseline_s, _, out = run(
                [sys.executable, str(SHARED_BENCH / "paper_style_pandas.py"), str(data)], as_is, stdout=None
            )
            (workdir / f"baseline-{factor:g}.csv").write_bytes(out)
        run([str(ENTRY), "--version"], with_pyc)  # warm-up: writes ptlm-tui's own bytecode cache
        ours(data, workdir, with_pyc, "warm-up")
        for mode, env in (("as is", as_is), ("bytecode cache", with_pyc)):
            t_import, t_analyze, peak = median_runs(args.runs, data, workdir, env, f"{factor:g}-{mode[:2]}")
            total = t_import + t_analyze
            base = ratio = same = "-"
            if baseline_s is not None:
                base, ratio = f"{baseline_s:.2f}", f"{baseline_s / total:.1f}x"
                last = workdir / f"ours-{factor:g}-{mode[:2]}-{args.runs - 1}.csv"
                same = str(same_verdicts(last, workdir / f"baseline-{factor:g}.csv"))
            print(
                f"{factor:>6g} {commits:>9,} {mode:>14} {t_import:>9.2f} {t_analyze:>10.2f} {total:>8.2f}"
                f" {peak:>8.0f} {base:>11} {ratio:>7} {same}"
            )
        one = [
            run([str(ENTRY), "analyze", str(data), "--format", "csv", "-o", str(workdir / "direct.csv")], as_is)
            for _ in range(args.runs)
        ]
        t_direct = statistics.median(t for t, _, _ in one)
        ratio = f"{baseline_s / t_direct:.1f}x" if baseline_s is not None else "-"
        print(
            f"{factor:>6g} {commits:>9,} {'analyze FILE':>14} {'':>9} {t_direct:>10.2f} {t_direct:>8.2f}"
            f" {max(m for _, m, _ in one):>8.0f} {baseline_s or 0:>11.2f} {ratio:>7}"
        )


if __name__ == "__main__":
    main()

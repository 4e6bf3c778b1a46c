"""Times `ptlm-tui import` + `ptlm-tui analyze` end to end against the study-style pandas baseline.

Usage: uv run python benchmarks/bench_analysis.py [--factors 4 10] [--baseline-factors 4] [--workdir DIR]

For each factor it generates a study-shaped commits table with ../shared/bench/gen_scale.py,
runs both ptlm-tui commands as separate processes (as a user would), records wall time and
peak memory of each process, runs ../shared/bench/paper_style_pandas.py on the same file in the
same run, checks that both give the same verdict for every family, and prints the ratio.
Targets (issue 3): ≥ 20× the baseline at factor 4; factor 10 imported and analysed in < 5 s
with peak memory < 1.5 GB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_BENCH = ROOT.parent / "shared" / "bench"


def run(cmd: list[str], stdout: int | None = subprocess.DEVNULL) -> tuple[float, float, bytes]:
    """Run ``cmd``; return wall seconds, peak resident memory in MB, and stdout."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if stdout is None else stdout, stderr=subprocess.PIPE)
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    err = proc.stderr.read() if proc.stderr else b""
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factors", type=float, nargs="+", default=[4, 10])
    parser.add_argument("--baseline-factors", type=float, nargs="*", default=[4])
    parser.add_argument("--workdir", type=Path, default=None)
    args = parser.parse_args()
    if not SHARED_BENCH.exists():
        sys.exit(f"{SHARED_BENCH} is absent: it holds the generator and the baseline")
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="ptlm-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    cli = [sys.executable, "-m", "tui"]
    print(
        f"{'factor':>6} {'commits':>9} {'import s':>9} {'analyze s':>10} {'total s':>8} {'peak MB':>8}"
        f" {'baseline s':>11} {'ratio':>6} same"
    )
    for factor in args.factors:
        data = generate(factor, workdir)
        commits = sum(1 for _ in data.open("rb")) - 1  # upper bound: messages here have no newlines
        cache = workdir / f"cache-{factor:g}"
        subprocess.run(["rm", "-rf", str(cache)], check=True)
        t_import, m_import, _ = run([*cli, "--cache-dir", str(cache), "import", str(data)])
        ours = workdir / f"ours-{factor:g}.csv"
        t_analyze, m_analyze, _ = run([*cli, "--cache-dir", str(cache), "analyze", "--format", "csv", "-o", str(ours)])
        total = t_import + t_analyze
        baseline = ratio = same = "-"
        if factor in args.baseline_factors:
            t_base, _, out = run([sys.executable, str(SHARED_BENCH / "paper_style_pandas.py"), str(data)], stdout=None)
            (workdir / f"baseline-{factor:g}.csv").write_bytes(out)
            baseline, ratio = f"{t_base:.2f}", f"{t_base / total:.1f}x"
            same = str(_same_verdicts(ours, workdir / f"baseline-{factor:g}.csv"))
        print(
            f"{factor:>6g} {commits:>9,} {t_import:>9.2f} {t_analyze:>10.2f} {total:>8.2f}"
            f" {max(m_import, m_analyze):>8.0f} {baseline:>11} {ratio:>6} {same}"
        )


def _same_verdicts(ours: Path, baseline: Path) -> bool:
    import polars as pl

    cols = ["family", "lag", "sync", "intensity", "code", "pattern"]
    a = pl.read_csv(ours).select(cols).sort("family")
    b = pl.read_csv(baseline).select(cols).sort("family")
    return a.equals(b)


if __name__ == "__main__":
    main()

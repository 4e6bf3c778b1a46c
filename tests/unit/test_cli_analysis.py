"""The headless verbs import, analyze, transitions and report, through main() and a real process."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from tests.conftest import REPO_ROOT
from tui.cli.main import main

HEADER = "family,platform,repo,sha,authored_at,author,title,message,files\n"
ROWS = (
    "fam,github,o/code,g1,2022-01-01T12:00:00Z,a,Init,Init,A:train.py\n"
    "fam,huggingface,o/model,h1,2022-03-01T08:00:00Z,b,Upload,Upload,A:README.md\n"
    "fam,github,o/code,g2,2022-03-02T12:00:00Z,a,Fix,Fix,M:train.py\n"
    "solo,github,o/solo,s1,2022-01-01T12:00:00Z,a,Init,Init,\n"
)


@pytest.fixture
def commits_csv(tmp_path: Path) -> Path:
    path = tmp_path / "commits.csv"
    path.write_text(HEADER + ROWS)
    return path


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_analyze_csv(tmp_path: Path, commits_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = ["--cache-dir", str(tmp_path / "c")]
    code, _, err = run([*cache, "import", str(commits_csv)], capsys)
    assert code == 0 and "imported 4 of 4 rows" in err
    code, out, _ = run(["analyze", "--format", "csv", *cache], capsys)
    assert code == 0
    frame = pl.read_csv(io.StringIO(out))
    assert frame.columns[:6] == ["family", "lag", "sync", "intensity", "code", "pattern"]
    assert frame.filter(pl.col("family") == "fam").select("lag", "code").row(0) == ("GitHub First", "CSR")
    assert frame.filter(pl.col("family") == "solo")["status"].to_list() == ["no Hugging Face commits"]


def test_analyze_json_and_parquet(tmp_path: Path, commits_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = ["--cache-dir", str(tmp_path / "c")]
    run(["import", str(commits_csv), *cache], capsys)
    code, out, _ = run(["analyze", "--format", "json", "--family", "fam", *cache], capsys)
    assert [r["pattern"] for r in json.loads(out)] == ["Rare"]
    target = tmp_path / "p.parquet"
    assert run(["analyze", "--format", "parquet", "-o", str(target), *cache], capsys)[0] == 0
    assert pl.read_parquet(target).height == 2


def test_transitions_and_report(tmp_path: Path, commits_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = ["--cache-dir", str(tmp_path / "c")]
    run(["import", str(commits_csv), *cache], capsys)
    code, out, _ = run(["transitions", "--format", "csv", *cache], capsys)
    assert out.splitlines() == [
        "family,source,target,prev_commit,next_commit,days",
        "fam,GH,HF,2022-01-01T12:00:00Z,2022-03-01T00:00:00Z,58",
        "fam,HF,GH,2022-03-01T00:00:00Z,2022-03-02T12:00:00Z,1",
    ]
    code, out, _ = run(["report", *cache], capsys)
    assert code == 0 and "## Families and variants per pattern" in out and "| Rare | 1 | 100 |" in out
    code, out, _ = run(["report", "--format", "json", *cache], capsys)
    report = json.loads(out)
    assert report["summary"]["families_skipped"] == {"no Hugging Face commits": 1}
    assert report["tables"]["delays_by_direction"][0] == {
        "direction": "all",
        "n": 2,
        "mean_days": 29.5,
        "median_days": 29.5,
    }


def test_method_options(tmp_path: Path, commits_csv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = ["--cache-dir", str(tmp_path / "c")]
    run(["import", str(commits_csv), *cache], capsys)
    _, out, _ = run(["analyze", "--format", "json", "--family", "fam", "--bin-days", "100", *cache], capsys)
    assert json.loads(out)[0]["lag"] == "Simultaneous"
    _, out, _ = run(["analyze", "--format", "json", "--family", "fam", "--until", "2022-02-01", *cache], capsys)
    assert json.loads(out)[0]["status"] == "no Hugging Face commits"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["analyze"], "The cache holds no commits"),
        (["import", "/nonexistent.csv"], "File not found: /nonexistent.csv"),
        (["analyze", "--format", "parquet"], None),
    ],
)
def test_errors_are_one_line_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str | None
) -> None:
    code, out, err = run([*args, "--cache-dir", str(tmp_path / "c")], capsys)
    assert code == 1 and out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("ptlm-tui: error: ")
    if message:
        assert message in err


def test_unknown_family_suggests_close_names(
    tmp_path: Path, commits_csv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = ["--cache-dir", str(tmp_path / "c")]
    run(["import", str(commits_csv), *cache], capsys)
    code, _, err = run(["analyze", "--family", "FA", *cache], capsys)
    assert code == 1 and "did you mean fam" in err


def test_bad_usage_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["analyze", "--format", "xml"])
    assert info.value.code == 2


def test_debug_shows_the_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["analyze", "--debug", "--cache-dir", str(tmp_path)], capsys)
    assert code == 1 and "Traceback" in err


def test_real_process_and_python_m(tmp_path: Path, commits_csv: Path) -> None:
    env = {"PTLM_CACHE_DIR": str(tmp_path / "c"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    first = subprocess.run(
        [sys.executable, "-m", "tui", "import", str(commits_csv)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )
    assert first.returncode == 0, first.stderr
    second = subprocess.run(
        [sys.executable, "-m", "tui", "analyze"], capture_output=True, text=True, env=env, cwd=REPO_ROOT
    )
    assert second.returncode == 0 and "Rare" in second.stdout
    version = subprocess.run(
        [sys.executable, "-m", "tui", "--version"], capture_output=True, text=True, env=env, cwd=REPO_ROOT
    )
    assert version.stdout.startswith("ptlm-tui ")


def test_table_output_neutralises_terminal_escapes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "evil.csv"
    path.write_text(HEADER + '"ev\x1b]52;c;SGFjaw==\x07il\x1b[31m",github,o/r,1,2022-01-01T00:00:00Z,,t,t,\n')
    cache = ["--cache-dir", str(tmp_path / "c")]
    run(["import", str(path), *cache], capsys)
    _, out, _ = run(["analyze", *cache], capsys)
    assert "\x1b" not in out and "\x07" not in out and "evil" in out

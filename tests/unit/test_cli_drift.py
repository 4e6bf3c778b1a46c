"""`ptlm-tui drift`: formats, --state, --exit-code, --diff (text and JSON), cache mode, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from tests.fakes.git_repos import DriftRepos, drift_repos
from tui.cli.main import main

COLUMNS = [
    "family",
    "gh_repo",
    "hf_repo",
    "gh_path",
    "hf_path",
    "state",
    "gh_head",
    "hf_head",
    "common_blob",
    "common_gh_sha",
    "missing_gh_commits",
    "missing_gh_shas",
    "first_missing_date",
    "hf_extra_commits",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> DriftRepos:
    return drift_repos(tmp_path_factory.mktemp("cli-drift"))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def adhoc(built: DriftRepos, *more: str) -> list[str]:
    return ["drift", "--github", str(built.gh), "--hub", str(built.hf), *more]


def test_table_is_the_default_and_readable(built: DriftRepos, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *adhoc(built))
    assert code == 0
    header = out.splitlines()[0].split()
    assert header == ["hf_repo", "hf_path", "gh_path", "state", "missing", "first_missing", "hf_extra", "common_gh"]
    assert "config.json" in out and "hf_behind" in out and "2023-01-03" in out
    assert err.strip() == (
        "9 linked pairs: 2 in_sync, 1 hf_behind, 1 hf_ahead, 2 diverged, 2 removed_on_gh, 1 removed_on_hf"
    )


def test_csv_json_and_parquet_carry_formats_md_columns(
    built: DriftRepos, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, *adhoc(built, "--format", "csv", "--family", "acme_code"))
    assert code == 0
    frame = pl.read_csv(out.encode(), infer_schema=False)
    assert frame.columns == COLUMNS and frame.height == 9 and set(frame["family"]) == {"acme_code"}
    behind = frame.filter(pl.col("state") == "hf_behind").row(0, named=True)
    assert behind["first_missing_date"] == "2023-01-03T12:00:00Z" and len(behind["missing_gh_shas"].split("|")) == 3
    assert frame.filter(pl.col("state") == "in_sync")["first_missing_date"].fill_null("").eq("").all()
    code, out, _ = run(capsys, *adhoc(built, "--format", "json"))
    rows = json.loads(out)
    assert list(rows[0]) == COLUMNS and rows[0]["family"] == "gh"  # default family: the path's last part
    target = tmp_path / "d.parquet"
    assert run(capsys, *adhoc(built, "--format", "parquet", "-o", str(target)))[0] == 0
    parquet = pl.read_parquet(target)
    assert parquet.columns == COLUMNS and parquet.schema["first_missing_date"] == pl.Datetime("us", "UTC")


def test_state_filter_and_exit_code(built: DriftRepos, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *adhoc(built, "--state", "hf_behind,diverged", "--format", "csv"))
    assert code == 0 and set(pl.read_csv(out.encode())["state"]) == {"hf_behind", "diverged"}
    assert run(capsys, *adhoc(built, "--exit-code"))[0] == 3
    # Only what is listed counts: in-sync pairs alone are no reason to fail.
    assert run(capsys, *adhoc(built, "--exit-code", "--state", "in_sync,hf_ahead"))[0] == 0
    with pytest.raises(SystemExit) as usage:
        main(adhoc(built, "--state", "behind"))
    assert usage.value.code == 2 and "unknown state behind" in capsys.readouterr().err


def test_diff_prints_a_unified_diff_and_json_keys(built: DriftRepos, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *adhoc(built, "--diff", "config.json"))
    assert code == 0
    assert "[hf_behind, 3 GitHub commits missing]" in out
    assert "--- hf/config.json\n+++ gh/config.json\n" in out
    assert '-  "hidden": 512,' in out and '+  "hidden": 768,' in out
    assert "JSON keys: 1 added, 0 removed, 2 changed" in out
    assert "+ dropout: 0.1" in out and "~ hidden: 512 -> 768" in out and "~ layers: 12 -> 24" in out
    code, out, _ = run(capsys, *adhoc(built, "--diff", "model.py"))
    assert code == 0 and "-    return x + 0" in out and "+    return x * 1" in out and "JSON" not in out
    code, out, _ = run(capsys, *adhoc(built, "--diff", "sync.txt"))
    assert code == 0 and "identical" in out


def test_diff_of_a_moved_file_shows_each_pair(built: DriftRepos, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *adhoc(built, "--diff", "conf.yaml"))
    assert code == 0
    assert ":old/conf.yaml  [removed_on_gh" in out and "+++ /dev/null" in out
    assert ":new/conf.yaml  [in_sync" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["drift", "--github", "{tmp}/nowhere", "--hub", "{hf}"], "No such repository: {tmp}/nowhere"),
        (["drift", "--github", "{tmp}", "--hub", "{hf}"], "Not a git repository: {tmp}"),
        (["drift", "--github", "file://{tmp}/nowhere", "--hub", "{hf}"], "Cannot read repository"),
        (["drift", "--github", "{gh}", "--hub", "{hf}", "--diff", "nope.txt"], "Not a linked path: nope.txt"),
        (["drift", "--github", "{gh}"], "--github and --hub go together"),
        (["drift", "--github", "https://example.org/a/b", "--hub", "{hf}", "--offline"], "Offline mode is on"),
    ],
)
def test_bad_input_is_one_line_and_exit_1(
    built: DriftRepos, capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], message: str
) -> None:
    names = {"tmp": str(tmp_path), "gh": str(built.gh), "hf": str(built.hf)}
    code, out, err = run(capsys, *[a.format(**names) for a in argv])
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("ptlm-tui: error: ") and message.format(**names) in err


def test_parquet_to_stdout_is_a_usage_error(built: DriftRepos, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, *adhoc(built, "--format", "parquet"))
    assert code == 2 and out == "" and "Parquet output needs a file" in err


def test_offline_never_fetches_a_missing_version(
    built: DriftRepos, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A blob-less clone lacks file contents: offline, --diff fails in one line instead of fetching."""
    import git

    from core.mining.sync import sync
    from core.paths import git_clone_dir
    from tests.fakes.drift_world import drift_world

    with drift_world(tmp_path, "acme_code", ("acme/code", built.gh), {"acme/model": built.hf}) as world:
        sync(world.store, world.settings)
    store = world.store
    github = git_clone_dir(store.root, "github", "acme/code")
    served = git.Repo(github).git.remote("get-url", "origin")
    git.Repo(github).git.remote("set-url", "origin", "https://127.0.0.1:9/remote")  # as a real clone's
    cache = ["--cache-dir", str(store.root)]
    code, out, _ = run(capsys, *cache, "--offline", "drift", "--format", "csv")
    assert code == 0 and pl.read_csv(out.encode()).height == 9  # the table needs no clone at all
    code, out, err = run(capsys, *cache, "--offline", "drift", "--diff", "acme_code", "acme/model", "model.py")
    assert code == 1 and out == "" and "drop --offline" in err and err.count("\n") == 1
    assert "not allowed" in err  # git refused the transport: no connection was even tried
    git.Repo(github).git.remote("set-url", "origin", served)
    code, out, _ = run(capsys, *cache, "drift", "--diff", "acme_code", "acme/model", "model.py")
    assert code == 0 and "+    return x * 1" in out  # online, the GitHub version is fetched on demand

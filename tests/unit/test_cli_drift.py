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


def test_cache_mode_reads_the_clones_sync_keeps(
    built: DriftRepos, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from cache.store import CacheStore
    from core.mining.git_clones import SMALL_BLOBS, update_clone
    from core.mining.git_run import git_env
    from core.paths import git_clone_dir
    from tests.fakes.mining import seed_family

    store = CacheStore(tmp_path / "cache")
    seed_family(store, "acme_code", "acme/code", ["acme/model", "acme/unsynced"])
    env = git_env("file://", None)
    update_clone(built.gh.as_uri(), git_clone_dir(store.root, "github", "acme/code"), env=env, timeout=60)
    update_clone(
        built.hf.as_uri(),
        git_clone_dir(store.root, "huggingface", "acme/model"),
        env=env,
        timeout=60,
        filter_spec=SMALL_BLOBS,
    )
    code, out, err = run(capsys, "--cache-dir", str(store.root), "--offline", "drift", "--format", "csv")
    assert code == 0
    frame = pl.read_csv(out.encode())
    assert frame.height == 9 and set(frame["hf_repo"]) == {"acme/model"} and set(frame["gh_repo"]) == {"acme/code"}
    assert "no clone of huggingface:acme/unsynced" in err and "ptlm-tui sync acme_code" in err
    code, out, _ = run(capsys, "--cache-dir", str(store.root), "drift", "--diff", "acme_code", "acme/model", "model.py")
    assert code == 0 and "+    return x * 1" in out
    code, _, err = run(capsys, "--cache-dir", str(store.root), "drift", "nope")
    assert code == 1 and "Unknown family" in err


def test_offline_never_fetches_a_missing_version(
    built: DriftRepos, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A blob-less clone lacks file contents: offline, --diff fails in one line instead of fetching."""
    import git

    from cache.store import CacheStore
    from core.mining.git_clones import BLOBLESS, update_clone
    from core.mining.git_run import git_env
    from core.paths import git_clone_dir
    from tests.fakes.mining import seed_family

    store = CacheStore(tmp_path / "cache")
    seed_family(store, "acme_code", "acme/code", ["acme/model"])
    env = git_env("file://", None)
    for platform, repo, source in (("github", "acme/code", built.gh), ("huggingface", "acme/model", built.hf)):
        update_clone(
            source.as_uri(), git_clone_dir(store.root, platform, repo), env=env, timeout=60, filter_spec=BLOBLESS
        )

    def origin(url: str) -> None:
        for platform, repo in (("github", "acme/code"), ("huggingface", "acme/model")):
            git.Repo(git_clone_dir(store.root, platform, repo)).git.remote("set-url", "origin", url)

    origin("https://127.0.0.1:9/remote")  # as a real clone's: a network remote
    cache = ["--cache-dir", str(store.root)]
    code, out, _ = run(capsys, *cache, "--offline", "drift", "--format", "csv")
    # Offline, an old blob-less HF clone cannot tell LFS pointers: nothing is fetched to find out.
    assert code == 0 and pl.read_csv(out.encode()).height == 10
    code, out, err = run(capsys, *cache, "--offline", "drift", "--diff", "acme_code", "acme/model", "model.py")
    assert code == 1 and out == "" and "drop --offline" in err and err.count("\n") == 1
    assert "not allowed" in err  # git refused the transport: no connection was even tried
    for platform, repo, source in (("github", "acme/code", built.gh), ("huggingface", "acme/model", built.hf)):
        git.Repo(git_clone_dir(store.root, platform, repo)).git.remote("set-url", "origin", source.as_uri())
    code, out, _ = run(capsys, *cache, "drift", "--diff", "acme_code", "acme/model", "model.py")
    assert code == 0 and "+    return x * 1" in out  # online, the two versions are fetched on demand
    code, out, _ = run(capsys, *cache, "drift", "--format", "csv")
    assert code == 0 and pl.read_csv(out.encode()).height == 9  # online, the pointer is read and not linked

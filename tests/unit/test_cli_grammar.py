"""One grammar for every command: FAMILY positional (``--family`` too), --format, unknown families, exit statuses.

Exit status: 0 ok, 1 error, 2 bad usage, 3 partly done (some repositories or rows failed), and 1
again when all of them failed.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from tests.app_published import write_published
from tests.fakes.fake_hub import FakeHub, Reply
from tests.fakes.mining import fast_retries, gh_root, hub, make_gh_repo
from tests.helpers import run_cli as run
from tui.cli.main import main

__all__ = ["fast_retries", "gh_root", "hub"]

ROWS = (
    "family,platform,repo,sha,authored_at,author,title,message,files\n"
    "fam,github,o/code,g1,2022-01-01T12:00:00Z,a,Init,Init,A:train.py\n"
    "fam,huggingface,o/model,h1,2022-03-01T08:00:00Z,b,Upload,Upload,A:README.md\n"
    "fam,github,o/code,g2,2022-03-02T12:00:00Z,a,Fix,Fix,M:train.py\n"
    "solo,github,o/solo,s1,2022-01-01T12:00:00Z,a,Init,Init,\n"
    "solo,huggingface,o/solo-model,s2,2022-01-05T12:00:00Z,a,Init,Init,\n"
)
# Commands that take families, with what else they need to run.
FAMILY_VERBS = {
    "analyze": [],
    "transitions": [],
    "report": ["--format", "json"],
    "compare": [],
    "status": [],
    "labels": [],
    "classify": [],
}
TABLE_VERBS = [
    "analyze",
    "transitions",
    "report",
    "compare",
    "status",
    "labels",
    "classify",
    "discover",
    "keys",
    "proposals",
]


@pytest.fixture
def cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    (tmp_path / "commits.csv").write_text(ROWS)
    options = ["--cache-dir", str(tmp_path / "c")]
    assert run([*options, "import", str(tmp_path / "commits.csv")], capsys)[0] == 0
    write_published(CacheStore(tmp_path / "c"))  # for compare
    return options


@pytest.mark.parametrize("verb", list(FAMILY_VERBS))
def test_family_is_positional_and_an_option_alike(
    verb: str, cache: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    extra = FAMILY_VERBS[verb]
    code, positional, err = run([*cache, verb, "fam", *extra], capsys)
    assert code == 0, err
    code, option, err = run([*cache, verb, "--family", "fam", *extra], capsys)
    assert code == 0 and option == positional, err
    if verb not in ("report", "compare"):
        assert "solo" not in positional and ("fam" in positional or verb == "status")


@pytest.mark.parametrize("verb", [*FAMILY_VERBS, "sync", "proposals"])
def test_an_unknown_family_is_an_error_everywhere(
    verb: str, cache: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([*cache, verb, "fam", "nosuch", *FAMILY_VERBS.get(verb, [])], capsys)
    assert code == 1 and "Unknown family" in err and "nosuch" in err and out == "", err
    assert err.count("\n") == 1


@pytest.mark.parametrize("verb", TABLE_VERBS)
@pytest.mark.parametrize("fmt", ["table", "csv", "json", "parquet"])
def test_every_table_command_writes_every_format(
    verb: str, fmt: str, cache: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / f"out.{fmt}"
    args = [*cache, verb, "--format", fmt, "-o", str(target)]
    if verb == "discover":
        args.append("--offline")  # the cache's families, no request
    code, _, err = run(args, capsys)
    assert code == 0, err
    if fmt == "parquet":
        assert pl.read_parquet(target).width > 0
    elif fmt == "csv":
        assert pl.read_csv(target).width > 0
    elif fmt == "json":
        assert isinstance(json.loads(target.read_text()), list | dict)
    else:
        assert target.read_text().strip()


def test_report_adds_markdown_and_picks_one_table(cache: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([*cache, "report", "--format", "markdown"], capsys)
    assert code == 0 and out.startswith("# ptlm-tui synchronization report")
    code, out, _ = run([*cache, "report", "--format", "csv", "--table", "patterns"], capsys)
    assert code == 0 and pl.read_csv(io.StringIO(out))["pattern"].len() == 8
    code, out, _ = run([*cache, "report", "--format", "csv"], capsys)
    assert code == 0 and pl.read_csv(io.StringIO(out)).columns == ["table", "row", "column", "value"]
    code, _, err = run([*cache, "report", "--table", "nosuch"], capsys)
    assert code == 2 and "Unknown report table" in err


@pytest.mark.parametrize(
    "args",
    [
        ["analyze", "--no-such-option"],
        ["no-such-verb"],
        ["keys", "--check"],  # --check needs --readme
        ["analyze", "--format", "parquet"],  # Parquet needs a file
        ["report", "--published", "--bin-days", "7"],
        ["report", "--published", "fam"],
        ["analyze", "--bin-days", "0"],
        ["label", "o/code", "g1"],  # no label and no --clear
        ["locate", "cache", "--write-example"],
    ],
)
def test_bad_usage_is_status_2(args: list[str], cache: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    try:
        code = main([*cache, *args])
    except SystemExit as exit_:  # argparse's own errors
        code = int(exit_.code or 0)
    assert code == 2, capsys.readouterr().err


def test_import_statuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = ["--cache-dir", str(tmp_path / "c")]
    good = tmp_path / "good.csv"
    good.write_text(ROWS)
    partly = tmp_path / "partly.csv"
    partly.write_text(ROWS + "fam,gitlab,o/code,x1,2022-01-01T00:00:00Z,,,,\n")
    bad = tmp_path / "bad.csv"
    bad.write_text("family,platform,repo,authored_at\nfam,github,o/code,yesterday\n,github,o/code,2022-01-01\n")
    assert run([*cache, "import", str(good)], capsys)[0] == 0
    code, _, err = run([*cache, "import", str(partly)], capsys)
    assert code == 3 and "unknown platform 'gitlab'" in err
    code, _, err = run([*cache, "import", str(bad)], capsys)
    assert code == 1 and "imported 0 of 2 rows" in err
    code, _, err = run([*cache, "import", "--strict", str(partly)], capsys)
    assert code == 1 and "imported nothing" in err
    code, _, err = run([*cache, "import", str(tmp_path / "missing.csv")], capsys)
    assert code == 1 and "File not found" in err
    code, out, err = run(["analyze", str(partly), "--format", "csv"], capsys)  # files, no cache: same statuses
    assert code == 3 and "rejected" in err and "fam" in out


def test_sync_and_discover_statuses(
    hub: FakeHub, gh_root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hub.add_model("acme/bert-small", downloads=90_000, card="Code: https://github.com/acme/bert\n", commits=2)
    hub.add_model("acme/bert-large", downloads=80_000, card="Code: https://github.com/acme/bert\n", commits=2)
    make_gh_repo(gh_root, "acme/bert", commits=3)
    config = tmp_path / "config.toml"
    config.write_text(
        f'[cache]\ndir = "{tmp_path / "cache"}"\n[hub]\nendpoint = "{hub.url}"\nmax_retries = 0\n'
        f'[github]\nbase_url = "{gh_root.as_uri()}"\n'
    )
    monkeypatch.setenv("PTLM_CONFIG_FILE", str(config))
    assert run(["discover"], capsys)[0] == 0
    assert run(["sync"], capsys)[0] == 0
    hub.script(r"^/api/models/acme/bert-large$", Reply(500), times=5)
    code, _, err = run(["sync"], capsys)
    assert code == 3 and "server_error" in err  # one of three repositories failed
    hub.script(r"^/api/models/acme/bert-(small|large)$", Reply(500), times=10)
    (gh_root / "acme" / "bert").rename(gh_root / "acme" / "gone")
    code, _, err = run(["sync"], capsys)
    assert code == 1 and "0 ok" in err  # all three failed
    code, _, _ = run(["--offline", "sync"], capsys)
    assert code == 0  # offline asks nothing: reporting the cache is all it does
    # discover: one watchlist model missing, one fine -> partly; only the missing one -> error
    config.write_text(config.read_text() + '[[watchlist]]\nmodel = "ghost/model"\n')
    code, _, err = run(["discover", "--author", "acme"], capsys)
    assert code == 3 and "failed ghost/model" in err
    code, _, err = run(["discover", "--watchlist"], capsys)
    assert code == 1 and "1 failed" in err


def test_classify_ollama_with_nothing_unsure_says_so(cache: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run([*cache, "classify", "fam", "--backend", "ollama", "--threshold", "0"], capsys)
    assert code == 0 and "None" not in err and "nothing for the model to label" in err


def test_discover_offline_keeps_the_cached_spelling_of_a_repository(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.fakes.mining import seed_family

    store = CacheStore(tmp_path / "cache")
    seed_family(store, "01-ai_Yi", "01-ai/Yi", ["01-ai/Yi-6B"])
    cards = pl.DataFrame(
        {
            "model": ["01-ai/Yi-6B"],
            "sha": ["a" * 40],
            "card": ["Code and weights: https://github.com/01-ai/yi\n"],
            "card_data": [None],
        },
        schema_overrides={"card_data": pl.String},
    ).with_columns(pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("fetched_at"))
    store.upsert_model_cards(cards)
    code, out, err = run(["--cache-dir", str(store.root), "discover", "--offline", "--format", "csv"], capsys)
    assert code == 0, err
    assert pl.read_csv(io.StringIO(out))["gh_repo"].to_list() == ["01-ai/Yi"]
    assert store.families()["gh_repo"].to_list() == ["01-ai/Yi"]

"""Drift on real repositories (../shared/data/repos bundles), checked against plain git, computed here independently.

The expectation is built from ``git rev-list --first-parent`` and one ``git ls-tree -r`` per
first-parent commit (trees, not the ``--raw`` diffs ptlm-tui reads), then METHOD.md §8.2 applied
in plain Python. The README's caveats are checked by name: the licence that moved, one blob at
two paths, LFS pointers, and a standard licence text that links.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from core.drift.compare import adhoc_drift
from core.drift.summary import hf_file_states
from tests.conftest import shared_path

EMPTY = "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"
PAIRS = {
    "Qwen_Qwen": ("gh_QwenLM__Qwen", "hf_Qwen__Qwen-7B"),
    "THUDM_codegeex2": ("gh_THUDM__CodeGeeX2", "hf_THUDM__codegeex2-6b"),
}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@dataclass
class Side:
    """One repository as plain git shows it: first-parent chain, per-path events, HEAD tree."""

    chain: list[str]
    events: dict[str, list[tuple[int, str | None]]]  # path -> [(chain index, blob or None)]
    head: dict[str, str]


def read_side(repo: Path) -> Side:
    chain = git(repo, "rev-list", "--first-parent", "--reverse", "HEAD").split()
    events: dict[str, list[tuple[int, str | None]]] = {}
    previous: dict[str, str] = {}
    for index, commit in enumerate(chain):
        tree = {}
        for entry in git(repo, "ls-tree", "-r", "-z", commit).split("\0"):
            if entry:
                meta, path = entry.split("\t", 1)
                _mode, kind, blob = meta.split()
                if kind == "blob":  # submodules are "commit" entries: not files
                    tree[path] = blob
        for path in previous.keys() | tree.keys():
            if previous.get(path) != tree.get(path):
                events.setdefault(path, []).append((index, tree.get(path)))
        previous = tree
    return Side(chain, events, previous)


def expected_pairs(gh: Side, hf: Side, pointers: set[str]) -> dict[tuple[str, str], dict[str, Any]]:
    """METHOD.md §8.2, written out directly."""

    def versions(side: Side, path: str) -> set[str]:
        return {b for _, b in side.events[path] if b is not None}

    def last_index(side: Side, path: str, blob: str) -> int:
        return max(i for i, b in side.events[path] if b == blob)

    never = pointers | {EMPTY}
    out = {}
    for gh_path in gh.events:
        for hf_path in hf.events:
            shared = (versions(gh, gh_path) & versions(hf, hf_path)) - never
            if not shared:
                continue
            gh_head, hf_head = gh.head.get(gh_path), hf.head.get(hf_path)
            if gh_head is None:
                state = "removed_on_gh"
            elif hf_head is None:
                state = "removed_on_hf"
            elif gh_head == hf_head:
                state = "in_sync"
            elif hf_head in versions(gh, gh_path) - never:
                state = "hf_behind"
            elif gh_head in versions(hf, hf_path) - never:
                state = "hf_ahead"
            else:
                state = "diverged"
            if state in ("in_sync", "hf_behind"):
                common = hf_head
            elif state == "hf_ahead":
                common = gh_head
            else:
                common = max(shared, key=lambda b: last_index(gh, gh_path, b))
            assert common is not None
            gh_at, hf_at = last_index(gh, gh_path, common), last_index(hf, hf_path, common)
            missing = [gh.chain[i] for i, _ in gh.events[gh_path] if i > gh_at]
            out[(hf_path, gh_path)] = {
                "state": state,
                "gh_head": gh_head,
                "hf_head": hf_head,
                "common_blob": common,
                "common_gh_sha": gh.chain[gh_at],
                "missing_gh_shas": "|".join(missing),
                "hf_extra_commits": sum(1 for i, _ in hf.events[hf_path] if i > hf_at),
            }
    return out


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    bundles = shared_path("data", "repos")
    root = tmp_path_factory.mktemp("real-repos")
    out = {}
    for family, names in PAIRS.items():
        paths = []
        for name in names:
            target = root / f"{name}.git"
            subprocess.run(
                ["git", "clone", "--quiet", "--bare", str(bundles / f"{name}.bundle"), str(target)], check=True
            )
            paths.append(target)
        out[family] = (paths[0], paths[1])
    return out


def lfs_pointers(repo: Path) -> set[str]:
    """Every blob of the repository's history whose content is an LFS pointer (read with git cat-file)."""
    listing = git(repo, "cat-file", "--batch-all-objects", "--batch-check=%(objecttype) %(objectname) %(objectsize)")
    small = [
        line.split()[1] for line in listing.splitlines() if line.startswith("blob ") and int(line.split()[2]) < 1024
    ]
    return {b for b in small if git(repo, "cat-file", "blob", b).startswith("version https://git-lfs")}


@pytest.mark.parametrize("family", sorted(PAIRS))
def test_drift_equals_what_plain_git_says(real: dict[str, tuple[Path, Path]], family: str) -> None:
    gh_repo, hf_repo = real[family]
    gh, hf = read_side(gh_repo), read_side(hf_repo)
    expected = expected_pairs(gh, hf, lfs_pointers(hf_repo))
    with adhoc_drift(str(gh_repo), [str(hf_repo)], family=family) as run:
        table = run.table
    got = {
        (r["hf_path"], r["gh_path"]): {k: r[k] for k in next(iter(expected.values()))}
        for r in table.iter_rows(named=True)
    }
    assert got == expected
    for row in table.iter_rows(named=True):
        assert row["missing_gh_commits"] == len(row["missing_gh_shas"].split("|")) * bool(row["missing_gh_shas"])
        if row["missing_gh_shas"]:
            first = row["missing_gh_shas"].split("|")[0]
            when = dt.datetime.fromisoformat(git(gh_repo, "log", "-1", "--format=%aI", first).strip())
            assert row["first_missing_date"] == when.astimezone(dt.UTC)


def test_qwen_caveats(real: dict[str, tuple[Path, Path]]) -> None:
    gh_repo, hf_repo = real["Qwen_Qwen"]
    with adhoc_drift(str(gh_repo), [str(hf_repo)], family="Qwen_Qwen") as run:
        table = run.table
    state = {(r["hf_path"], r["gh_path"]): r for r in table.iter_rows(named=True)}
    # The licence moved: HF's LICENSE is GitHub's old LICENSE, now under a new name.
    moved = state[("LICENSE", "LICENSE")]
    assert moved["state"] == "hf_behind" and moved["missing_gh_commits"] == 1
    subject = git(gh_repo, "log", "-1", "--format=%s", moved["missing_gh_shas"]).strip()
    assert subject.startswith("add 72B and 1.8B Qwen models")
    assert state[("LICENSE", "Tongyi Qianwen LICENSE AGREEMENT")]["state"] == "in_sync"
    files = dict(hf_file_states(table).select("hf_path", "state").iter_rows())
    assert files["LICENSE"] == "in_sync"  # up to date under GitHub's new name
    # One blob at two paths on both sides: every combination is a pair.
    pngs = {"assets/tokenizer.png", "assets/qwen_tokenizer.png"}
    assert {k for k in state if k[0] in pngs} == {(a, b) for a in pngs for b in pngs}
    # Weights are LFS pointers on HF: never linked, whatever GitHub holds.
    assert not table["hf_path"].str.ends_with(".safetensors").any()


def test_codegeex2_links_its_licence_and_logo(real: dict[str, tuple[Path, Path]]) -> None:
    gh_repo, hf_repo = real["THUDM_codegeex2"]
    with adhoc_drift(str(gh_repo), [str(hf_repo)]) as run:
        table = run.table
    assert table.select("hf_path", "gh_path", "state").rows() == [
        ("LICENSE", "LICENSE", "in_sync"),  # a standard licence text links too (README caveat 5)
        ("resources/codegeex_logo.png", "resources/codegeex_logo.png", "in_sync"),
    ]
    assert table["family"].to_list() == ["gh_THUDM__CodeGeeX2"] * 2
    assert lfs_pointers(hf_repo)  # the variant has pointers; none of them linked
    assert not table["common_blob"].is_in(list(lfs_pointers(hf_repo))).any()


def test_the_cli_reads_the_bundles_themselves(capsys: pytest.CaptureFixture[str]) -> None:
    from tui.cli.main import main

    bundles = shared_path("data", "repos")
    code = main(
        [
            "drift",
            "--github",
            str(bundles / "gh_THUDM__CodeGeeX2.bundle"),
            "--hub",
            str(bundles / "hf_THUDM__codegeex2-6b.bundle"),
            "--format",
            "csv",
            "--exit-code",
        ]
    )
    frame = pl.read_csv(capsys.readouterr().out.encode())
    assert code == 0 and frame.height == 2 and set(frame["state"]) == {"in_sync"}


GH_IDS = {"Qwen_Qwen": ("QwenLM/Qwen", "Qwen/Qwen-7B"), "THUDM_codegeex2": ("THUDM/CodeGeeX2", "THUDM/codegeex2-6b")}


@pytest.fixture(scope="module")
def synced_real(
    real: dict[str, tuple[Path, Path]], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, tuple[Path, pl.DataFrame]]:
    """Each pair synced for real (fake Hub serving the HF bundle, file:// GitHub), then drift read from the cache."""
    from core.drift.stored import cached_drift
    from core.mining.sync import sync
    from tests.fakes.drift_world import drift_world

    out = {}
    for family, (gh_repo, hf_repo) in real.items():
        gh_id, model = GH_IDS[family]
        root = tmp_path_factory.mktemp(f"cache-{family}")
        with drift_world(root, family, (gh_id, gh_repo), {model: hf_repo}) as world:
            report = sync(world.store, world.settings)
            assert [o.status for o in report.outcomes] == ["ok", "ok"], report.summary()
        table, _ = cached_drift(world.store)
        out[family] = (world.store.root, table)
    return out


@pytest.mark.parametrize("family", sorted(PAIRS))
def test_drift_from_the_cache_equals_the_ad_hoc_run_and_plain_git(
    real: dict[str, tuple[Path, Path]],
    synced_real: dict[str, tuple[Path, pl.DataFrame]],
    family: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from tui.cli.main import main

    gh_repo, hf_repo = real[family]
    gh_id, model = GH_IDS[family]
    with adhoc_drift(str(gh_repo), [str(hf_repo)], family=family) as run:
        adhoc = run.table.with_columns(pl.lit(gh_id).alias("gh_repo"), pl.lit(model).alias("hf_repo"))
    cache, table = synced_real[family]
    assert table.equals(adhoc)
    expected = expected_pairs(read_side(gh_repo), read_side(hf_repo), lfs_pointers(hf_repo))
    assert {(r["hf_path"], r["gh_path"]): r["state"] for r in table.iter_rows(named=True)} == {
        k: v["state"] for k, v in expected.items()
    }
    # The command reads the same table from the cache, offline.
    code = main(["--cache-dir", str(cache), "--offline", "drift", family, "--format", "csv"])
    frame = pl.read_csv(capsys.readouterr().out.encode())
    assert (
        code == 0
        and frame.select("hf_path", "gh_path", "state").rows() == table.select("hf_path", "gh_path", "state").rows()
    )

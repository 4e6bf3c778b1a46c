"""kill -9 at random moments of import, sync, classify and label: every table keeps its old or its new data.

Each run copies a prepared cache, starts the real CLI in a process, kills it with SIGKILL after
a random (seeded) delay within the command's run time, checks that every table reads whole and
holds either what it held before or what the command writes, then runs the command again (in
this process, the CLI's own code) and compares the cache with the reference run that was never
interrupted.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from core.commits import store_commits
from tests.conftest import REPO_ROOT
from tests.fakes.fake_hub import FakeHub, Reply
from tests.fakes.mining import gh_root, hub, make_gh_repo, seed_family
from tests.helpers import T0, commits_frame, days, gh, hf
from tui.cli.main import main

__all__ = ["gh_root", "hub"]  # fixtures used by name

RUNS = 5  # per command: 20 kills in all
VOLATILE = {"labelled_at", "last_attempt", "last_success", "added_at", "fetched_at", "retry_after", "detail"}


def state(root: Path) -> dict[str, pl.DataFrame]:
    """Every table's live rows, sorted, without the columns that record when something ran."""
    store = CacheStore(root)
    frames = {
        "commits": store.collect(store.commits()),
        "labels": store.collect(store.labels()),
        "families": store.families(),
        "variants": store.variants(),
        "sync_state": store.sync_states(),
    }
    out = {}
    for name, frame in frames.items():
        frame = frame.drop([c for c in frame.columns if c in VOLATILE])
        out[name] = frame.sort(frame.columns, nulls_last=True)
    return out


def cli(*args: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tui", *args], cwd=REPO_ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def run_to_end(args: tuple[str, ...], env: dict[str, str]) -> None:
    """Run the command to its end in this process (the same code as the CLI; no start-up to pay)."""
    flags = ["--cache-dir", env["PTLM_CACHE_DIR"]]
    if Path(env.get("PTLM_CONFIG_FILE", "")).is_file():
        flags += ["--config", env["PTLM_CONFIG_FILE"]]
    assert main([*flags, *args]) == 0, args


def same(a: pl.DataFrame, b: pl.DataFrame) -> bool:
    return a.shape == b.shape and a.equals(b)


def kill_runs(
    base: Path,
    work: Path,
    args: tuple[str, ...],
    env_for: Callable[[Path], dict[str, str]],
    seed: int,
    *,
    intermediate_ok: tuple[str, ...] = (),
) -> None:
    """Kill ``args`` RUNS times at random moments; check old-or-new, then that a re-run reaches the reference."""
    reference = work / "reference"
    shutil.copytree(base, reference)
    started = time.monotonic()
    proc = cli(*args, env=env_for(reference))  # as a process, to learn how long the killed runs take
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err.decode()
    duration = time.monotonic() - started
    old, new = state(base), state(reference)
    rng = random.Random(seed)
    for run in range(RUNS):
        root = work / f"run{run}"
        shutil.copytree(base, root)
        proc = cli(*args, env=env_for(root))
        time.sleep(rng.uniform(0.3 * duration, duration))  # the first third is mostly start-up
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        now = state(root)  # reads whole: a killed write never leaves a table unreadable
        for name, frame in now.items():
            if name in intermediate_ok:  # written in batches: between the old and the new rows
                # (sync records each repository's commit count once, at the end)
                on = [c for c in frame.columns if c != "commits"]
                assert (
                    frame.join(old[name], on=on, how="anti", nulls_equal=True)
                    .join(new[name], on=on, how="anti", nulls_equal=True)
                    .is_empty()
                ), (args, run, name)
                continue
            assert same(frame, old[name]) or same(frame, new[name]), (args, run, name)
        assert all(c.ok for c in CacheStore(root).check())
        run_to_end(args, env_for(root))
        again = state(root)
        for name in again:
            assert same(again[name], new[name]), (args, run, name, "re-run")


def base_cache(root: Path) -> CacheStore:
    store = CacheStore(root)
    rows = [gh(f"fam{i % 5}", T0 + days(i), repo=f"org{i % 5}/code") for i in range(400)]
    rows += [hf(f"fam{i % 5}", T0 + days(i + 0.5), repo=f"org{i % 5}/model") for i in range(400)]
    store_commits(store, commits_frame(rows), source="test")
    return store


def plain_env(root: Path) -> dict[str, str]:
    return {**os.environ, "PTLM_CACHE_DIR": str(root)}


pytestmark = pytest.mark.slow


def test_kill_during_import(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base_cache(base)
    csv = tmp_path / "more.csv"
    frame = commits_frame([gh(f"new{i % 40}", T0 + days(i), repo=f"new{i % 40}/code") for i in range(8_000)])
    frame = frame.with_columns(pl.format("{}{}", pl.lit("9"), pl.col("sha").str.slice(1)).alias("sha"))
    frame.drop("parents", "source").with_columns(pl.col("authored_at").dt.strftime("%Y-%m-%dT%H:%M:%SZ")).write_csv(csv)
    kill_runs(base, tmp_path, ("import", str(csv)), plain_env, seed=1)


def test_kill_during_classify(tmp_path: Path) -> None:
    base = tmp_path / "base"
    base_cache(base)
    kill_runs(base, tmp_path, ("classify",), plain_env, seed=2)


def test_kill_during_label(tmp_path: Path) -> None:
    base = tmp_path / "base"
    store = base_cache(base)
    sha = store.collect(store.commits(["sha"], repos=["org1/code"]))["sha"][0]
    kill_runs(base, tmp_path, ("label", "org1/code", sha, "bug fix"), plain_env, seed=3)


def test_kill_during_sync(tmp_path: Path, hub: FakeHub, gh_root: Path) -> None:
    base = tmp_path / "base"
    store = CacheStore(base)
    for i in range(6):
        make_gh_repo(gh_root, f"org{i}/code", commits=20)
        hub.add_model(f"org{i}/model", commits=8)
        seed_family(store, f"fam{i}", f"org{i}/code", [f"org{i}/model"])
    config = tmp_path / "config.toml"
    config.write_text(
        f'[hub]\nendpoint = "{hub.url}"\nmax_retries = 1\ntimeout = 5\n\n[github]\nbase_url = "{gh_root.as_uri()}"\n'
        "\n[sync]\nworkers = 2\n"
    )

    def env(root: Path) -> dict[str, str]:
        return {**plain_env(root), "PTLM_CONFIG_FILE": str(config)}

    # Slow model answers spread the repositories over several batches, so kills land between them.
    hub.script(r"^/api/models/[^/]+/[^/]+$", Reply(delay=0.4), times=10_000)
    kill_runs(base, tmp_path, ("sync",), env, seed=4, intermediate_ok=("commits", "sync_state", "variants"))

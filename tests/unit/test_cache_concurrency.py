"""Several processes write one cache at once: nothing is lost, and sync shards split the work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from core.errors import InputError
from core.mining.sync import in_shard, parse_shard, sync
from tests.conftest import REPO_ROOT
from tests.fakes.fake_hub import FakeHub
from tests.fakes.mining import fast_retries, gh_root, hub, make_gh_repo, make_settings, seed_family

__all__ = ["fast_retries", "gh_root", "hub"]  # fixtures used by name

WRITER = """
import sys, datetime as dt, polars as pl
from cache.schema import TABLES
from cache.store import CacheStore
root, name, batches = sys.argv[1], sys.argv[2], int(sys.argv[3])
store = CacheStore(root)
t0 = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
for i in range(batches):
    rows = [{"family": name, "platform": "github", "repo": f"{name}/code", "sha": f"{name}{i:03d}{k}",
             "authored_at": t0 + dt.timedelta(hours=i), "title": f"{name} {i}"} for k in range(2)]
    store.append_commits(pl.DataFrame(rows).with_columns(pl.col("authored_at").cast(TABLES["commits"]["authored_at"])))
    store.set_manual_label(platform="github", repo=f"{name}/code", sha=f"{name}{i:03d}0", label="bug fix")
    if i % 10 == 9:
        store.compact(["commits"])
"""


def test_two_writers_at_once_lose_nothing(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(root), name, "25"], cwd=REPO_ROOT, stderr=subprocess.PIPE)
        for name in ("alpha", "beta")
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()
    store = CacheStore(root)
    commits = store.collect(store.commits(["repo", "sha"]))
    assert commits.group_by("repo").len().sort("repo").rows() == [("alpha/code", 50), ("beta/code", 50)]
    assert store.manual_labels().height == 50
    assert all(check.ok for check in store.check())


def test_shards_are_stable_disjoint_and_cover_every_repository() -> None:
    repos = [("github", f"org{i}/repo{i}") for i in range(300)] + [("huggingface", f"org/m{i}") for i in range(300)]
    owners = [[r for r in repos if in_shard(*r, (i, 4))] for i in range(1, 5)]
    assert sorted(r for part in owners for r in part) == sorted(repos)
    assert all(110 < len(part) < 190 for part in owners)  # about a quarter each
    assert in_shard("github", "Org1/Repo1", (1, 4)) == in_shard("github", "org1/repo1", (1, 4))
    assert [in_shard("github", "google-bert/bert", (i, 3)) for i in (1, 2, 3)].count(True) == 1
    assert parse_shard("2/4") == (2, 4)
    for bad in ("0/4", "5/4", "x", "1/", "-1/2"):
        with pytest.raises(InputError):
            parse_shard(bad)


@pytest.mark.slow
def test_shard_processes_sync_one_cache_like_one_process(hub: FakeHub, gh_root: Path, tmp_path: Path) -> None:
    families = {f"fam{i}": (f"org{i}/code", [f"org{i}/model-a", f"org{i}/model-b"]) for i in range(4)}
    for gh, models in families.values():
        make_gh_repo(gh_root, gh, commits=5)
        for model in models:
            hub.add_model(model, commits=3)
    reference, shared = CacheStore(tmp_path / "one"), CacheStore(tmp_path / "shared")
    for store in (reference, shared):
        for family, (gh, models) in families.items():
            seed_family(store, family, gh, models)
    sync(reference, make_settings(hub, gh_root, reference.root))
    config = tmp_path / "config.toml"
    config.write_text(
        f'[hub]\nendpoint = "{hub.url}"\nmax_retries = 1\ntimeout = 5\n\n[github]\nbase_url = "{gh_root.as_uri()}"\n'
    )
    env = {**os.environ, "PTLM_CONFIG_FILE": str(config), "PTLM_CACHE_DIR": str(shared.root)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tui", "sync", "--shard", f"{i}/3"], cwd=REPO_ROOT, env=env, stderr=subprocess.PIPE
        )
        for i in (1, 2, 3)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err.decode()

    def keys(store: CacheStore) -> pl.DataFrame:
        return store.collect(store.commits(["family", "platform", "repo", "sha"])).sort(["platform", "repo", "sha"])

    assert keys(shared).height == 4 * 5 + 8 * 3
    assert keys(shared).equals(keys(reference))
    states = shared.sync_states().sort("platform", "repo")
    assert states.select("platform", "repo", "status").equals(
        reference.sync_states().sort("platform", "repo").select("platform", "repo", "status")
    )
    assert all(check.ok for check in shared.check())

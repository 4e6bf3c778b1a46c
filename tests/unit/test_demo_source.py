"""The demo source: real git repositories and a loopback Hub that the real sync and discover run against."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import polars as pl
import pytest

from cache.store import CacheStore
from core.config import Settings
from core.demo import FAMILIES
from core.demo.generate import generate_family
from core.demo.news import NEW_FAMILIES, family_news
from core.demo.repos import build_repository
from core.demo.source import DemoSource, source_dir
from core.mining.discover import discover
from core.mining.sync import sync
from core.progress import Progress
from tests.app_data import demo_cache


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CacheStore, DemoSource, Settings]]:
    root = tmp_path_factory.mktemp("demo") / "cache"
    demo_cache(root)
    source = DemoSource(source_dir(root))
    source.start()
    yield CacheStore(root), source, source.settings(Settings())
    source.stop()


@pytest.mark.parametrize("repo", ["aurora-nlp/aurora-bert", "aurora-nlp/aurora-bert-base-uncased"])
def test_the_repositories_git_writes_hold_the_cache_s_ids_and_file_changes(tmp_path: Path, repo: str) -> None:
    """The demo cache's commits and file_changes are what git log --raw reads from the demo source's repository."""
    from cache.schema import TABLES
    from core.demo.generate import change_rows
    from core.mining.git_log import parse_history, read_log

    data = generate_family(FAMILIES[0], 0)
    history = sorted((c for c in data.commits if c.repo == repo), key=lambda c: c.authored_at)
    head = build_repository(tmp_path / "repo", history, blobs=data.blobs)  # raises if git disagrees on any id
    assert head == history[-1].sha
    count = subprocess.run(
        ["git", "rev-list", "--count", "HEAD"], cwd=tmp_path / "repo", capture_output=True, text=True
    )
    assert int(count.stdout) == len(history)
    platform = "github" if repo == data.spec.gh_repo else "huggingface"
    read = parse_history(read_log(tmp_path / "repo"), family=data.spec.family, repo=repo, platform=platform)
    key = ["sha", "path"]
    cached = pl.DataFrame(change_rows(data), schema=TABLES["file_changes"]).filter(pl.col("repo") == repo)
    assert read.changes.sort(key).equals(cached.sort(key))
    files = {c.sha: c.files for c in history}
    assert dict(read.commits.select("sha", "files").iter_rows()) == files
    if platform == "github":
        merges = {c.sha for c in history if len(c.parents.split()) == 2}
        assert merges and merges <= set(read.changes["sha"])  # a merge's first-parent diff is read


def test_settings_point_only_at_the_demo_source(demo: tuple[CacheStore, DemoSource, Settings]) -> None:
    _, source, settings = demo
    assert settings.hf_endpoint().startswith("http://127.0.0.1:")
    assert settings.github.base_url.startswith("file://") and settings.github.base_url.endswith("/github")
    assert settings.hub.token is None and not settings.watchlist and not settings.links
    answer = httpx.get(f"{settings.hf_endpoint()}/api/models/aurora-nlp/aurora-bert-base-uncased")
    assert answer.status_code == 200 and "demo" in answer.headers["X-Ptlm-Demo"]
    assert answer.json()["id"] == "aurora-nlp/aurora-bert-base-uncased"


def test_sync_reads_only_what_is_new_since_the_demo_cache(demo: tuple[CacheStore, DemoSource, Settings]) -> None:
    store, source, settings = demo
    from core.demo.cast import NOT_FOUND

    news = sum(
        1
        for i, spec in enumerate(FAMILIES)
        for c in family_news(generate_family(spec, i), i)
        if (c.platform, c.repo) != NOT_FOUND  # that repository "was deleted": its news cannot arrive
    )
    before = store.collect(store.commits()).height
    waits: list[Progress] = []
    report = sync(store, settings, on_progress=lambda p: waits.append(p) if p.waiting_seconds else None)
    statuses = {o.status for o in report.outcomes}
    assert statuses == {"ok", "not_found"}  # the demo's GitHub repository that "was deleted"
    assert sum(o.new_commits for o in report.outcomes) == news
    assert store.collect(store.commits()).height == before + news  # nothing re-read, nothing duplicated
    assert not any("rewritten" in o.detail for o in report.outcomes)
    assert waits and "rate limited" in waits[0].detail  # the demo's rate-limited variant counts down
    again = sync(store, settings)
    assert sum(o.new_commits for o in again.outcomes) == 0


def test_new_files_of_news_commits_come_from_git_and_the_compare_endpoint(
    demo: tuple[CacheStore, DemoSource, Settings],
) -> None:
    store, _, _ = demo
    commits = store.collect(store.commits())
    gh = commits.filter((pl.col("repo") == "aurora-nlp/aurora-bert") & (pl.col("title").str.starts_with("Fix tok")))
    assert gh.height == 1 and "src/tokenization.py" in gh["files"][0]
    hf = commits.filter((pl.col("repo") == "lumen-lab/lumen-7b-instruct") & (pl.col("title") == "Update README.md"))
    assert hf.height >= 1 and "README.md" in hf.sort("authored_at")["files"][-1]


def test_discover_finds_the_families_only_the_source_has(demo: tuple[CacheStore, DemoSource, Settings]) -> None:
    store, _, settings = demo
    report = discover(store, settings)
    new = {f.family for f in report.families if f.new}
    assert new == {spec.family for spec in NEW_FAMILIES}
    synced = sync(store, settings, ["sable-ai_sable-lm"])
    assert {o.status for o in synced.outcomes} == {"ok"} and sum(o.new_commits for o in synced.outcomes) > 50


def test_hf_repositories_are_served_over_git_for_clones(demo: tuple[CacheStore, DemoSource, Settings]) -> None:
    _, _, settings = demo
    url = f"{settings.hf_endpoint()}/quillon-ai/quill-t5-base"
    run = subprocess.run(["git", "ls-remote", url, "HEAD"], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    data = generate_family(FAMILIES[2], 2)
    head = sorted((c for c in data.commits if c.repo == "quillon-ai/quill-t5-base"), key=lambda c: c.authored_at)
    assert run.stdout.split()[0] == head[-1].sha

"""Drift from the cache: synced for real (fake Hub, file:// GitHub), read from the tables, equal to an ad hoc run."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path

import git
import polars as pl
import pytest

from cache.store import CacheStore
from core.drift.compare import adhoc_drift
from core.drift.stored import cached_drift
from core.mining.sync import sync
from tests.fakes.drift_world import DriftWorld, drift_world
from tests.fakes.git_repos import LFS_POINTER, Builder, DriftRepos, drift_repos
from tests.helpers import run_cli

GH, MODEL, LONE = "acme/code", "acme/model", "acme/lone"


def _adhoc(built: DriftRepos) -> pl.DataFrame:
    """The same family read straight from the repositories, named as the cache names them."""
    with adhoc_drift(str(built.gh), [str(built.hf), str(built.hf_lone)], family="acme_code") as run:
        table = run.table
    names = {str(built.hf): MODEL, str(built.hf_lone): LONE}
    return table.with_columns(pl.col("hf_repo").replace(names), pl.lit(GH).alias("gh_repo")).sort(
        "hf_repo", "hf_path", "gh_path"
    )


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[DriftWorld, DriftRepos]]:
    root = tmp_path_factory.mktemp("drift-cache")
    built = drift_repos(root / "src")
    with drift_world(root, "acme_code", (GH, built.gh), {MODEL: built.hf, LONE: built.hf_lone}) as world:
        report = sync(world.store, world.settings)
        assert [o.status for o in report.outcomes] == ["ok"] * 3, report.summary()
        yield world, built


def test_sync_stores_every_file_change_and_each_repository_s_whole_history(
    synced: tuple[DriftWorld, DriftRepos],
) -> None:
    world, built = synced
    store = world.store
    changes = store.collect(store.file_changes())
    plain = git.Repo(built.gh).git
    merge = built.gh_shas["merge"]
    assert set(changes.filter(pl.col("sha") == merge)["path"]) == {"merged.json"}  # first-parent diff
    for sha in plain.rev_list("--all").split():
        listed = plain.show("--no-renames", "--name-only", "--format=", "--diff-merges=first-parent", sha).split()
        assert sorted(changes.filter((pl.col("repo") == GH) & (pl.col("sha") == sha))["path"]) == sorted(listed)
    histories = {
        (p, r): (h, ptr)
        for p, r, h, ptr in store.file_histories(["platform", "repo", "head", "lfs_pointers"]).iter_rows()
    }
    assert histories[("github", GH)] == (plain.rev_parse("HEAD"), None)
    assert histories[("huggingface", MODEL)][0] == git.Repo(built.hf).head.commit.hexsha
    lfs = hashlib.sha1(b"blob %d\x00" % len(LFS_POINTER) + LFS_POINTER.encode()).hexdigest()
    assert histories[("huggingface", MODEL)][1] == lfs and histories[("huggingface", LONE)][1] == lfs


def test_drift_from_the_cache_equals_an_ad_hoc_run(synced: tuple[DriftWorld, DriftRepos]) -> None:
    world, built = synced
    table, families = cached_drift(world.store)
    assert [f.family for f in families] == ["acme_code"] and families[0].computable and not families[0].missing
    expected = _adhoc(built)
    assert table.equals(expected)
    got = {
        (r["hf_path"], r["gh_path"]): (r["state"], r["missing_gh_commits"], r["hf_extra_commits"])
        for r in table.filter(pl.col("hf_repo") == MODEL).iter_rows(named=True)
    }
    assert got == built.expected


def test_the_cli_reads_drift_from_the_tables_without_git(
    synced: tuple[DriftWorld, DriftRepos],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    world, built = synced
    expected = _adhoc(built).select("hf_repo", "hf_path", "gh_path", "state").rows()
    monkeypatch.setenv("PATH", str(tmp_path))  # no git to run: the tables are all drift reads
    code, out, err = run_cli(["--cache-dir", str(world.store.root), "--offline", "drift", "--format", "csv"], capsys)
    assert code == 0, err
    got = pl.read_csv(out.encode(), try_parse_dates=True)
    assert got.select("hf_repo", "hf_path", "gh_path", "state").rows() == expected
    assert f"{len(expected)} linked pairs" in err


def test_diff_from_the_cache_reads_two_versions_from_the_kept_clones(
    synced: tuple[DriftWorld, DriftRepos], capsys: pytest.CaptureFixture[str]
) -> None:
    world, _ = synced
    cache = ["--cache-dir", str(world.store.root)]
    code, out, err = run_cli([*cache, "drift", "--diff", "acme_code", MODEL, "model.py"], capsys)
    assert code == 0, err
    assert "+    return x * 1" in out and "-    return x + 0" in out
    code, out, _ = run_cli([*cache, "drift", "--diff", "acme_code", MODEL, "config.json"], capsys)
    assert code == 0 and "JSON keys: 1 added, 0 removed, 2 changed" in out and "+ dropout: 0.1" in out
    code, _, err = run_cli([*cache, "drift", "nope"], capsys)
    assert code == 1 and "Unknown family" in err


def test_a_family_without_cached_file_histories_is_named_not_read_as_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.fakes.mining import seed_family

    store = CacheStore(tmp_path / "cache")
    seed_family(store, "acme_code", GH, [MODEL])
    code, out, err = run_cli(["--cache-dir", str(store.root), "drift"], capsys)
    assert code == 1 and out == ""
    assert "acme_code: no file history cached for github:acme/code, huggingface:acme/model" in err
    assert "No family to compare" in err


def test_incremental_sync_reads_only_new_commits_and_drift_stays_exact(tmp_path: Path) -> None:
    built = drift_repos(tmp_path / "src")
    with drift_world(tmp_path, "acme_code", (GH, built.gh), {MODEL: built.hf, LONE: built.hf_lone}) as world:
        sync(world.store, world.settings)
        before = world.store.collect(world.store.file_changes()).height
        t = dt.datetime(2023, 3, 1, tzinfo=dt.UTC)
        gh = Builder(git.Repo(built.gh))
        retuned = gh.commit("Retune", t, write={"config.json": '{"hidden": 1024}\n'})
        hf = Builder(git.Repo(built.hf))
        hf.commit("Take the retune", t + dt.timedelta(days=1), write={"config.json": '{"hidden": 1024}\n'})
        world.republish(MODEL)
        world.hub.reset_log()
        report = sync(world.store, world.settings)
        new = {o.repo: o.new_commits for o in report.outcomes}
        assert new == {GH: 1, MODEL: 1, LONE: 0}
        assert world.hub.count("acme/lone/git-upload-pack") == 0  # nothing new: no git read
        added = world.store.collect(world.store.file_changes()).height - before
        assert added == 2  # one path on each side
        table, _ = cached_drift(world.store)
        assert table.equals(_adhoc(built))
        config = table.filter((pl.col("hf_repo") == MODEL) & (pl.col("hf_path") == "config.json")).row(0, named=True)
        assert config["state"] == "in_sync" and config["common_gh_sha"] == retuned


def test_an_earlier_release_s_cache_is_backfilled_once(tmp_path: Path) -> None:
    """Commits without file changes, HF commits from the Hub's API (no parents): read whole once, then incremental."""
    built = drift_repos(tmp_path / "src")
    with drift_world(tmp_path, "acme_code", (GH, built.gh), {MODEL: built.hf, LONE: built.hf_lone}) as world:
        sync(world.store, world.settings)
        # The same cache as an earlier release left it: no file changes, no file histories,
        # HF commits as the Hub's API gives them (no parents, no files).
        old = CacheStore(tmp_path / "old")
        commits = world.store.collect(world.store.commits())
        hf = pl.col("platform") == "huggingface"
        old.append_commits(
            commits.with_columns(
                pl.when(hf).then(None).otherwise(pl.col("parents")).alias("parents"),
                pl.when(hf).then(pl.lit("")).otherwise(pl.col("files")).alias("files"),
            )
        )
        old.upsert_families(world.store.families())
        old.upsert_variants(world.store.variants())
        old.record_sync_outcomes(world.store.sync_states())
        settings = world.settings.model_copy(
            update={"cache": world.settings.cache.model_copy(update={"dir": old.root})}
        )
        report = sync(old, settings)
        details = {o.repo: o.detail for o in report.outcomes}
        assert all("file changes of all" in d and "read once" in d for d in details.values()), details
        assert {o.repo: o.new_commits for o in report.outcomes} == {GH: 0, MODEL: 0, LONE: 0}
        again = old.collect(old.commits()).sort("platform", "repo", "sha")
        assert again.drop("source").equals(commits.sort("platform", "repo", "sha").drop("source"))  # parents from git
        table, _ = cached_drift(old)
        assert table.equals(_adhoc(built))
        world.hub.reset_log()
        report = sync(old, settings)
        assert {o.detail for o in report.outcomes} == {"up to date"}
        assert world.hub.count("git-upload-pack") == 0


def test_the_summary_command_lists_each_variant_and_computes_missing_figures(
    synced: tuple[DriftWorld, DriftRepos], capsys: pytest.CaptureFixture[str]
) -> None:
    world, _ = synced
    cache = ["--cache-dir", str(world.store.root), "--offline", "drift"]
    code, out, err = run_cli([*cache, "--summary", "--format", "csv", "--exit-code"], capsys)
    rows = {r["hf_repo"]: r for r in pl.read_csv(out.encode()).iter_rows(named=True)}
    assert code == 3 and set(rows) == {MODEL, LONE}  # a variant lacks GitHub files
    model = rows[MODEL]
    # config.json behind; model.py and merged.json diverged; conf.yaml in sync under GitHub's new name.
    assert (model["files_behind"], model["files_diverged"], model["files"], model["files_in_sync"]) == (1, 2, 3, 2)
    assert (model["files_ahead"], model["files_removed"], model["files_linked"]) == (1, 2, 8)
    assert rows[LONE]["files_linked"] == 0 and rows[LONE]["files"] == 0  # shares nothing: not drift
    code, _, err = run_cli([*cache, "--refresh"], capsys)
    assert code == 0 and "drift summary computed for 1 family" in err


def test_an_import_makes_its_family_s_figures_stale_and_they_are_computed_where_read(
    synced: tuple[DriftWorld, DriftRepos], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An import lands without computing drift; its newer commits make the figures stale, even once compacted."""
    import shutil

    from core.drift.digest import families_to_refresh, refresh_drift_summary

    world, _ = synced
    root = tmp_path / "cache"
    shutil.copytree(world.store.root, root)
    store = CacheStore(root)
    refresh_drift_summary(store)
    before = {r["hf_repo"]: r["behind"] for r in store.drift_summary().iter_rows(named=True)}
    assert families_to_refresh(store) == []
    newest = store.collect(store.commits(["authored_at"])).get_column("authored_at").max()
    assert isinstance(newest, dt.datetime)
    stamp = (newest + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    csv = tmp_path / "one.csv"
    csv.write_text(
        "family,platform,repo,sha,authored_at,author,title,message,files\n"
        f"acme_code,github,{GH},{'f' * 40},{stamp},dev,Fix config,Fix config,M:config.json\n"
    )
    written = store.versions()["drift_summary"]
    code, _, err = run_cli(["--cache-dir", str(root), "--offline", "import", str(csv)], capsys)
    assert code == 0, err
    assert store.versions()["drift_summary"] == written  # the import wrote no drift
    store.compact(["commits"])  # rows keep their write time through compaction
    assert families_to_refresh(store) == ["acme_code"]
    code, out, err = run_cli(["--cache-dir", str(root), "--offline", "drift", "--summary", "--format", "csv"], capsys)
    after = {r["hf_repo"]: r["behind"] for r in pl.read_csv(out.encode()).iter_rows(named=True)}
    assert code == 0 and after == {repo: behind + 1 for repo, behind in before.items()}  # one more GitHub commit
    assert families_to_refresh(store) == []  # stored, not just printed

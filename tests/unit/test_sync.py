"""sync(): both histories into the cache, incrementally, with per-repository failures and resume."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from core.errors import Cancelled, InputError
from core.mining.sync import sync, sync_status
from core.progress import CancelToken, Progress
from tests.fakes.fake_hub import FakeHub, Reply
from tests.fakes.git_repos import add_commits
from tests.fakes.mining import fast_retries, gh_root, hub, make_gh_repo, make_settings, seed_family

__all__ = ["fast_retries", "gh_root", "hub"]  # fixtures used by name


@pytest.fixture
def world(hub: FakeHub, gh_root: Path, tmp_path: Path) -> tuple[CacheStore, FakeHub, Path]:
    """Two families: one with a feature-rich GH repo and two variants, one small."""
    hub.add_model("acme/bert-small", commits=4)
    hub.add_model("acme/bert-large", commits=2)
    hub.add_model("lab/tiny", commits=3)
    make_gh_repo(gh_root, "acme/bert", features=True)
    make_gh_repo(gh_root, "lab/tiny-code", commits=6)
    store = CacheStore(tmp_path / "cache")
    seed_family(store, "acme_bert", "acme/bert", ["acme/bert-small", "acme/bert-large"])
    seed_family(store, "lab_tiny", "lab/tiny-code", ["lab/tiny"])
    return store, hub, gh_root


def test_first_sync_fetches_both_platforms(world: tuple[CacheStore, FakeHub, Path], tmp_path: Path) -> None:
    store, hub, root = world
    settings = make_settings(hub, root, store.root)
    seen: list[Progress] = []
    report = sync(store, settings, on_progress=seen.append)
    assert [o.status for o in report.outcomes] == ["ok"] * 5, report.summary()
    commits = store.collect(store.commits())
    hf = commits.filter(pl.col("platform") == "huggingface")
    assert hf.group_by("repo").len().sort("repo").rows() == [
        ("acme/bert-large", 2),
        ("acme/bert-small", 4),
        ("lab/tiny", 3),
    ]
    first = hub.models["acme/bert-small"].commits[-1]
    row = hf.filter(pl.col("sha") == first.id).row(0, named=True)
    assert row["authored_at"] == first.date  # full precision, UTC
    assert row["files"] == "A:.gitattributes|A:README.md"
    assert row["family"] == "acme_bert" and row["author"] == "alice" and row["source"] == "sync"
    second = hub.models["acme/bert-small"].commits[-2]
    assert hf.filter(pl.col("sha") == second.id)["parents"].item() == first.id
    gh = commits.filter(pl.col("repo") == "acme/bert")
    assert gh.height == 9
    merge = gh.filter(pl.col("title") == "Merge branch 'feature'").row(0, named=True)
    assert len(merge["parents"].split()) == 2 and merge["files"] == ""
    assert commits.filter(pl.col("repo") == "lab/tiny-code").height == 6
    assert seen[-1].done == seen[-1].total == 5 and seen[-1].eta_seconds is not None
    status = sync_status(store)
    assert status["status"].to_list() == ["ok"] * 5
    assert status.filter(pl.col("repo") == "acme/bert")["commits"].item() == 9


def test_second_sync_with_nothing_new_transfers_no_history(world: tuple[CacheStore, FakeHub, Path]) -> None:
    store, hub, root = world
    settings = make_settings(hub, root, store.root)
    sync(store, settings)
    before = store.versions()["commits"]
    hub.reset_log()
    report = sync(store, settings)
    assert all(o.ok and o.new_commits == 0 for o in report.outcomes)
    assert hub.count("/commits/") == 0 and hub.count("git-upload-pack") == 0
    assert hub.count(r"^/api/models/[^/]+/[^/]+$") == 3  # one model-info request per variant
    assert store.versions()["commits"] == before  # nothing new: no commit written


def test_incremental_sync_reads_only_new_commits(world: tuple[CacheStore, FakeHub, Path]) -> None:
    store, hub, root = world
    settings = make_settings(hub, root, store.root)
    sync(store, settings)
    new_hf = hub.models["acme/bert-small"].add_commits(2)
    new_gh = add_commits(root / "lab/tiny-code", 3)
    hub.reset_log()
    report = sync(store, settings)
    by_repo = {o.repo: o for o in report.outcomes}
    assert by_repo["acme/bert-small"].new_commits == 2
    assert by_repo["lab/tiny-code"].new_commits == 3
    assert by_repo["acme/bert"].new_commits == 0
    assert hub.count("/commits/") == 1  # one page, stopped at the first known commit
    assert hub.count("acme/bert-small/git-upload-pack") >= 1  # an incremental fetch, for files
    assert hub.count("acme/bert-large/") == 0  # nothing new there: no git request either
    commits = store.collect(store.commits())
    added = commits.filter(pl.col("sha").is_in([c.id for c in new_hf])).sort("authored_at")
    assert added["files"].to_list() == ["M:README.md", "M:README.md|M:model.safetensors"]
    assert set(commits["sha"]) >= {c.id for c in new_hf} | set(new_gh)
    assert commits.filter(pl.col("repo") == "acme/bert-small").height == 6
    assert commits.select(pl.struct("platform", "repo", "sha").is_duplicated().any()).item() is False


def test_failures_are_recorded_per_repository_and_the_rest_goes_on(
    world: tuple[CacheStore, FakeHub, Path], fast_retries: None
) -> None:
    store, hub, root = world
    hub.models["acme/bert-large"].gated = "manual"
    seed_family(store, "ghost_fam", "ghost/missing", ["ghost/missing-model"])
    hub.script(r"^/api/models/lab/tiny$", Reply(500), times=10)
    report = sync(store, make_settings(hub, root, store.root))
    status = {o.repo: o.status for o in report.outcomes}
    assert status == {
        "acme/bert": "ok",
        "acme/bert-small": "ok",
        "acme/bert-large": "gated",
        "lab/tiny-code": "ok",
        "lab/tiny": "server_error",
        "ghost/missing": "not_found",
        "ghost/missing-model": "not_found",
    }
    table = sync_status(store)
    gated = table.filter(pl.col("repo") == "acme/bert-large").row(0, named=True)
    assert "HF_TOKEN" in gated["hint"] and gated["last_success"] is None
    assert "3 ok" in report.summary() and "1 gated" in report.summary()
    # A later success clears the failure; a later failure keeps the last success.
    hub.models["acme/bert-large"].gated = False
    sync(store, make_settings(hub, root, store.root), ["acme_bert"])
    hub.script(r"^/api/models/acme/bert-large$", Reply(503), times=10)
    sync(store, make_settings(hub, root, store.root), ["acme_bert"])
    row = sync_status(store).filter(pl.col("repo") == "acme/bert-large").row(0, named=True)
    assert row["status"] == "server_error" and row["last_success"] is not None and row["commits"] == 2


def test_rate_limit_waits_with_a_countdown(world: tuple[CacheStore, FakeHub, Path]) -> None:
    store, hub, root = world
    hub.script(r"^/api/models/lab/tiny$", Reply(429, headers={"Retry-After": "1"}))
    seen: list[Progress] = []
    report = sync(store, make_settings(hub, root, store.root), ["lab_tiny"], on_progress=seen.append)
    assert all(o.ok for o in report.outcomes)
    waits = [p.waiting_seconds for p in seen if p.waiting_seconds]
    assert waits and max(waits) <= 1.0 and "rate limited" in next(p.line() for p in seen if p.waiting_seconds)


def test_offline_makes_no_request(world: tuple[CacheStore, FakeHub, Path]) -> None:
    store, hub, root = world
    sync(store, make_settings(hub, root, store.root))
    hub.reset_log()
    (root / "acme").rename(root / "moved")  # git would fail if it ran
    report = sync(store, make_settings(hub, root, store.root, offline=True))
    assert hub.count() == 0 and report.offline
    assert {o.status for o in report.outcomes} == {"offline"}
    assert "no request made" in report.summary() and "24 commits" in report.summary()


def test_interrupted_sync_keeps_finished_work_and_resumes(world: tuple[CacheStore, FakeHub, Path]) -> None:
    store, hub, root = world
    settings = make_settings(hub, root, store.root, sync={"workers": 1})
    hub.script(r"^/api/models/lab/tiny$", Reply(delay=1.5))  # the last unit is slow
    token = CancelToken()

    def stop_after_three(progress: Progress) -> None:
        if progress.done >= 3:
            token.cancel()

    with pytest.raises(Cancelled):
        sync(store, settings, on_progress=stop_after_three, cancel=token)
    finished = sync_status(store).filter(pl.col("status") == "ok")["repo"].to_list()
    assert len(finished) >= 3
    kept = store.collect(store.commits()).height
    assert kept > 0
    hub.reset_log()
    report = sync(store, settings)
    assert {o.status for o in report.outcomes} == {"ok"}
    assert hub.count("/commits/") == 5 - len(finished)  # finished HF models are not fetched again
    assert store.collect(store.commits()).height == 24


def test_unknown_family_is_an_input_error(world: tuple[CacheStore, FakeHub, Path]) -> None:
    store, hub, root = world
    with pytest.raises(InputError, match="Unknown family"):
        sync(store, make_settings(hub, root, store.root), ["nope"])


def test_monorepo_families_sync_only_when_named(world: tuple[CacheStore, FakeHub, Path]) -> None:
    store, hub, root = world
    hub.add_model("acme/big", commits=1)
    seed_family(store, "huggingface_transformers", "huggingface/transformers", ["acme/big"], monorepo=True)
    report = sync(store, make_settings(hub, root, store.root))
    assert report.skipped_monorepos == ["huggingface_transformers"]
    assert "huggingface/transformers" not in {o.repo for o in report.outcomes}


def test_hf_history_rewrite_replaces_the_old_commits(world: tuple[CacheStore, FakeHub, Path]) -> None:
    store, hub, root = world
    settings = make_settings(hub, root, store.root)
    sync(store, settings, ["lab_tiny"])
    model = hub.models["lab/tiny"]
    model.commits.clear()  # a super-squash: one new commit replaces the history
    model.add_commits(1, start=dt.datetime(2024, 5, 1, tzinfo=dt.UTC), title="Squash")
    report = sync(store, settings, ["lab_tiny"])
    assert "rewritten" in next(o.detail for o in report.outcomes if o.repo == "lab/tiny")
    rows = store.collect(store.commits()).filter(pl.col("repo") == "lab/tiny")
    assert rows["sha"].to_list() == [model.sha]


def test_hf_commits_come_with_git_s_files_authors_and_messages(tmp_path: Path) -> None:
    """Changed files, authors, messages and parents of HF commits are git's, from a kept clone."""
    import git

    from tests.fakes.git_repos import feature_repo

    source = feature_repo(tmp_path / "hfgit" / "acme" / "features")
    with FakeHub(git_root=tmp_path / "hfgit") as fake:
        fake.add_model_from_git("acme/features", source.path)
        store = CacheStore(tmp_path / "cache")
        seed_family(store, "acme_features", None, ["acme/features"])
        report = sync(store, make_settings(fake, tmp_path, store.root))
        assert [o.status for o in report.outcomes] == ["ok"] and fake.count("/compare/") == 0
    rows = {r["sha"]: r for r in store.collect(store.commits()).iter_rows(named=True)}
    plain = git.Repo(source.path).git
    for sha, row in rows.items():
        expected = plain.show("--no-renames", "--name-status", "--format=", sha).split("\n")
        assert row["files"] == "|".join(line.replace("\t", ":") for line in expected if line), sha
        assert row["parents"] == plain.show("-s", "--format=%P", sha)
        assert row["author"] == plain.show("-s", "--format=%an", sha)
    assert rows[source.merge]["files"] == ""
    assert rows[source.zoned]["message"] == "Tune config\n\nLonger body\nwith lines"
    assert rows[source.invalid]["title"] == "Broken \xff\xfe bytes"  # not UTF-8, kept byte for byte
    clone = store.root / "git" / "huggingface" / "acme" / "features.git"
    assert git.Repo(clone).config_reader().get_value('remote "origin"', "partialclonefilter") == "blob:limit=1024"


def test_a_model_whose_git_cannot_be_read_is_a_recorded_failure(world: tuple[CacheStore, FakeHub, Path]) -> None:
    store, hub, root = world
    hub.script(r"lab/tiny/info/refs", Reply(404, body="Repository not found"))
    report = sync(store, make_settings(hub, root, store.root), ["lab_tiny"])
    outcome = next(o for o in report.outcomes if o.repo == "lab/tiny")
    assert outcome.status == "not_found" and not outcome.ok and "model id" in outcome.hint
    assert store.collect(store.commits()).filter(pl.col("repo") == "lab/tiny").is_empty()  # no commits without files
    report = sync(store, make_settings(hub, root, store.root), ["lab_tiny"])
    assert next(o for o in report.outcomes if o.repo == "lab/tiny").ok
    files = store.collect(store.commits()).filter(pl.col("repo") == "lab/tiny")["files"]
    assert files.len() == 3 and (files != "").all()


def test_hub_messages_and_co_authors_as_git_has_them() -> None:
    """Without git (sync.changed_files = none) the Hub's fields are joined as git would show them."""
    import datetime as dt

    from core.mining.hub_payloads import parse_commit

    item = {
        "id": "a" * 40,
        "date": "2023-12-13T08:00:00.000Z",
        "title": "Update README.md (#14)",
        "message": "\n\n\n- Update README.md (ba58a26fdc08c2f328d5c649531c95c25d6b06d0)\n",
        "authors": [{"user": "JustinLin610"}, {"user": "yangapku"}],
    }
    commit = parse_commit(item)
    assert commit is not None and commit.created_at == dt.datetime(2023, 12, 13, 8, tzinfo=dt.UTC)
    assert commit.text == "Update README.md (#14)\n\n\n- Update README.md (ba58a26fdc08c2f328d5c649531c95c25d6b06d0)"
    assert commit.author == "JustinLin610"  # the first author, as git records it; not a joined list
    plain = parse_commit({**item, "message": "", "title": "update wechat"})
    assert plain is not None and plain.text == "update wechat"


def test_malicious_ids_are_recorded_never_fetched(world: tuple[CacheStore, FakeHub, Path], tmp_path: Path) -> None:
    store, hub, root = world
    seed_family(store, "evil", "-oProxyCommand=touch_pwned/x", ["../../etc", "acme/..", "ok/-x"])
    seed_family(store, "evil2", "../../../../tmp/escape", [])
    hub.reset_log()
    report = sync(store, make_settings(hub, root, store.root), ["evil", "evil2"])
    assert {o.status for o in report.outcomes} == {"error"} and len(report.outcomes) == 5
    assert all("invalid repository id" in o.detail for o in report.outcomes)
    assert hub.count() == 0
    assert not (tmp_path / "tmp").exists() and not list(tmp_path.rglob("*pwned*"))
    git_dir = store.root / "git"
    assert not git_dir.exists() or all(p.resolve().is_relative_to(git_dir.resolve()) for p in git_dir.rglob("*"))


def test_endpoint_from_hf_endpoint_and_token_from_the_stored_login(
    world: tuple[CacheStore, FakeHub, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import huggingface_hub.constants

    store, hub, root = world
    token_file = tmp_path / "hf-token"
    token_file.write_text("hf_storedlogintoken1234567890")
    monkeypatch.setattr(huggingface_hub.constants, "HF_TOKEN_PATH", str(token_file))
    monkeypatch.setenv("HF_ENDPOINT", hub.url)
    settings = make_settings(None, root, store.root)  # no hub.endpoint in settings
    assert settings.hub.endpoint != hub.url
    settings.hub.endpoint = None
    report = sync(store, settings, ["lab_tiny"])
    assert all(o.ok for o in report.outcomes)
    assert {r.authorization for r in hub.requests if "/api/" in r.path} == {"Bearer hf_storedlogintoken1234567890"}
    git_auth = {r.authorization for r in hub.requests if "/api/" not in r.path and r.authorization}
    assert git_auth and {base64.b64decode(a.split()[1]).decode() for a in git_auth} == {
        "ptlm-tui:hf_storedlogintoken1234567890"  # git sends the token as Basic auth, to the Hub only
    }
    monkeypatch.setenv("HF_TOKEN", "hf_fromenvironment1234567890")
    hub.reset_log()
    sync(store, settings, ["lab_tiny"])
    assert {r.authorization for r in hub.requests} == {"Bearer hf_fromenvironment1234567890"}


def test_github_unreachable_is_a_network_status(world: tuple[CacheStore, FakeHub, Path]) -> None:
    import socket

    store, hub, root = world
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = make_settings(hub, root, store.root, github={"base_url": f"http://127.0.0.1:{port}"})
    report = sync(store, settings, ["lab_tiny"])
    status = {o.repo: o.status for o in report.outcomes}
    assert status == {"lab/tiny-code": "network", "lab/tiny": "ok"}


def test_a_rate_limit_from_an_earlier_run_is_respected(world: tuple[CacheStore, FakeHub, Path]) -> None:
    store, hub, root = world
    hub.script(r"^/api/models/lab/tiny$", Reply(429, headers={"Retry-After": "3600"}))
    first = sync(store, make_settings(hub, root, store.root), ["lab_tiny"])
    assert {o.repo: o.status for o in first.outcomes}["lab/tiny"] == "rate_limited"
    row = sync_status(store).filter(pl.col("repo") == "lab/tiny").row(0, named=True)
    assert row["retry_after"] is not None and row["retry_after"] > dt.datetime.now(dt.UTC)
    hub.reset_log()
    again = sync(store, make_settings(hub, root, store.root), ["acme_bert"])
    assert {o.status for o in again.outcomes if o.platform == "huggingface"} == {"rate_limited"}
    assert hub.count() == 0


def test_nothing_to_sync_says_what_to_do(tmp_path: Path, hub: FakeHub, gh_root: Path) -> None:
    report = sync(CacheStore(tmp_path / "empty"), make_settings(hub, gh_root, tmp_path / "empty"))
    assert report.outcomes == [] and "ptlm-tui discover" in report.summary()


def test_a_run_stops_after_repeated_network_failures_and_leaves_the_rest_untouched(
    tmp_path: Path, gh_root: Path, fast_retries: None
) -> None:
    import socket

    from core.mining.sync import STOP_AFTER_NETWORK_FAILURES

    store = CacheStore(tmp_path / "cache")
    for n in range(6):
        seed_family(store, f"fam_{n}", f"org/code-{n}", [f"org/model-{n}-{v}" for v in range(4)])
    with socket.socket() as sock:  # a port nothing listens on: the network is "down"
        sock.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{sock.getsockname()[1]}"
    # No hub: its endpoint is a closed port too.
    settings = make_settings(None, gh_root, store.root, github={"base_url": down})
    report = sync(store, settings)
    assert report.planned == 30 and report.stopped.startswith(f"{STOP_AFTER_NETWORK_FAILURES} network failures")
    tried = len(report.outcomes)
    # Failures that arrive after the stop (requests in flight) are not recorded either.
    assert tried == STOP_AFTER_NETWORK_FAILURES
    assert {o.status for o in report.outcomes} == {"network"}
    assert report.summary().startswith("stopped after 5 network failures in a row")
    assert f"{30 - tried} of 30 repositories were not tried" in report.summary()
    recorded = store.sync_states()
    assert recorded.height == tried  # untried repositories keep no failure


def test_a_user_cancel_is_still_cancelled_not_a_network_stop(world: tuple[CacheStore, FakeHub, Path]) -> None:
    store, hub, root = world
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        sync(store, make_settings(hub, root, store.root), cancel=token)

"""discover(): Hub listing and watchlist to families in the cache, cards re-read only when changed."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from core.errors import InputError, NetworkError
from core.mining.discover import discover, relink, unlinked_models
from core.mining.sync import sync
from core.progress import Progress
from tests.fakes.fake_hub import FakeHub, Reply
from tests.fakes.mining import fast_retries, gh_root, hub, make_gh_repo, make_settings

__all__ = ["fast_retries", "gh_root", "hub"]


def card(*links: str) -> str:
    return "# Model\n\n" + "\n".join(f"Code: {link}" for link in links) + "\n"


@pytest.fixture
def populated(hub: FakeHub) -> FakeHub:
    hub.add_model("acme/bert-small", downloads=90_000, card=card("https://github.com/acme/bert"))
    hub.add_model("acme/bert-large", downloads=80_000, card=card("https://github.com/Acme/BERT.git"))
    hub.add_model(
        "acme/gpt-tiny", downloads=70_000, pipeline_tag="text-generation", card=card("https://github.com/acme/gpt")
    )
    hub.add_model(
        "acme/roberta-ft",
        downloads=60_000,
        card=card("https://github.com/facebookresearch/fairseq/tree/main/examples/roberta"),
    )
    hub.add_model("solo/mystery", downloads=50_000, card=card("https://github.com/someone/unrelated"))
    hub.add_model("acme/rare", downloads=500, card=card("https://github.com/acme/rare"))
    hub.add_model(
        "acme/vision", downloads=99_000, pipeline_tag="image-classification", card=card("https://github.com/acme/v")
    )
    return hub


def test_discover_groups_models_into_families(populated: FakeHub, gh_root: Path, tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "cache")
    seen: list[Progress] = []
    report = discover(store, make_settings(populated, gh_root, store.root), on_progress=seen.append)
    fams = {f.family: f for f in report.families}
    assert set(fams) == {"acme_bert", "acme_gpt", "facebookresearch_fairseq"}
    assert fams["acme_bert"].variants == ("acme/bert-large", "acme/bert-small") and fams["acme_bert"].new
    assert fams["facebookresearch_fairseq"].monorepo and not fams["acme_bert"].monorepo
    assert [u.model for u in report.unlinked] == ["solo/mystery"]
    assert report.unlinked[0].candidates == ("someone/unrelated",)
    assert report.unlinked[0].hint() == "ptlm-tui link solo/mystery someone/unrelated"
    assert report.candidates == 5 and report.cards_fetched == 5  # below threshold and other tags never read
    variants = store.variants().sort("model")
    assert variants.filter(pl.col("model") == "solo/mystery")["family"].item() is None
    row = variants.filter(pl.col("model") == "acme/bert-small").row(0, named=True)
    assert row["downloads"] == 90_000 and row["gh_link"] == "acme/bert" and row["link_source"] == "card"
    families = store.families().sort("family")
    assert families.filter(pl.col("family") == "facebookresearch_fairseq")["monorepo"].item() is True
    assert "1 on a shared monorepo" in report.summary() and "without a GitHub link" in report.summary()
    assert seen and seen[-1].task == "discover: cards"


def test_second_discover_reads_no_unchanged_card(populated: FakeHub, gh_root: Path, tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "cache")
    settings = make_settings(populated, gh_root, store.root)
    discover(store, settings)
    added = store.families().sort("family")["added_at"].to_list()
    populated.reset_log()
    populated.models["acme/gpt-tiny"].add_commits(1)
    report = discover(store, settings)
    assert populated.count("/resolve/") == 1  # only the model that changed
    assert report.cards_reused == 4 and report.cards_fetched == 1
    assert not any(f.new for f in report.families)
    assert store.families().sort("family")["added_at"].to_list() == added


def test_author_search_and_limit(populated: FakeHub, gh_root: Path, tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "cache")
    settings = make_settings(populated, gh_root, store.root)
    report = discover(store, settings, author="solo")
    assert report.candidates == 1
    assert all(r.query.get("author") == ["solo"] for r in populated.requests if r.path == "/api/models")
    assert discover(store, settings, search="bert").candidates == 3  # bert-small, bert-large, roberta-ft
    limited = discover(CacheStore(tmp_path / "other"), settings, limit=2)
    assert limited.candidates == 2 and {v for f in limited.families for v in f.variants} == {
        "acme/bert-small",
        "acme/bert-large",
    }
    with pytest.raises(InputError):
        discover(store, settings, author="../x")
    with pytest.raises(InputError):
        discover(store, settings, limit=0)


def test_watchlist_and_config_links(populated: FakeHub, gh_root: Path, tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "cache")
    populated.add_model("lab/hidden", downloads=10, card=card("https://github.com/lab/wrong"))
    settings = make_settings(
        populated,
        gh_root,
        store.root,
        watchlist=[{"model": "lab/hidden", "github": "lab/right"}, {"model": "acme/rare"}],
        links={"solo/mystery": "solo/mystery-code"},
        family_names={"lab/right": "lab_hidden_family"},
    )
    report = discover(store, settings, watchlist_only=True)
    fams = {f.family: f for f in report.families}
    assert set(fams) == {"lab_hidden_family", "acme_rare", "solo_mystery-code"}  # linked models are followed
    assert fams["lab_hidden_family"].gh_repo == "lab/right"
    assert populated.count("/resolve/main/README.md") == 1  # linked models need no card
    variants = store.variants()
    assert variants.filter(pl.col("model") == "lab/hidden")["link_source"].item() == "watchlist"
    families = store.families()
    assert families.filter(pl.col("family") == "lab_hidden_family")["source"].item() == "watchlist"
    assert variants.height == 3
    full = discover(store, settings)
    assert {"solo_mystery-code", "lab_hidden_family", "acme_bert"} <= {f.family for f in full.families}


def test_relinking_moves_a_model_and_its_commits(populated: FakeHub, gh_root: Path, tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "cache")
    settings = make_settings(populated, gh_root, store.root)
    discover(store, settings, search="bert-small")
    make_gh_repo(gh_root, "acme/bert", commits=3)
    sync(store, settings)
    assert set(store.collect(store.commits())["family"]) == {"acme_bert"}
    populated.reset_log()
    moved = make_settings(
        populated, gh_root, store.root, links={"acme/bert-small": "acme/bert-v2"}, family_names={"acme/bert-v2": "v2"}
    )
    report = relink(store, moved)
    assert populated.count() == 0 and report.offline
    commits = store.collect(store.commits())
    hf = commits.filter(pl.col("platform") == "huggingface")
    assert set(hf["family"]) == {"v2"}
    assert set(commits.filter(pl.col("platform") == "github")["family"]) == {"acme_bert"}
    assert store.variants()["family"].to_list() == ["v2"]


def test_family_names_rename_existing_families(populated: FakeHub, gh_root: Path, tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "cache")
    discover(store, make_settings(populated, gh_root, store.root), search="gpt")
    report = relink(store, make_settings(populated, gh_root, store.root, family_names={"acme/gpt": "my-gpt"}))
    assert [f.family for f in report.families] == ["my-gpt"]
    assert store.families()["family"].to_list() == ["my-gpt"]
    assert store.variants()["family"].to_list() == ["my-gpt"]


def test_offline_discover_makes_no_request(populated: FakeHub, gh_root: Path, tmp_path: Path) -> None:
    store = CacheStore(tmp_path / "cache")
    discover(store, make_settings(populated, gh_root, store.root))
    populated.reset_log()
    report = discover(store, make_settings(populated, gh_root, store.root, offline=True))
    assert populated.count() == 0 and report.offline
    assert len(report.families) == 3 and [u.model for u in report.unlinked] == ["solo/mystery"]
    assert "no request made" in report.summary()
    assert [u.model for u in unlinked_models(store)] == ["solo/mystery"]


def test_listing_failure_is_one_clear_error(
    populated: FakeHub, gh_root: Path, tmp_path: Path, fast_retries: None
) -> None:
    populated.script(r"^/api/models$", Reply(503), times=20)
    with pytest.raises(NetworkError, match="listing failed") as caught:
        discover(CacheStore(tmp_path / "c"), make_settings(populated, gh_root, tmp_path / "c"))
    assert "server_error" in caught.value.one_line()


def test_card_failures_are_reported_and_the_rest_recorded(
    populated: FakeHub, gh_root: Path, tmp_path: Path, fast_retries: None
) -> None:
    populated.script(r"^/acme/gpt-tiny/resolve/", Reply(500), times=20)
    store = CacheStore(tmp_path / "cache")
    report = discover(store, make_settings(populated, gh_root, store.root))
    assert [(m, s) for m, s, _ in report.failures] == [("acme/gpt-tiny", "server_error")]
    assert {f.family for f in report.families} == {"acme_bert", "facebookresearch_fairseq"}


def test_a_gated_card_falls_back_to_the_listings_metadata(hub: FakeHub, gh_root: Path, tmp_path: Path) -> None:
    hub.add_model("corp/llm-7b", card="secret", card_data={"repository": "https://github.com/corp/llm"}, gated="manual")
    hub.script(r"^/corp/llm-7b/resolve/", Reply(403, headers={"X-Error-Code": "GatedRepo"}))
    store = CacheStore(tmp_path / "cache")
    report = discover(store, make_settings(hub, gh_root, store.root))
    assert report.failures == [] and [f.gh_repo for f in report.families] == ["corp/llm"]
    assert store.variants()["link_source"].to_list() == ["metadata"]
    assert store.variants()["gated"].to_list() == ["manual"]

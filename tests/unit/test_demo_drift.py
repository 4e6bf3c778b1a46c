"""The demo shows drift: file histories whose states are the demo's story, the summary, and a diff offline."""

from __future__ import annotations

import polars as pl
import pytest

from cache.store import CacheStore
from core.demo.drift_story import BEHIND, DIVERGED, IN_SYNC, NEVER_UPDATED, STORY_FAMILY
from core.drift.stored import cached_drift
from core.drift.summary import hf_file_states
from tests.app_data import demo_cache
from tests.helpers import run_cli


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> CacheStore:
    return demo_cache(tmp_path_factory.mktemp("demo") / "cache")


def _files(table: pl.DataFrame, variant: str) -> dict[str, str]:
    files = hf_file_states(table.filter(pl.col("hf_repo") == variant))
    return dict(files.select("hf_path", "state").iter_rows())


def test_the_flagship_family_tells_every_case(demo: CacheStore) -> None:
    table, _ = cached_drift(demo, [STORY_FAMILY])
    pairs = {(r["hf_repo"], r["hf_path"], r["gh_path"]): r for r in table.iter_rows(named=True)}
    config = pairs[(BEHIND, "config.json", "configs/base/config.json")]
    assert config["state"] == "hf_behind" and config["missing_gh_commits"] == 2
    tokenizer = pairs[(BEHIND, "tokenizer_config.json", "tokenizer/tokenizer_config.json")]
    assert tokenizer["state"] == "hf_behind" and tokenizer["missing_gh_commits"] == 1
    moved = "configuration_aurora_bert.py"
    assert pairs[(BEHIND, moved, "aurora_bert/configuration.py")]["state"] == "removed_on_gh"
    assert pairs[(BEHIND, moved, "aurora_bert/models/configuration.py")]["state"] == "in_sync"
    assert _files(table, BEHIND) == {"config.json": "hf_behind", "tokenizer_config.json": "hf_behind", moved: "in_sync"}
    assert _files(table, DIVERGED)["config.json"] == "diverged"
    assert set(_files(table, IN_SYNC).values()) == {"in_sync"}
    # The weights are an LFS pointer GitHub holds too: they never link.
    assert not table["hf_path"].str.ends_with(".safetensors").any()


def test_the_summary_gives_behind_and_files_per_variant_and_family(demo: CacheStore) -> None:
    from core.drift.digest import families_to_refresh, family_figures

    rows = {r["hf_repo"]: r for r in demo.drift_summary(families=[STORY_FAMILY]).iter_rows(named=True)}
    assert rows[NEVER_UPDATED]["status"] == "never updated" and rows[NEVER_UPDATED]["behind"] is None
    assert (rows[BEHIND]["files"], rows[BEHIND]["files_behind"], rows[BEHIND]["missing_gh_commits"]) == (2, 2, 3)
    assert (rows[DIVERGED]["files_diverged"], rows[IN_SYNC]["files"], rows[IN_SYNC]["files_in_sync"]) == (1, 0, 3)
    assert rows[IN_SYNC]["behind"] > 0  # GitHub moved on since, in files HF never took
    figures = family_figures(demo)
    flagship = figures.filter(pl.col("family") == STORY_FAMILY).row(0, named=True)
    assert flagship["files"] == sum(r["files"] for r in rows.values() if r["files"] is not None)
    assert flagship["behind"] == max(r["behind"] for r in rows.values() if r["behind"] is not None)
    assert flagship["never_updated"] == 1
    mirrored = figures.filter(pl.col("family") == "lumen-lab_lumen").row(0, named=True)
    assert mirrored["files"] > 0  # the auto-synced variant's mirrored files fell behind
    assert families_to_refresh(demo, figures) == []  # the demo ships its summary


def test_the_diff_works_offline_on_the_demo(demo: CacheStore, capsys: pytest.CaptureFixture[str]) -> None:
    cache = ["--cache-dir", str(demo.root), "--offline", "drift"]
    code, out, err = run_cli([*cache, "--diff", STORY_FAMILY, BEHIND, "config.json"], capsys)
    assert code == 0, err
    assert '-  "hidden_act": "gelu",' in out and '+  "hidden_act": "gelu_new",' in out
    assert '+ position_embedding_type: "rotary"' in out and "~ max_position_embeddings: 512 -> 1024" in out
    from core.demo.source import source_dir

    assert (source_dir(demo.root) / "github" / "aurora-nlp" / "aurora-bert" / "HEAD").is_file()  # read from there

"""The families view: one row per family with activity per side, verdict, hand-off and sync age."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from core.config import AnalysisSettings
from core.views.families import (
    VIEW_SCHEMA,
    build_view,
    empty_view,
    family_index,
    merge_view,
    reference_time,
    stale_families,
)
from tests.app_data import NOW, build_cache


def test_view_has_every_family_with_its_figures(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    view = build_view(store, AnalysisSettings(), NOW)
    assert dict(view.schema) == VIEW_SCHEMA
    assert view["family"].to_list() == ["acme_bert", "solo_code", "zeta_gpt"]
    acme = view.row(0, named=True)
    assert (acme["gh_repo"], acme["variants"], acme["gh_commits"], acme["hf_commits"]) == ("acme/bert", 2, 4, 4)
    assert (acme["code"], acme["pattern"], acme["lag"]) == ("PSR", "Sparse", "GitHub First")
    assert acme["last_gh"] == dt.datetime(2022, 4, 11, 12, tzinfo=dt.UTC)
    assert acme["last_hf"] == dt.datetime(2022, 7, 20, 12, tzinfo=dt.UTC)
    # Last GH → HF hand-off: GH 2022-04-11 12:00, then HF day 2022-04-12 (HF times are cut to the day).
    assert acme["last_handoff"] == dt.datetime(2022, 4, 12, tzinfo=dt.UTC)
    assert acme["handoff_days"] == (NOW - dt.datetime(2022, 4, 12, tzinfo=dt.UTC)).days
    assert acme["idle_days"] == 11
    assert "acme/bert-base" in acme["models"] and "acme/bert-large" in acme["models"]
    # The oldest successful sync of the family's repositories.
    assert acme["synced_at"] == NOW - dt.timedelta(days=2)


def test_family_without_hf_commits_has_no_pattern_and_no_handoff(tmp_path: Path) -> None:
    view = build_view(build_cache(tmp_path / "c"), AnalysisSettings(), NOW)
    solo = view.filter(pl.col("family") == "solo_code").row(0, named=True)
    assert solo["pattern"] is None and solo["status"] == "no Hugging Face commits"
    assert solo["last_hf"] is None and solo["handoff_days"] is None
    zeta = view.filter(pl.col("family") == "zeta_gpt").row(0, named=True)
    assert zeta["sync_problem"] == "rate_limited"
    assert zeta["handoff_days"] is None  # HF first and never after GitHub


def test_index_alone_lists_families_before_the_commits_are_read(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    view = merge_view(empty_view(), family_index(store))
    assert view.height == 3
    assert view["pattern"].null_count() == 3  # not computed yet: null, not a wrong value
    assert view["status"].null_count() == 3


def test_merge_keeps_families_known_only_from_commits() -> None:
    view = merge_view(empty_view(), pl.DataFrame({"family": ["a"], "gh_repo": ["o/a"]}))
    part = pl.DataFrame({"family": ["a", "b"], "pattern": ["Rare", "Dense"], "status": ["ok", "ok"]})
    merged = merge_view(view, part)
    assert merged["family"].to_list() == ["a", "b"]
    assert merged["pattern"].to_list() == ["Rare", "Dense"]


def test_ages_count_to_the_cut_off_when_one_is_set(tmp_path: Path) -> None:
    settings = AnalysisSettings(until=dt.date(2022, 5, 1))
    assert reference_time(settings, NOW) == dt.datetime(2022, 5, 2, tzinfo=dt.UTC)
    view = build_view(build_cache(tmp_path / "c"), settings, NOW)
    acme = view.filter(pl.col("family") == "acme_bert").row(0, named=True)
    assert acme["last_hf"] == dt.datetime(2022, 4, 12, 12, tzinfo=dt.UTC)  # the July commit is cut
    assert acme["idle_days"] == 19


def test_stale_flags_follow_the_last_successful_sync(tmp_path: Path) -> None:
    view = build_view(build_cache(tmp_path / "c"), AnalysisSettings(), NOW)
    stale = dict(zip(view["family"], stale_families(view, 7, NOW), strict=True))
    assert stale == {"acme_bert": False, "solo_code": False, "zeta_gpt": True}


def test_view_of_an_empty_cache_is_empty(tmp_path: Path) -> None:
    from cache.store import CacheStore

    view = build_view(CacheStore(tmp_path / "none"), AnalysisSettings(), NOW)
    assert view.is_empty() and dict(view.schema) == VIEW_SCHEMA


def test_view_row_explains_the_pattern_exactly_as_a_fresh_computation(tmp_path: Path) -> None:
    from core.analysis import service
    from core.explain import explain_pattern
    from core.views.families import pattern_row

    store = build_cache(tmp_path / "c")
    view = build_view(store, AnalysisSettings(), NOW)
    fresh = service.patterns(store, AnalysisSettings())
    for family in ("acme_bert", "zeta_gpt"):
        from_view = pattern_row(view, family)
        assert from_view is not None
        computed = fresh.filter(pl.col("family") == family).row(0, named=True)
        # Times differ on purpose: the view keeps full commit times, the rules cut HF to the day.
        # behind/behind_variant (drift, METHOD.md §8.1) reach the view with the app's Behind column.
        same = [k for k in computed if k not in ("first_commit", "last_commit", "behind", "behind_variant")]
        assert {k: from_view[k] for k in same} == {k: computed[k] for k in same}
        assert explain_pattern(from_view) == explain_pattern(computed)
    assert pattern_row(view, "nope") is None

"""import-study, report --published and compare: a small package with every quirk, then the real one."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest

from cache.store import CacheStore
from core.commits import store_commits
from core.errors import InputError
from core.study import STUDY_FILES, import_study, published_report
from tests.conftest import shared_path
from tests.helpers import T0, commits_frame, days, gh, hf
from tui.cli.main import main

COMPLETE_HEADER = ",".join(STUDY_FILES["complete_dataset.csv"])


def _variant(owner: str, model: str, family: str, pattern: tuple[str, ...], created: str) -> str:
    sync, intensity, code, lag, name = pattern
    return (
        f"{owner},{model},{family},12345,7,transformers,fill-mask,https://github.com/{owner}/code,Yes,manual,"
        f"{sync},{intensity},{code},{lag},{name},{created},2/19/2024,2022-03-02 23:29:04+00:00,"
        "2024-02-19 11:06:12+00:00,2021-01-05 10:00:00+00:00,2024-11-02 08:00:00+00:00,100,100.5"
    )


ALPHA = ("PS", "S", "PSS", "Upstream First", "Dispersed Alignment")
BETA = ("AS", "R", "ASR", "Downstream First", "Rare Disjoing")
VILA = ("PS", "R", "PSR", "No Lag", "Dispersed Alignment")


def write_package(folder: Path) -> Path:
    """Write a three-family replication package with the real one's quirks, plus one excluded family."""
    folder.mkdir(parents=True, exist_ok=True)
    complete = [
        COMPLETE_HEADER,
        _variant("acme", "acme/alpha-base", "acme_alpha", ALPHA, "3/2/2022"),
        _variant("acme", "acme/alpha-large", "acme_alpha", ALPHA, "12/31/2022"),
        _variant("beta", "beta/beta-1", "beta_beta", BETA, "1/5/2023"),
        _variant("vila", "vila/vila-7b", "vila_vila", VILA, "6/1/2023"),
        _variant("bad", "bad/one", "bad_excluded", ALPHA, "6/1/2023"),
        _variant("bad", "bad/two", "bad_excluded", ALPHA, "6/1/2023"),
    ]
    (folder / "complete_dataset.csv").write_text("\n".join(complete) + "\n")
    (folder / "must_exclude_from_all_analysis.csv").write_text("owner,model_name,family\nbad,bad/one,bad_excluded\n")
    patterns = ["owner,family,generated,Syncs,intensity,codes,Lagged,pattern_names,names"]
    for owner, family, (sync, intensity, code, lag, name) in (
        ("acme", "acme_alpha", ALPHA),
        ("beta", "beta_beta", BETA),
        ("vila", "vila_vila", VILA),
        ("bad", "bad_excluded", ALPHA),
    ):
        patterns.append(f"{owner},{family},manual,{sync},{intensity},{code},{lag},{name} Pattern,{name}")
    (folder / "all_auto_and_manual_patterns.csv").write_text("\n".join(patterns) + "\n")
    (folder / "GH_HF_commit_time_differences.csv").write_text(
        "family,source,target,prev_commit,next_commit,days_difference\n"
        "acme_alpha,GH,HF,2022-01-01 10:00:00,2022-01-11 00:00:00,9\n"
        "acme_alpha,HF,GH,2022-01-11 00:00:00,2022-01-12 08:00:00,1\n"
        "beta_beta,HF,GH,2022-02-01 00:00:00,2022-05-01 12:00:00,89\n"
        "vila_vila,GH,HF,2022-03-01 12:00:00,2022-03-05 00:00:00,3\n"
    )
    (folder / "family_similarity_scores.csv").write_text(
        "Family,Similarity Score\nacme_alpha,0.5\nbeta_beta,0.25\nvila_vila,0.0\n"
    )
    (folder / "RQ2_early_late_pattern.csv").write_text(
        "owner,family,early_lagged,late_lagged,early_sync,late_sync,early_intensity,late_intensity,early_codes,"
        "late_codes,early_pattern,late_pattern,model_name\n"
        "acme,acme_alpha,Upstream First,No Lag,AS,PS,R,S,ASR,PSS,Rare disjoint pattern,Dispersed Alignment Pattern,2\n"
        "beta,beta_beta,Downstream First,Downstream First,AS,AS,R,R,ASR,ASR,Rare disjoint pattern,"
        "Rare disjoint pattern,1\n"
        "vila,vila_vila,No Lag,No Lag,PS,PS,R,R,PSR,PSR,Sparse Alignment Pattern,Sparse Alignment Pattern,1\n"
    )
    (folder / "grouped_data_RQ2.csv").write_text(
        "owner,family,family,model_name,pattern_names,average_age_days,names,pipeline_tag,Lagged,library_name,"
        "model_size_million_bytes,age_group\n"
        "acme,acme_alpha,beta_beta,3,x,100.5,x,fill-mask,Upstream First,transformers,1,Recent-Families\n"
        "beta,beta_beta,acme_alpha,1,x,300,x,fill-mask,Downstream First,transformers,1,Intermediate-Families\n"
        "vila,vila_vila,vila_vila,1,x,500,x,text-generation,No Lag,transformers,1,Matured-Families\n"
    )
    return folder


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_import_normalises_every_quirk_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = write_package(tmp_path / "pkg")
    cache = ["--cache-dir", str(tmp_path / "c")]
    code, _, err = run([*cache, "import-study", str(package)], capsys)
    assert code == 0, err
    assert "3 families, 4 HF variants, 4 transitions (1 family excluded as in the study)" in err
    for quirk in (
        "excluded families (1)",
        "2 rows of complete_dataset.csv",
        "'Rare Disjoing' read as 'Rare Disjoint' (1)",
        "Upstream First → GitHub First 1",
        "vila_vila (PSR named Dispersed Alignment)",
        "dates in M/D/YYYY parsed (8)",
        "HF transition times are days only (4)",
        "'Rare disjoint pattern' (lower case)",
        "variant counts disagree between files (1)",
        "last HF commits after the study's cut-off (4)",
    ):
        assert quirk in err, quirk
    store = CacheStore(tmp_path / "c")
    published = store.published().sort("family")
    assert published["family"].to_list() == ["acme_alpha", "beta_beta", "vila_vila"]
    assert published["pattern"].to_list() == ["Disperse", "Rare Disjoint", "Disperse"]
    assert published["code"].to_list() == ["PSS", "ASR", "PSR"]
    assert published["lag"].to_list() == ["GitHub First", "Hugging Face First", "Simultaneous"]
    assert published["note"].to_list()[2].startswith("published as Dispersed Alignment although its code PSR means")
    assert published["age_group"].to_list() == ["Recent", "Intermediate", "Matured"]  # first 'family' column
    assert published["early_pattern"].to_list() == ["Rare Disjoint", "Rare Disjoint", "Sparse"]
    assert published["variants"].to_list() == [2, 1, 1] and published["downloads"][0] == 24690
    assert published["jaccard"].to_list() == [0.5, 0.25, 0.0]
    variants = store.published_variants().sort("model")
    assert variants["created_day"].to_list()[:2] == [dt.date(2022, 3, 2), dt.date(2022, 12, 31)]
    assert variants["first_commit"][0] == dt.datetime(2021, 1, 5, 10, tzinfo=dt.UTC)
    transitions = store.published_transitions()
    assert transitions["prev_commit"][0] == dt.datetime(2022, 1, 1, 10, tzinfo=dt.UTC)
    assert transitions["days"].to_list() == [9, 1, 89, 3]
    # Registered for browsing; the excluded family is nowhere.
    families, registered = store.families(), store.variants()
    assert set(families["family"]) == {"acme_alpha", "beta_beta", "vila_vila"}
    assert set(families["source"]) == {"study"} and families["gh_repo"].to_list()[0] == "acme/code"
    assert registered.height == 4 and set(registered["link_source"]) == {"study"}
    assert "bad_excluded" not in set(transitions["family"]) | set(registered["family"])


def test_reimport_replaces_and_keeps_what_the_cache_knew(tmp_path: Path) -> None:
    package = write_package(tmp_path / "pkg")
    store = CacheStore(tmp_path / "c")
    store_commits(
        store, commits_frame([gh("acme_alpha", T0, "acme/real-code"), hf("acme_alpha", T0 + days(2))]), source="t"
    )
    first = import_study(store, package)
    second = import_study(store, package)
    assert (first.families, first.variants, first.transitions) == (second.families, second.variants, second.transitions)
    assert store.published().height == 3 and store.published_transitions().height == 4
    families = store.families()
    assert families.height == 3
    alpha = families.filter(pl.col("family") == "acme_alpha").row(0, named=True)
    assert alpha["gh_repo"] == "acme/real-code" and alpha["source"] == "t"  # not overwritten by the study


def test_package_root_with_a_dataset_folder_is_accepted(tmp_path: Path) -> None:
    write_package(tmp_path / "replication" / "dataset")
    result = import_study(CacheStore(tmp_path / "c"), tmp_path / "replication")
    assert result.directory == tmp_path / "replication" / "dataset" and result.families == 3


def test_clear_errors_for_a_wrong_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package = write_package(tmp_path / "pkg")
    (package / "family_similarity_scores.csv").unlink()
    code, _, err = run(["--cache-dir", str(tmp_path / "c"), "import-study", str(package)], capsys)
    assert code == 1 and err.count("\n") == 1
    assert "has no family_similarity_scores.csv" in err and "dataset/ folder of SAILResearch" in err
    code, _, err = run(["--cache-dir", str(tmp_path / "c"), "import-study", str(tmp_path / "nope")], capsys)
    assert code == 1 and "Study directory not found" in err
    assert not (tmp_path / "c").exists()  # nothing written


def test_clear_errors_for_bad_columns_and_values(tmp_path: Path) -> None:
    package = write_package(tmp_path / "pkg")
    store = CacheStore(tmp_path / "c")
    (package / "family_similarity_scores.csv").write_text("family,score\nacme_alpha,1\n")
    with pytest.raises(InputError, match=r"family_similarity_scores.csv lacks column\(s\) Family, Similarity Score"):
        import_study(store, package)
    write_package(package)
    text = (package / "complete_dataset.csv").read_text().replace("3/2/2022", "2022-03-02", 1)
    (package / "complete_dataset.csv").write_text(text)
    with pytest.raises(InputError, match="column created_at_main: '2022-03-02'.*expected M/D/YYYY"):
        import_study(store, package)
    write_package(package)
    text = (package / "all_auto_and_manual_patterns.csv").read_text().replace(",Rare Disjoing\n", ",Rare Joint\n")
    (package / "all_auto_and_manual_patterns.csv").write_text(text)
    with pytest.raises(InputError, match="column names: 'Rare Joint'"):
        import_study(store, package)
    assert not store.has_published()


def test_report_published_needs_an_import_and_no_method_flags(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = ["--cache-dir", str(tmp_path / "c")]
    code, _, err = run([*cache, "report", "--published"], capsys)
    assert code == 1 and "no published results" in err and "import-study" in err
    run([*cache, "import-study", str(write_package(tmp_path / "pkg"))], capsys)
    code, _, err = run([*cache, "report", "--published", "--bin-days", "7"], capsys)
    assert code == 2 and "--bin-days" in err  # contradictory flags: a usage error
    code, out, _ = run([*cache, "report", "--published", "--format", "json"], capsys)
    report = json.loads(out)
    assert report["summary"]["families"] == 3 and report["summary"]["source"] == "published"
    counts = {r["pattern"]: r["families"] for r in report["tables"]["patterns"]}
    assert counts["Disperse"] == 2 and counts["Rare Disjoint"] == 1


# -- the study's own package (../shared/data/replication) ---------------------------------------

STUDY_FAMILIES = {
    "Disperse": 128,
    "Sparse": 50,
    "Rare": 46,
    "Sporadic Disjoint": 34,
    "Rare Disjoint": 30,
    "Intermittent": 24,
    "Frequent": 8,
    "Dense": 5,
}
STUDY_VARIANTS = {
    "Disperse": 469,
    "Sparse": 87,
    "Rare": 82,
    "Sporadic Disjoint": 77,
    "Rare Disjoint": 38,
    "Intermittent": 88,
    "Frequent": 40,
    "Dense": 23,
}


@pytest.fixture(scope="module")
def study_store(tmp_path_factory: pytest.TempPathFactory) -> CacheStore:
    store = CacheStore(tmp_path_factory.mktemp("study") / "cache")
    import_study(store, shared_path("data", "replication"))
    return store


@pytest.mark.shared_data
def test_report_published_reproduces_the_studys_headline_numbers(
    study_store: CacheStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["--cache-dir", str(study_store.root), "report", "--published", "--format", "json"], capsys)
    assert code == 0
    report = json.loads(out)
    summary, tables = report["summary"], report["tables"]
    assert (summary["families"], summary["variants"], summary["transitions"]) == (325, 904, 3863)
    assert {r["pattern"]: r["families"] for r in tables["patterns"]} == STUDY_FAMILIES
    assert {r["pattern"]: r["variants"] for r in tables["patterns"]} == STUDY_VARIANTS
    assert [r["pattern"] for r in tables["patterns"]] == list(STUDY_FAMILIES)  # the study's order
    lags = {r["lag"]: r["families"] for r in tables["lags"]}
    assert lags == {"GitHub First": 182, "Simultaneous": 75, "Hugging Face First": 68}
    delays = {r["lag"]: r["mean_days"] for r in tables["delays_by_lag"]}
    assert delays == {"GitHub First": 15.82, "Simultaneous": 9.32, "Hugging Face First": 22.35}
    directions = {r["direction"]: r["mean_days"] for r in tables["delays_by_direction"]}
    assert directions["all"] == 14.86 and directions["GH→HF"] == 17.64
    by_pattern = {r["pattern"]: r["mean_days"] for r in tables["delays_by_pattern"]}
    assert by_pattern["Frequent"] == 0.87 and by_pattern["Sporadic Disjoint"] == 127.39
    assert summary["jaccard"] == {"families": 325, "mean": 0.414, "median": 0.4}
    assert summary["kept_pattern_pct"] == 31.1
    age = {r["pattern"]: r for r in tables["pattern_by_age_group"]}
    assert round(age["Disperse"]["Matured"] / 105 * 100, 1) == 62.9  # METHOD.md §6
    assert round(age["Rare"]["Recent"] / 110 * 100, 1) == 35.5


@pytest.mark.shared_data
def test_markdown_report_shows_the_same_numbers(study_store: CacheStore) -> None:
    from core.analysis.report import render_markdown

    text = render_markdown(published_report(study_store))
    for row in ("| Disperse | 128 | 39.4 | 469 |", "| GitHub First | 2295 | 15.82 |", "| Dense | 5 | 1.5 | 23 |"):
        assert row in text
    assert "mean 0.414, median 0.4" in text


@pytest.mark.shared_data
def test_study_families_are_browsable(study_store: CacheStore) -> None:
    families, variants = study_store.families(), study_store.variants()
    assert families.height == 325 and variants.height == 904
    assert variants["downloads"].null_count() == 0
    pv = study_store.published_variants()
    assert pv.height == 904 and pv["first_commit"].null_count() == 0 and pv["last_commit"].null_count() == 0
    vila = study_store.published().filter(pl.col("family") == "Efficient-Large-Model_VILA").row(0, named=True)
    assert (vila["code"], vila["pattern"]) == ("PSR", "Disperse") and "PSR means Sparse" in vila["note"]
    excluded = set(pl.read_csv(shared_path("data", "replication", "must_exclude_from_all_analysis.csv"))["family"])
    assert len(excluded) == 13 and not excluded & set(families["family"])


@pytest.mark.shared_data
def test_compare_with_the_real_timelines(
    tmp_path: Path, study_store: CacheStore, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = ["--cache-dir", str(tmp_path / "c")]
    assert run([*cache, "import", str(shared_path("data", "timelines", "commits.csv"))], capsys)[0] == 0
    assert run([*cache, "import-study", str(shared_path("data", "replication"))], capsys)[0] == 0
    code, out, err = run([*cache, "compare", "--until", "2024-10-10", "--format", "json"], capsys)
    assert code == 0
    rows = {r["family"]: r for r in json.loads(out)}
    bio = rows["microsoft_BiomedNLP"]
    assert (bio["pattern"], bio["lag"], bio["code"]) == ("Sporadic Disjoint", "Hugging Face First", "ASS")
    assert (bio["published_pattern"], bio["published_lag"]) == ("Sporadic Disjoint", "Hugging Face First")
    assert bio["agree_pattern"] and bio["agree_lag"]
    assert set(rows) <= set(study_store.published()["family"])
    assert f"{len(rows)} families have both" in err
    code, out, _ = run([*cache, "compare", "--until", "2024-10-10", "--disagree", "--format", "csv"], capsys)
    assert "microsoft_BiomedNLP" not in out

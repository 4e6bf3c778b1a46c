"""The families filter language: free text, fields, comparisons, negation and clear errors."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from core.errors import InputError
from core.filters import FIELDS, filter_help, parse_filter
from core.views.families import VIEW_SCHEMA

NOW = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def view() -> pl.DataFrame:
    rows = [
        {
            "family": "google-bert_bert",
            "gh_repo": "google-research/bert",
            "models": "google-bert/bert-base-uncased google-bert/bert-large-cased",
            "variants": 13,
            "gh_commits": 111,
            "hf_commits": 26,
            "idle_days": 400,
            "handoff_days": 30,
            "lag": "GitHub First",
            "sync": "PS",
            "intensity": "S",
            "code": "PSS",
            "pattern": "Disperse",
            "status": "ok",
            "synced_at": NOW - dt.timedelta(days=2),
            "behind": 12,
            "files": 2,
            "files_behind": 1,
            "files_diverged": 1,
            "files_ahead": 1,
            "files_in_sync": 3,
            "files_linked": 6,
            "never_updated": 0,
        },
        {
            "family": "microsoft_BiomedNLP",
            "gh_repo": "microsoft/biomedsearch",
            "models": "microsoft/biomednlp-biomedbert-base-uncased-abstract",
            "variants": 1,
            "gh_commits": 8,
            "hf_commits": 27,
            "idle_days": 20,
            "handoff_days": None,
            "lag": "Hugging Face First",
            "sync": "AS",
            "intensity": "S",
            "code": "ASS",
            "pattern": "Sporadic Disjoint",
            "status": "ok",
            "synced_at": None,
            "behind": 0,
            "files": 0,
            "files_behind": 0,
            "files_diverged": 0,
            "files_ahead": 0,
            "files_in_sync": 2,
            "files_linked": 2,
            "never_updated": 0,
        },
        {
            "family": "acme_rare",
            "gh_repo": "acme/rare",
            "models": "acme/rare-1",
            "variants": 6,
            "gh_commits": 3,
            "hf_commits": 2,
            "idle_days": 95,
            "handoff_days": 100,
            "lag": "Simultaneous",
            "sync": "AS",
            "intensity": "R",
            "code": "ASR",
            "pattern": "Rare Disjoint",
            "status": "ok",
            "synced_at": NOW - dt.timedelta(days=30),
            "behind": 3,
            "never_updated": 1,
        },
        {
            "family": "solo",
            "gh_repo": "solo/code",
            "variants": 0,
            "gh_commits": 3,
            "hf_commits": 0,
            "status": "no Hugging Face commits",
        },
    ]
    return pl.DataFrame(rows, schema={k: v for k, v in VIEW_SCHEMA.items() if k in rows[0] or k == "models"})


def families(text: str) -> list[str]:
    return parse_filter(text).apply(view(), NOW)["family"].to_list()


def test_empty_filter_keeps_everything() -> None:
    assert parse_filter("   ").expr is None
    assert len(families("")) == 4


def test_free_text_matches_family_repo_and_models_case_insensitively() -> None:
    assert families("BERT") == ["google-bert_bert", "microsoft_BiomedNLP"]  # biomedbert
    assert families("biomedsearch") == ["microsoft_BiomedNLP"]
    assert families("large-cased") == ["google-bert_bert"]
    assert families("acme rare") == ["acme_rare"]  # words are ANDed


def test_pattern_by_name_prefix_code_and_quoted_name() -> None:
    assert families("pattern:disperse") == ["google-bert_bert"]
    assert families("pattern:DISP") == ["google-bert_bert"]
    assert families("pattern:sporadic") == ["microsoft_BiomedNLP"]
    assert families("pattern:rare-disjoint") == ["acme_rare"]
    assert families("pattern:rare") == []  # an exact name wins over the prefix: Rare only
    assert families("pattern:rare-d") == ["acme_rare"]
    assert families('pattern:"rare disjoint"') == ["acme_rare"]
    assert families("pattern:pss") == ["google-bert_bert"]


def test_lag_sync_intensity_and_code() -> None:
    assert families("lag:gh") == ["google-bert_bert"]
    assert families("lag:hf") == ["microsoft_BiomedNLP"]
    assert families("lag:sim") == ["acme_rare"]
    assert families("code:AS") == ["microsoft_BiomedNLP", "acme_rare"]
    assert families("sync:as intensity:r") == ["acme_rare"]


def test_day_comparisons_with_units_and_ranges() -> None:
    assert families("stale:>90d") == ["google-bert_bert", "acme_rare"]
    assert families("stale:>1y") == ["google-bert_bert"]
    assert families("stale:<=3w") == ["microsoft_BiomedNLP"]
    assert families("stale:90..100") == ["acme_rare"]
    assert families("handoff:>=30d") == ["google-bert_bert", "acme_rare"]


def test_counts_and_negation() -> None:
    assert families("variants:>5") == ["google-bert_bert", "acme_rare"]
    assert families("gh:>=100") == ["google-bert_bert"]
    assert families("-pattern:rare-d") == ["google-bert_bert", "microsoft_BiomedNLP", "solo"]
    assert families("hf:0") == ["solo"]


def test_synced_age_counts_never_synced_as_old() -> None:
    assert families("synced:>7d") == ["microsoft_BiomedNLP", "acme_rare", "solo"]
    assert families("synced:<7d") == ["google-bert_bert"]


def test_status_field() -> None:
    assert families("status:none") == ["solo"]
    assert families("status:no-hf") == ["solo"]


def test_drift_fields_behind_files_and_states() -> None:
    assert families("behind:>0") == ["google-bert_bert", "acme_rare"]
    assert families("behind:0") == ["microsoft_BiomedNLP"]  # unknown (solo: no variant) is never 0
    assert families("files:>0") == ["google-bert_bert"]
    assert families("files:0..1") == ["microsoft_BiomedNLP"]
    assert families("drift:behind") == families("drift:hf-behind") == ["google-bert_bert"]
    assert families("drift:div") == ["google-bert_bert"]
    assert families("drift:ahead") == ["google-bert_bert"]
    assert families("drift:sync") == families("drift:in_sync") == ["microsoft_BiomedNLP"]
    assert families("drift:never") == ["acme_rare"]
    assert families("drift:unknown") == ["acme_rare", "solo"]  # no file history cached
    assert families("-drift:behind") == ["microsoft_BiomedNLP", "acme_rare", "solo"]
    assert families("behind:>0 -drift:behind") == ["acme_rare"]


def test_unclosed_quote_while_typing_is_not_an_error() -> None:
    assert families('pattern:"rare dis') == ["acme_rare"]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("patern:rare", "did you mean 'pattern:'"),
        ("pattern:nope", "unknown pattern"),
        ("pattern:disprse", "did you mean 'disperse'"),
        ("lag:later", "use one of"),
        ("stale:>90x", "unknown unit"),
        ("stale:soon", "not a number"),
        ("variants:5d", "plain number"),
        ("code:ZZ", "no pattern code"),
        ("lag:", "needs a value"),
        ("behind:many", "not a number"),
        ("files:3d", "plain number"),
        ("drift:late", "use one of behind, diverged"),
        ("drift:behnd", "did you mean 'behind'"),
    ],
)
def test_bad_filters_raise_input_error_naming_the_word(text: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_filter(text)
    assert text.split()[0] in caught.value.one_line()
    assert words in caught.value.one_line()


def test_every_field_is_documented() -> None:
    assert [name for name, _ in filter_help()] == [f"{name}:" for name in FIELDS]

"""Short variant names, English plurals, in-step words."""

from __future__ import annotations

from core.models import in_step
from core.views.variant_names import common_prefix, short_names
from core.words import noun, plural


def test_variants_lose_the_owner_and_the_prefix_they_share() -> None:
    repos = ["google-bert/bert-base-uncased", "google-bert/bert-large-cased", "google-bert/bert-base-chinese"]
    assert short_names(repos, "google-research/bert") == {
        "google-bert/bert-base-uncased": "base-uncased",
        "google-bert/bert-large-cased": "large-cased",
        "google-bert/bert-base-chinese": "base-chinese",
    }
    assert common_prefix(repos, "google-research/bert") == "google-bert/bert-"


def test_third_party_copies_keep_their_owner_and_the_github_name_is_a_prefix_too() -> None:
    repos = ["acme/acme-bert-base", "acme/acme-distilbert", "quant/acme-bert-base-GGUF"]
    names = short_names(repos, "acme/acme-bert")
    assert names == {
        "acme/acme-bert-base": "base",
        "acme/acme-distilbert": "distilbert",  # only the family's shared "acme-" goes
        "quant/acme-bert-base-GGUF": "quant/base-GGUF",
    }


def test_prefixes_are_cut_at_word_boundaries_and_never_leave_nothing() -> None:
    assert short_names(["o/model", "o/model-large"]) == {"o/model": "model", "o/model-large": "large"}
    assert short_names(["o/abc1", "o/abc2"]) == {"o/abc1": "abc1", "o/abc2": "abc2"}  # "abc" is not a word
    assert short_names(["solo/only-model"], "solo/only") == {"solo/only-model": "only-model"}  # one: kept whole
    assert short_names([]) == {}


def test_plurals() -> None:
    assert plural(1, "family") == "1 family" and plural(2, "family") == "2 families"
    assert plural(1, "repository") == "1 repository" and plural(0, "repository") == "0 repositories"
    assert plural(1_234, "commit") == "1,234 commits" and noun(1, "commit") == "commit"
    assert plural(3, "match") == "3 matches" and plural(2, "monorepo family") == "2 monorepo families"


def test_in_step_words_follow_the_synchronization_type() -> None:
    assert [in_step(c) for c in ("CSF", "PSS", "ASR", "VSS", None, "")] == [
        "in step",
        "partly in step",
        "out of step",
        "out of step",
        None,
        None,
    ]

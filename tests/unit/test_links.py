"""Link extraction on real-shaped model cards, the study's heuristic beside ours, and set_link."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

import pytest

from core.config import load_settings
from core.errors import ConfigError, InputError
from core.mining.links import extract_link, override_link, search_terms, set_link, study_link

BERT_CARD = """---
language: en
tags:
- exbert
license: apache-2.0
datasets:
- bookcorpus
- wikipedia
---

# BERT base model (uncased)

Pretrained model on English language using a masked language modeling (MLM) objective. It was introduced in
[this paper](https://arxiv.org/abs/1810.04805) and first released in
[this repository](https://github.com/google-research/bert). This model is uncased.

Disclaimer: The team releasing BERT did not write a model card for this model.

## How to use

```python
>>> from transformers import pipeline
>>> unmasker = pipeline('fill-mask', model='bert-base-uncased')
```

### BibTeX entry and citation info

```bibtex
@article{DBLP:journals/corr/abs-1810-04805,
  author    = {Jacob Devlin and Ming{-}Wei Chang and Kenton Lee and Kristina Toutanova},
  title     = {{BERT:} Pre-training of Deep Bidirectional Transformers for Language Understanding},
  url       = {http://arxiv.org/abs/1810.04805},
}
```
"""


def test_terms_follow_the_study() -> None:
    assert search_terms("google-bert/bert-base-uncased") == ["google", "bert", "bert"]
    assert search_terms("dslim/bert-large-NER") == ["dslim", "bert"]
    assert search_terms("my_org-x/Model_v2") == ["my", "org", "x", "Model"]


def test_plain_card_link_matches_the_study() -> None:
    result = extract_link(BERT_CARD, "google-bert/bert-base-uncased")
    assert result.repo == "google-research/bert" and result.source == "card"
    assert not result.monorepo and not result.weak
    assert study_link(BERT_CARD, "google-bert/bert-base-uncased") == "google-research/bert"


def test_badge_images_are_rejected_and_badge_targets_are_weak() -> None:
    card = (
        "# acme-ner\n"
        "[![CI](https://github.com/acme/ci-tools/actions/workflows/ci.yml/badge.svg)](https://github.com/acme/ci-tools/actions)\n"
        "![stars](https://img.shields.io/github/stars/acme/acme-ner)\n\n"
        "Training code: https://github.com/acme/acme-ner-train.\n"
    )
    result = extract_link(card, "acme/acme-ner")
    assert result.repo == "acme/acme-ner-train"
    assert "acme/ci-tools" in result.candidates  # seen, but only behind a badge
    # The study takes the badge image URL itself.
    assert study_link(card, "acme/acme-ner") == "acme/ci-tools"
    badge_only = extract_link(
        card.replace("Training code: https://github.com/acme/acme-ner-train.", ""), "acme/acme-ner"
    )
    assert badge_only.repo == "acme/ci-tools" and badge_only.weak and badge_only.source == "citation"


def test_links_to_transformers_lose_to_the_models_own_repository() -> None:
    card = (
        "This model can be used with [🤗 Transformers](https://github.com/huggingface/transformers) "
        "(`pip install git+https://github.com/huggingface/transformers.git`).\n\n"
        "The original code is at https://github.com/huggingface-research/distil-ner.\n"
    )
    result = extract_link(card, "huggingface-research/distilbert-ner")
    assert result.repo == "huggingface-research/distil-ner" and not result.monorepo
    assert study_link(card, "huggingface-research/distilbert-ner") == "huggingface/transformers"


def test_a_monorepo_alone_is_kept_and_flagged() -> None:
    card = "Fine-tuned with https://github.com/facebookresearch/fairseq/tree/main/examples/roberta."
    result = extract_link(card, "facebook/roberta-ft")
    assert result.repo == "facebookresearch/fairseq" and result.monorepo
    assert "monorepo" in result.note()


def test_citation_links_are_weak_evidence() -> None:
    card = (
        "# dslim/bert-base-NER\n\n"
        "## Citation\n\n"
        "If you use it, please cite BERT (https://github.com/google-research/bert) and:\n\n"
        "```bibtex\n@misc{dslim2021,\n  howpublished = {\\url{https://github.com/dslim/old-experiments}}\n}\n```\n\n"
        "## Code\n\nThe training scripts live at https://github.com/dslim/bert-ner-train\n"
    )
    result = extract_link(card, "dslim/bert-base-NER")
    assert result.repo == "dslim/bert-ner-train" and not result.weak
    assert study_link(card, "dslim/bert-base-NER") == "google-research/bert"
    only_citation = card.split("## Code")[0]
    weak = extract_link(only_citation, "dslim/bert-base-NER")
    assert weak.repo == "google-research/bert" and weak.weak and weak.source == "citation"


def test_case_dot_git_www_and_html_are_normalised() -> None:
    card = 'See <a href="https://www.GitHub.com/Acme/Model-Code.git">the code</a>, or https://github.com/acme/x).'
    result = extract_link(card, "acme/model-base")
    assert result.repo == "Acme/Model-Code"
    # The study's pattern is case-sensitive and has no www: it misses the code and takes the other link.
    assert study_link(card, "acme/model-base") == "acme/x"


def test_metadata_repository_field_is_trusted_without_the_term_filter() -> None:
    card = "---\nlicense: mit\nrepository: https://github.com/lab-x/impl\n---\n# model\nNothing else here.\n"
    result = extract_link(card, "acme/model-base")
    assert result.repo == "lab-x/impl" and result.source == "metadata"
    assert study_link(card, "acme/model-base") is None
    from_hub_metadata = extract_link("# card", "acme/model-base", {"code": ["https://github.com/lab-x/impl2"]})
    assert from_hub_metadata.repo == "lab-x/impl2" and from_hub_metadata.source == "metadata"


def test_pages_that_are_not_repositories_are_ignored() -> None:
    card = (
        "Sponsor us: https://github.com/sponsors/acme . Profile: https://github.com/acme . "
        "Topics https://github.com/topics/acme-nlp and https://github.com/orgs/acme/people"
    )
    result = extract_link(card, "acme/model")
    assert result.repo is None and result.candidates == ()
    assert "no GitHub link" in result.note()


def test_no_matching_link_lists_the_candidates() -> None:
    card = "Built on https://github.com/someone/else and https://github.com/other/tool."
    result = extract_link(card, "acme/model")
    assert result.repo is None and result.candidates == ("someone/else", "other/tool")
    assert "someone/else" in result.note()


def test_hostile_urls_never_become_unsafe_ids() -> None:
    card = (
        "https://github.com/acme/..%2F..%2Fetc https://github.com/acme/-oProxyCommand=x https://github.com/acme/ok-repo"
    )
    assert extract_link(card, "acme/model").repo == "acme/ok-repo"


def test_config_and_watchlist_override_the_card() -> None:
    links = {"Acme/Model": "acme/from-config"}
    assert override_link("acme/model", links) is not None
    result = override_link("acme/model", links, "acme/from-watchlist")
    assert result is not None and result.repo == "acme/from-config" and result.source == "config"
    watched = override_link("acme/other", links, "acme/from-watchlist")
    assert watched is not None and watched.source == "watchlist"
    assert override_link("acme/other", links) is None


# -- set_link ---------------------------------------------------------------------------------

USER_CONFIG = """\
# my settings, keep this comment
offline = false

[hub]
min_downloads = 500  # lower than default

[links]
# a comment inside links
"old/model" = "old/repo"

[family_names]
"old/repo" = "old_family"
"""


def test_set_link_adds_to_links_keeping_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_CONFIG)
    os.chmod(path, 0o600)
    set_link(path, "acme/model", "acme/code")
    text = path.read_text()
    assert text.startswith("# my settings, keep this comment\n")
    assert "# a comment inside links" in text and "min_downloads = 500  # lower than default" in text
    data = tomllib.loads(text)
    assert data["links"] == {"old/model": "old/repo", "acme/model": "acme/code"}
    assert data["family_names"] == {"old/repo": "old_family"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_settings(path).links["acme/model"] == "acme/code"


def test_set_link_replaces_an_existing_entry(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_CONFIG)
    set_link(path, "old/model", "new/repo")
    text = path.read_text()
    assert text.count("old/model") == 1 and tomllib.loads(text)["links"] == {"old/model": "new/repo"}


def test_set_link_creates_the_file_or_the_table(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    set_link(path, "acme/model", "acme/code")
    assert tomllib.loads(path.read_text()) == {"links": {"acme/model": "acme/code"}}
    other = tmp_path / "other.toml"
    other.write_text("[hub]\nmin_downloads = 5")
    set_link(other, "acme/model", "acme/code")
    assert tomllib.loads(other.read_text()) == {"hub": {"min_downloads": 5}, "links": {"acme/model": "acme/code"}}


def test_set_link_refuses_bad_input_and_leaves_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("links = { a = 1 ")
    with pytest.raises(ConfigError, match="not valid TOML"):
        set_link(path, "acme/model", "acme/code")
    assert path.read_text() == "links = { a = 1 "
    path.write_text('links = { "x/y" = "a/b" }\n')
    with pytest.raises(ConfigError, match="by hand"):
        set_link(path, "acme/model", "acme/code")
    with pytest.raises(InputError, match="Invalid GitHub repository id"):
        set_link(path, "acme/model", "../../etc/passwd")
    with pytest.raises(InputError, match="Invalid model id"):
        set_link(path, "-rf/x", "acme/code")
    assert path.read_text() == 'links = { "x/y" = "a/b" }\n'

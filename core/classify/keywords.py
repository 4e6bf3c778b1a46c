r"""Provides the message rules: fixed commit markers and ordered keyword rules on commit titles.

Markers are messages that tools write (the Hub's upload tool, GitHub mirrors, ``initial
commit``); they say what the commit is whatever files it touches. Keyword rules read the words
people use for each change type (docs/method.md §5's descriptions) and are tried in order, so a
title that names several things gets the label of the earliest, most telling rule: "demo for
fine-tuning" is documentation, "tokenizer update" is preprocessing. Texts are lower-cased with
``_`` turned into spaces first, so ``\\b`` sees ``readme_ja.md`` as the word ``readme``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from core.classify.exprs import first_match

# A title that only tags a pull request number: "Update README.md (#12)".
_PR = r"(\s*\(#\d+\))?\.?\s*$"


@dataclass(frozen=True, slots=True)
class KeywordRule:
    """A regex on the prepared title, the label it gives, its confidence and why it exists."""

    name: str
    label: str
    pattern: str
    confidence: float
    why: str


# --- markers: tool-written messages ----------------------------------------------------------

# "Auto Sync from git://github.com/org/repo.git/commit/<sha>" and similar mirror messages; a
# title that points at a GitHub commit is a mirror of it.
AUTO_SYNC: Final = (
    r"\bauto[ -]?sync(ed|ing)?\b|\bsync(ed|ing)? (from|with) (git://|https?://)?(www\.)?github"
    r"|\bmirror(ed|ing)? (of|from) (git://|https?://)?(www\.)?github|github\.com[/:][^\s]+/commit/[0-9a-f]{7,40}"
)
# The sha of the GitHub commit an auto-sync commit mirrors (group 1).
LINKED_SHA: Final = r"(?i)github\.com[/:][^\s/]+/[^\s/]+?(?:\.git)?/commit/([0-9a-f]{7,40})"
# Messages of the Hub's upload paths (huggingface_hub, the web uploader, large-upload tool) and
# titles that only say files were added: publishing a bundle, i.e. sharing.
HUB_UPLOAD: Final = (
    r"(using|with|via) huggingface[ _-]?hub|\blarge[ -]upload tool\b|^upload folder\b|^upload \d+ files?\b"
    r"|^add(ed|ing)? files (via|using|with) upload|^(add|upload)(ed|ing|s)?( \w+){0,2} files?" + _PR
)
# A title that is nothing but "initial commit" / "first commit" / "init": creating the repository.
INITIAL_COMMIT: Final = r"^\W*(initial|first|init|initialize|initialise)( \w+)? commit" + _PR + r"|^\W*init(ial)?" + _PR
MERGE: Final = r"^merge (branch|pull request|remote-tracking|commit|tag)\b|^merge .* into \w+"
# Evaluation results and metadata are written into the model card (model-index, YAML header):
# a card edit that says so is validation infrastructure or project metadata, not documentation.
CARD_EVAL: Final = (
    r"\b(eval(uation)? results?|verify ?token|model[ -]index|results? on (the )?\w+ (config|split|dataset|benchmark))\b"
)
CARD_METADATA: Final = r"\bmeta[ -]?data\b"
# Code edits that only touch comments or docstrings, or that make code faster/leaner.
CODE_COMMENTS: Final = r"\b(comments?|commented|docstrings?|doc strings?|type hints?|typos?|spelling)\b"
# Verbs that give a dependency change its direction, and a file mentioned in a title its status.
ADDED_VERB: Final = (
    r"^\W*(\[[^\]]*\]\s*)*(create[sd]?|creating|add(s|ed|ing)?|upload(s|ed|ing)?|new|initial|introduce[sd]?)\b"
)
DELETED_VERB: Final = r"^\W*(\[[^\]]*\]\s*)*(delete[sd]?|deleting|remove[sd]?|removing|rm|drop(s|ped)?)\b"
BUG_FIX: Final = r"\b(bugs?|fix(es|ed|ing)?|hot ?fix|errors?|crash(es)?|broken|wrong|incorrect|issues?)\b"

# --- keyword rules, in order ----------------------------------------------------------------

KEYWORD_RULES: Final = (
    KeywordRule(
        "remove-dependency",
        "remove dependency",
        r"\b(remove[sd]?|removing|drop(s|ped)?|delete[sd]?|uninstall)\b.*\b(dependenc(y|ies)|requirements?|packages?"
        r"|librar(y|ies))\b",
        0.75,
        "removing a package from the requirements",
    ),
    KeywordRule(
        "add-dependency",
        "add dependency",
        r"\badd(s|ed|ing)?\b.*\b(dependenc(y|ies)|requirements?(\.txt)?)\b",
        0.75,
        "adding a package to the requirements",
    ),
    KeywordRule(
        "update-dependency",
        "update dependency",
        r"\b(bump(s|ed)?|upgrade[sd]?|downgrade[sd]?)\b|\bpin(s|ned)? \S+ (to|at|version)\b"
        r"|\brequirements?(\.txt)?\b|\bdependenc(y|ies)\b|\b[a-z][\w.-]*\s?(>=|==|<=|~=)\s?\d",
        0.7,
        "version bumps, pins and requirement edits",
    ),
    KeywordRule(
        "internal-docs",
        "internal documentation",
        r"\b(comments?|commented|docstrings?|doc strings?|type hints?|inline doc)\b",
        0.7,
        "code comments and docstrings are internal documentation",
    ),
    KeywordRule(
        "external-docs",
        "external documentation",
        r"\b(readme|docs?|documentation|model ?card|typos?|spelling|grammar|links?|urls?|paper|arxiv|citations?|cite"
        r"|bibtex|licen[cs]es?|faq|news|logo|figures?|images?|pictures?|screenshots?|diagrams?|gifs?|demos?"
        r"|examples?|tutorials?|notebooks?|colab|badges?|blog|guides?|usage|instructions?|quick ?start|wechat"
        r"|discord|contact|descriptions?|desc|acknowledge?ments?|changelog|release notes?|markdown|wiki|intro"
        r"|introduction|info|information|announcements?|cookbook|disclaimer|header)\b|\.md\b|\.ipynb\b",
        0.75,
        "words for READMEs, model cards, links, citations, licences, demos and examples",
    ),
    KeywordRule(
        "sharing",
        "sharing",
        r"\b(upload(s|ed|ing)?|publish(es|ed|ing)?|push(es|ed|ing)? (to|the) (hub|hf|hugging ?face)|mirror(s|ed|ing)?"
        r"|sync(s|ed|ing)?|git lfs|lfs)\b",
        0.7,
        "uploading, publishing, mirroring and LFS",
    ),
    KeywordRule(
        "performance",
        "pipeline performance",
        r"\b(speed(s|ed)? ?up|faster|slow(er|ness)?|latency|throughput|memory|oom|out of memory|vram|efficien(t|cy)"
        r"|optimi[sz](e|ed|es|ation|ing)|accelerat(e|ed|es|ion)|flash[ -]?(attn|attention)|kv ?cache|vllm|tensorrt"
        r"|fp16|bf16|int[48]|half precision|mixed precision|quantiz(e|ed|ation)|gptq|awq|batch(ed|ing)? inference"
        r"|multi[ -]?gpu|cuda graphs?|profil(e|ing))\b",
        0.7,
        "speed and memory optimisation",
    ),
    KeywordRule(
        "training",
        "training infrastructure",
        r"\b(train(s|ed|ing|er)?|re-?train(ed|ing)?|fine[ -]?tun(e|ed|es|ing)|finetun(e|ed|es|ing)|pre-?train"
        r"|pre-?training|sft|q?lora|peft|deepspeed|epochs?|rlhf|dpo|ppo|distill(ation|ed)?|warm-?up|loss|gradients?|optimizers?)\b",
        0.7,
        "training and fine-tuning code and runs",
    ),
    KeywordRule(
        "validation",
        "validation infrastructure",
        r"\b(eval(s|uat(e|ed|es|ing|ion|ions|or))?|benchmark(s|ed|ing)?|metrics?|scores?|scoring|leaderboard|accuracy"
        r"|f1|bleu|rouge|perplexity|tests?|testing|unit ?tests?|validat(e|ion|ing)|mmlu|gsm8k|humaneval)\b",
        0.7,
        "evaluation, benchmarks, metrics and tests",
    ),
    KeywordRule(
        "preprocessing",
        "preprocessing",
        r"\b(tokeni[sz](e|er|ers|ed|ation|ing)|detokeni[sz]\w*|vocab(ulary)?|pre-?process(ing|or|ed)?|prepro|bpe"
        r"|sentencepiece|spm|merges|special tokens?|added tokens?|chat ?template|prompt ?(template|format)"
        r"|normali[sz](e|ation)|data ?clean(ing)?|clean(ing)? data|collat(e|or)|padding|truncat(e|ion))\b",
        0.7,
        "tokenizers, vocabularies and input processing",
    ),
    KeywordRule(
        "parameters",
        "parameter tuning",
        r"\b(config(uration)?s?|hyper-?param(eter)?s?|params?|parameters?|learning ?rate|lr|batch ?size|temperature"
        r"|top[ -]?[pk]|generation ?config|beams?|max new tokens|rope ?scaling|default (values?|settings?))\b",
        0.65,
        "configs and hyper-parameters",
    ),
    KeywordRule(
        "input-data",
        "input data",
        r"\b(data ?sets?|corpus|corpora|training data|new data|data|annotations?|translations?)\b",
        0.6,
        "datasets and corpora",
    ),
    KeywordRule(
        "output-data",
        "output data",
        r"\b(outputs?|results?|predictions?|generations?|generated|samples?|logs?|responses?|completions?)\b",
        0.6,
        "model outputs, samples and result files",
    ),
    KeywordRule(
        "model",
        "model structure",
        r"\b(models?|weights?|checkpoints?|ckpts?|safetensors|architectures?|layers?|heads?|embeddings?|attention"
        r"|moe|gguf|ggml|onnx|core ?ml|flax|variants?|convert(ed|ing|s)?|conversion|pooling|adapters?)\b",
        0.6,
        "weights, checkpoints, architecture and model code",
    ),
    KeywordRule(
        "metadata",
        "project metadata",
        r"\b(meta ?data|tags?|gitignore|gitattributes|ci|workflows?|github actions?|issue templates?|pr templates?"
        r"|pre-?commit|codeowners|contributing|code of conduct|security policy)\b",
        0.6,
        "repository metadata and housekeeping",
    ),
)


def prepared_text(expr: pl.Expr) -> pl.Expr:
    """Lower-case a message and turn ``_`` into spaces, so word boundaries fall between name parts."""
    return expr.fill_null("").str.to_lowercase().str.replace_all("_", " ", literal=True)


def first_keyword(text: pl.Expr) -> pl.Expr:
    """Return the name of the first keyword rule that matches ``text`` (null when none does).

    ``text`` must be prepared with ``prepared_text``; ``KEYWORD_LABEL`` maps the name to its label.
    """
    cases = ((text.str.contains(rule.pattern), pl.lit(rule.name)) for rule in KEYWORD_RULES)
    return first_match(cases, pl.lit(None, dtype=pl.String))


KEYWORD_LABEL: Final = {rule.name: rule.label for rule in KEYWORD_RULES}
KEYWORD_CONFIDENCE: Final = {rule.name: rule.confidence for rule in KEYWORD_RULES}

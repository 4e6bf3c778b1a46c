r"""Provides the file-path rules: what kind of file each changed path is, as ordered regex categories.

A commit's changed files are the best evidence of what it changed, on both platforms: a Hub
commit that touches only ``tokenizer.json`` is preprocessing whatever its title says. Each
lower-cased path is matched against the categories below in order; the first match wins, so
the order encodes which reading is more specific (``training_args.bin`` is a training
artefact before it is a ``.bin`` weight file). Every category says why it exists. The
categories know nothing about particular repositories: they describe the file conventions of
the Hub (transformers, sentence-transformers, diffusers, GGUF) and of ML code on GitHub.

A category matches on the file's *name* or on the *directories* above it: ``name_pattern`` is
a regex on the last path segment, matched once per distinct name (names repeat far more than
paths do); ``dir_pattern`` is a regex on the whole path that only looks at directory parts
(``(^|/)docs/``), possibly together with the extension (``(^|/)models?/.*\.py$``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import polars as pl

from core.classify.exprs import first_match

# Source and build files that carry code; used by several categories below.
CODE_EXT: Final = (
    r"py|pyi|pyx|pxd|sh|bash|zsh|c|cc|cpp|cu|cuh|h|hpp|js|mjs|ts|java|go|rs|rb|jl|r|lua|scala|swift|kt|m|mm"
    r"|php|pl|ps1|bat"
)
# A keyword at the start of a file name or after a non-letter ("04-add-bench-train.py",
# "run_eval.py") but not inside a word ("constraints.py", "retrieval.py").
_WORD_START: Final = r"^([^/]*[^a-z/])?"


@dataclass(frozen=True, slots=True)
class PathCategory:
    """One kind of file: its name, regexes on the file name and on its directories, and why it is a category."""

    name: str
    name_pattern: str | None
    dir_pattern: str | None
    why: str


PATH_CATEGORIES: Final = (
    PathCategory(
        "gitattributes",
        r"^\.gitattributes$",
        None,
        "Git LFS tracking rules; docs/method.md §5 files .gitattributes under project metadata",
    ),
    PathCategory(
        "artefact",
        r"^(\.ds_store|thumbs\.db|\.ipynb_checkpoints|__pycache__|\.idea|\.vscode)$|\.pyc$",
        r"(^|/)(\.ipynb_checkpoints|__pycache__|\.idea|\.vscode)/",
        "editor and runtime leftovers; removing one is 'removing an artefact' (docs/method.md §5)",
    ),
    PathCategory(
        "meta",
        r"^(codeowners|contributing(\.[a-z]+)?|code_of_conduct(\.[a-z]+)?|security\.md|makefile|tox\.ini"
        r"|modelcard\.json|mypy\.ini|cmakelists\.txt|manifest\.in|codecov\.ya?ml)$|^\.[a-z]",
        r"(^|/)\.(github|circleci|husky)/",
        "repository housekeeping (CI, templates, dotfiles, contribution rules) is project metadata",
    ),
    PathCategory(
        "license",
        r"(license|licence)|^(copying|notice)([._-][^/]*)?$",
        None,
        "licence files: documentation of terms, or project metadata when created on the Hub (see rules)",
    ),
    PathCategory(
        "media",
        r"\.(png|jpe?g|gif|svg|webp|bmp|ico|pdf|drawio|mp4|mov|webm|pptx?|key|docx?)$",
        None,
        "figures, logos and demo videos illustrate the documentation",
    ),
    PathCategory(
        "deps",
        r"^(requirements[^/]*\.(txt|in)|constraints[^/]*\.txt|setup\.py|setup\.cfg|pyproject\.toml"
        r"|environment[^/]*\.ya?ml|conda[^/]*\.ya?ml|pipfile(\.lock)?|poetry\.lock|uv\.lock|package(-lock)?\.json"
        r"|yarn\.lock|cargo\.(toml|lock)|go\.(mod|sum)|gemfile(\.lock)?|dockerfile[^/]*)$",
        None,
        "dependency manifests; added, modified or deleted they are add/update/remove dependency",
    ),
    PathCategory(
        "tokenizer",
        r"^(tokenizer[^/]*\.(json|model|txt)|vocab[^/]*\.(txt|json|bpe|model|vocab)|merges\.txt|dict[^/]*\.txt"
        r"|encoder\.json|special_tokens_map\.json|added_tokens\.json|spiece\.model"
        r"|sentencepiece[^/]*\.model|spm[^/]*\.model|[^/]*\.spm|bpe[^/]*\.(codes|model|txt|json)|chat_template[^/]*"
        r"|preprocessor_config\.json|feature_extractor[^/]*\.json|processor_config\.json|normalizer\.json)$",
        r"(^|/)tokenizers?/",
        "tokenizer, vocabulary and input-processor files: preprocessing (docs/method.md §5)",
    ),
    PathCategory(
        "train_artefact",
        r"^(training_args\.(bin|json)|trainer_state\.json|optimizer\.(pt|bin)|scheduler\.pt|rng_state[^/]*\.pth"
        r"|train_results\.(json|txt)|all_results\.json|events\.out\.tfevents[^/]*|ds_config[^/]*|deepspeed[^/]*\.json"
        r"|accelerate[^/]*\.ya?ml|zero_?[123][^/]*\.json)$",
        r"(^|/)runs/",
        "what a training run leaves behind (Trainer state, optimiser, TensorBoard runs, DeepSpeed configs)",
    ),
    PathCategory(
        "weights",
        r"\.(bin|safetensors|h5|hdf5|ckpt|msgpack|onnx|onnx_data|gguf|ggml|pt|pth|pb|tflite|ot|mlmodel|npz|keras"
        r"|caffemodel|pdparams|pdmodel|engine|nemo|llamafile|mlpackage)$|\.(safetensors|bin)\.index\.json$",
        r"\.mlpackage/|(^|/)(saved_model|checkpoints?|ckpts?|weights)/",
        "weights and checkpoints in every common format: model structure (docs/method.md §5)",
    ),
    PathCategory(
        "docs",
        r"\.(md|mdx|markdown|rst|adoc|tex|bib|ipynb|html?|css)$"
        r"|^(readme[^/]*|changelog[^/]*|changes(\.[a-z]+)?|history(\.[a-z]+)?|faq[^/]*|citation\.cff"
        r"|authors(\.[a-z]+)?)$",
        r"(^|/)(docs?|documentation|examples?|demos?|tutorials?|notebooks?|cookbooks?|recipes|assets|images?|imgs?"
        r"|figures?|figs?|website|site|blog|colab)/",
        "model cards, READMEs, docs, notebooks, examples and demos are external documentation",
    ),
    PathCategory(
        "eval_results",
        _WORD_START + r"(eval|metric|score|leaderboard|benchmark|perplexity|bleu|rouge|accuracy)[^/]*"
        r"\.(json|txt|csv|tsv|jsonl|log|ya?ml)$",
        None,
        "evaluation results and metric files are validation infrastructure",
    ),
    PathCategory(
        "data_split",
        r"^(train|dev|valid|validation|test)([._-][^/]*)?\.(txt|json|jsonl|csv|tsv|conll|parquet|arrow)$",
        None,
        "train/dev/test split files are input data, not training or test code",
    ),
    PathCategory(
        "eval_code",
        _WORD_START + rf"(eval|benchmark|metric|score|leaderboard|perplexity|test|bleu|rouge)[^/]*\.({CODE_EXT})$",
        r"(^|/)(evals?|evaluation|evaluate|benchmarks?|bench|tests?|testing|metrics?|leaderboard)/",
        "evaluation, benchmark and test code is validation infrastructure",
    ),
    PathCategory(
        "config",
        r"^(config\.json|generation_config[^/]*\.json|[^/]*config[^/]*\.(json|ya?ml|toml|cfg|ini)|params\.json"
        r"|hparams[^/]*|[^/]*hyper[-_]?param[^/]*|model_args\.json|modules\.json)$",
        r"(^|/)(configs?|conf|hparams)/.*\.(json|ya?ml|toml|cfg|ini)$",
        "model and generation configs hold hyper-parameters: parameter tuning (docs/method.md §5)",
    ),
    PathCategory(
        "preproc_code",
        _WORD_START + r"(preprocess|prepro|tokeniz|data_?util|data_?load|dataset|collat|augment|clean|normali[sz]"
        rf"|segment|sentencepiece|create_[^/]*data)[^/]*\.({CODE_EXT})$",
        rf"(^|/)data/.*\.({CODE_EXT})$",
        "tokenisation, cleaning and data-loading code (and code under data/) is preprocessing",
    ),
    PathCategory(
        "train_code",
        _WORD_START + rf"(train|finetun|fine[-_]tun|pretrain|sft|lora|distill|rlhf|dpo|ppo)[^/]*\.({CODE_EXT}"
        rf"|ya?ml|toml|cfg)$|^run_(clm|mlm|glue|squad|classifier|pretraining|ner|seq2seq|translation|summarization"
        rf"|qa|lm)[^/]*\.({CODE_EXT})$",
        r"(^|/)(train|training|trainer|finetune|fine[-_]tune|finetuning|fine[-_]tuning|pretrain|pretraining|sft|rlhf|dpo"
        r"|scripts)/",
        "training and fine-tuning code and launch scripts are training infrastructure",
    ),
    PathCategory(
        "data",
        None,
        r"(^|/)(data|datasets?|corpus|corpora|raw_data)/",
        "files under a data directory are input data",
    ),
    PathCategory(
        "output",
        r"(results?|samples?|predictions?|outputs?|generated|generations?)[^/]*\.(json|txt|csv|tsv|jsonl|log|npy)$"
        r"|\.log$",
        r"(^|/)([^/]*[^a-z/])?(outputs?|results?|samples?|predictions?|generations?|logs?)/.*"
        r"\.(json|jsonl|txt|csv|tsv|log|npy|out)$",
        "model outputs, samples, predictions and result files are output data",
    ),
    PathCategory(
        "data_files",
        r"\.(csv|tsv|jsonl|parquet|arrow|tgz|tar|gz|zip|7z|xz|bz2|db|sqlite|conll|iob)$",
        None,
        "dataset and corpus files are input data",
    ),
    PathCategory(
        "model_code",
        _WORD_START + r"(model|modeling|modelling|configuration|architecture|layers?|attention|network|transformer"
        r"|encoder|decoder|embedding|moe|rope)[^/]*\.(py|cc|cpp|cu|cuh|h|hpp|jl)$",
        r"(^|/)(models?|modeling|modules?|layers|networks?|arch|architectures?|nn|attention)/.*"
        r"\.(py|cc|cpp|cu|cuh|h|hpp|jl)$",
        "model definition code (modeling_*.py, layers, attention) is model structure",
    ),
    PathCategory(
        "code",
        rf"\.({CODE_EXT}|cmake|proto)$",
        r"(^|/)(bin|src|lib)/",
        "other source code: its kind comes from the message, or from a model when asked",
    ),
)

CATEGORY_NAMES: Final = tuple(c.name for c in PATH_CATEGORIES) + ("other",)
_NO_MATCH: Final = len(PATH_CATEGORIES)


def _first_index(text: pl.Expr, field: str) -> pl.Expr:
    """The index of the first category whose ``field`` pattern matches ``text`` (``_NO_MATCH`` if none)."""
    cases = (
        (text.str.contains(pattern), pl.lit(index, dtype=pl.Int16))
        for index, category in enumerate(PATH_CATEGORIES)
        if (pattern := getattr(category, field)) is not None
    )
    return first_match(cases, pl.lit(_NO_MATCH, dtype=pl.Int16))


def categorise_frame(paths: pl.DataFrame, column: str = "path") -> pl.DataFrame:
    """Return ``paths`` with a ``category`` column for its lower-cased ``column``.

    A path belongs to the first category whose name rule matches its file name or whose
    directory rule matches the path. Name rules run once per distinct file name.
    """
    path = pl.col(column)
    with_names = paths.with_columns(path.str.replace(r"^.*/", "").alias("_name"))
    names = with_names.select(pl.col("_name").unique()).with_columns(
        _first_index(pl.col("_name"), "name_pattern").alias("_n")
    )
    labels = dict(enumerate(CATEGORY_NAMES))
    return (
        with_names.join(names, on="_name", how="left")
        .with_columns(_first_index(path, "dir_pattern").alias("_d"))
        .with_columns(pl.min_horizontal("_n", "_d").replace_strict(labels, return_dtype=pl.String).alias("category"))
        .drop("_name", "_n", "_d")
    )


def categorise_paths(paths: pl.Series) -> pl.DataFrame:
    """Return ``path, category`` for each distinct lower-cased path in ``paths`` (for tests and docs)."""
    unique = pl.DataFrame({"path": paths.str.to_lowercase().unique().sort()})
    return categorise_frame(unique).select("path", "category")

"""The offline rules: real commit titles and file lists, markers, precedence, and frame contracts."""

from __future__ import annotations

import polars as pl
import pytest

from core.classify.paths import categorise_paths
from core.classify.rules import OUTPUT_COLUMNS, classify_frame
from core.commits import parse_utc_times
from core.models import ALL_LABELS
from tests.conftest import shared_path

# Real commits of ../shared/data/timelines/commits.csv: (repo, sha prefix, expected label, why).
REAL_COMMITS = [
    ("google-bert/bert-base-uncased", "86b5e09344", "preprocessing", "only tokenizer_config.json"),
    ("google-bert/bert-base-uncased", "1dbc166cf8", "model structure", "model.onnx added"),
    ("google-bert/bert-base-uncased", "a265f773a4", "model structure", "Core ML package"),
    ("google-bert/bert-base-uncased", "418430c3b5", "project metadata", "licence file created on the Hub"),
    ("google-bert/bert-base-uncased", "b96743c503", "project metadata", "only .gitattributes"),
    ("google-bert/bert-base-uncased", "5546055f03", "external documentation", "README only"),
    ("google-bert/bert-base-uncased", "5b16e96ccd", "parameter tuning", "config.json only"),
    ("google-bert/bert-base-uncased", "1a30f97119", "preprocessing", "no files; the title names vocab.txt"),
    ("facebook/bart-large-cnn", "3d224934c6", "parameter tuning", "generation configs"),
    ("facebook/bart-large-cnn", "be915e79f3", "remove dependency", "stray checkpoint directory deleted"),
    ("facebook/bart-large-cnn", "45b6053e29", "project metadata", "card metadata edit"),
    ("facebook/bart-large-cnn", "9137060abd", "validation infrastructure", "evaluation results in the card"),
    ("microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract", "10b8ceaf55", "model structure", "weights fixed"),
    ("microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract", "140741ee37", "external documentation", "README"),
    ("01-ai/Yi", "6d114f0a1d", "training infrastructure", "fine-tuning code"),
    ("01-ai/Yi", "86469315e9", "project metadata", "issue templates"),
    ("01-ai/Yi", "88b731e6d6", "add dependency", "requirements.txt added"),
    ("01-ai/Yi", "0a9af34985", "update dependency", "requirements.txt modified"),
    ("QwenLM/Qwen", "2b565da220", "validation infrastructure", "evaluation script"),
    ("QwenLM/Qwen", "a24b22758a", "project metadata", "CI workflow"),
    ("QwenLM/Qwen", "daf00604d9", "training infrastructure", "finetune.py"),
    ("QwenLM/Qwen", "0e3cccda48", "add dependency", "GitHub web upload of requirements.txt: the file decides"),
    ("AUGMXNT/shisa", "b980f644f6", "preprocessing", "tokenizer-building script"),
    ("cahya-wirawan/indonesian-language-models", "01414cee35", "input data", "dataset archive"),
    ("cahya-wirawan/indonesian-language-models", "eaabfe40c4", "pipeline performance", "fp16 option in code"),
    ("openai/gpt-2", "16095a6139", "output data", "generated samples"),
    ("openai/gpt-2", "c2dae27c10", "project metadata", "First commit"),
    ("google-research/bert", "ea8737bdd9", "preprocessing", "tokenization.py"),
]


@pytest.fixture(scope="module")
def real() -> pl.DataFrame:
    frame = pl.read_csv(shared_path("data", "timelines", "commits.csv"), infer_schema=False)
    frame = frame.with_columns(parse_utc_times(frame["authored_at"]).alias("authored_at"))
    labelled = classify_frame(frame)
    return pl.concat([frame.select("sha", "title", "files"), labelled], how="horizontal")


@pytest.mark.shared_data
@pytest.mark.parametrize(("repo", "sha", "label", "why"), REAL_COMMITS)
def test_real_commits(real: pl.DataFrame, repo: str, sha: str, label: str, why: str) -> None:
    row = real.filter((pl.col("repo") == repo) & pl.col("sha").str.starts_with(sha))
    assert row.height == 1
    assert row["label"][0] == label, f"{why}: {row.select('title', 'files', 'label', 'reason').row(0)}"


@pytest.mark.shared_data
def test_every_real_commit_gets_a_known_label(real: pl.DataFrame) -> None:
    assert real["label"].is_in(list(ALL_LABELS)).all()
    assert real["confidence"].is_between(0, 1).all()
    assert real["reason"].is_not_null().all()
    # The rules leave little unexplained in real histories.
    assert (real["label"] == "unclear").mean() < 0.02  # type: ignore[operator]


def frame(rows: list[dict[str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={k: pl.String for k in ("platform", "repo", "sha", "title", "message", "files")})


def one(title: str, files: str = "", platform: str = "huggingface", message: str = "") -> tuple[str, float, str]:
    out = classify_frame(
        frame([{"platform": platform, "repo": "o/r", "sha": "s1", "title": title, "message": message, "files": files}])
    )
    return out["label"][0], out["confidence"][0], out["reason"][0]


@pytest.mark.parametrize(
    ("title", "files", "platform", "label"),
    [
        # Markers say what a commit is whatever files it touches.
        ("Upload folder using huggingface_hub", "A:model.safetensors|A:config.json", "huggingface", "sharing"),
        ("Upload 12 files", "", "huggingface", "sharing"),
        ("add common files", "A:config.json|A:tokenizer.json", "huggingface", "sharing"),
        ("initial commit", "A:.gitattributes|A:README.md", "huggingface", "project metadata"),
        ("Merge branch 'main' of https://huggingface.co/o/m into main", "", "huggingface", "sharing"),
        # One kind of file: the files decide.
        (
            "Update",
            "M:model-00001-of-00002.safetensors|M:model.safetensors.index.json",
            "huggingface",
            "model structure",
        ),
        ("Update", "A:ggml-model-q4_0.gguf", "huggingface", "model structure"),
        ("Update", "M:sentencepiece.bpe.model", "huggingface", "preprocessing"),
        ("Update", "M:generation_config.json", "huggingface", "parameter tuning"),
        ("Update", "D:requirements.txt", "github", "remove dependency"),
        ("Update", "M:pyproject.toml", "github", "update dependency"),
        ("Update", "A:environment.yml", "github", "add dependency"),
        ("Update", "M:docs/usage.rst", "github", "external documentation"),
        ("Update", "M:evaluation/run_glue_eval.py", "github", "validation infrastructure"),
        ("Update", "A:data/train.jsonl", "github", "input data"),
        ("Update", "A:outputs/predictions.jsonl", "github", "output data"),
        ("Update", "M:src/modeling_llama.py", "github", "model structure"),
        ("Update", "M:LICENSE", "github", "external documentation"),
        # A specific title keyword wins over a mix of files; documentation words do not.
        ("tokenizer update", "M:tokenizer.json|M:pytorch_model.bin|M:config.json", "huggingface", "preprocessing"),
        ("Train the model longer", "M:pytorch_model.bin|M:config.json", "huggingface", "training infrastructure"),
        ("update readme and training script", "M:README.md|M:train.py", "github", "training infrastructure"),
        # Code-only edits whose title says comments or speed.
        ("Add comments to the attention block", "M:model/attention.py", "github", "internal documentation"),
        ("Speed up decoding", "M:src/generate.py", "github", "pipeline performance"),
        # No files (the study's GitHub sample): titles and named files decide.
        ("update readme.md", "", "github", "external documentation"),
        ("demo for finetuning on dbrd", "", "github", "external documentation"),
        ("removed unused preprocessor", "", "github", "preprocessing"),
        ("bump transformers to 4.40", "", "github", "update dependency"),
        ("create license", "", "github", "external documentation"),
        ("Create LICENSE", "", "huggingface", "project metadata"),
    ],
)
def test_rules(title: str, files: str, platform: str, label: str) -> None:
    assert one(title, files, platform)[0] == label


def test_auto_sync_links_the_github_commit() -> None:
    sha = "424329fdcf69b091cde1891dc2424b206f3573b3"
    out = classify_frame(
        frame(
            [
                {
                    "platform": "huggingface",
                    "repo": "01-ai/Yi-6B",
                    "sha": "a" * 40,
                    "title": f"Auto Sync from git://github.com/01-ai/Yi.git/commit/{sha}",
                    "message": "",
                    "files": "README.md",
                },
                {
                    "platform": "huggingface",
                    "repo": "o/m",
                    "sha": "b" * 40,
                    "title": "Update README.md",
                    "message": "",
                    "files": "README.md",
                },
            ]
        )
    )
    assert out["label"].to_list() == ["sharing", "external documentation"]
    assert out["reason"][0] == "marker:auto-sync" and out["confidence"][0] >= 0.9
    assert out["linked_sha"].to_list() == [sha, None]


def test_unknown_commits_are_unclear_with_no_confidence() -> None:
    label, confidence, reason = one("wip", "", "github")
    assert (label, confidence, reason) == ("unclear", 0.0, "no rule")


def test_generic_code_falls_below_the_default_threshold() -> None:
    label, confidence, _ = one("tweak", "M:app/server.py", "github")
    assert label == "model structure" and confidence < 0.6


def test_files_named_in_a_title_count_for_less_than_listed_files() -> None:
    assert one("Update config.json", "")[1] < one("Update config.json", "M:config.json")[1]


def test_output_keeps_row_order_count_and_commit_keys() -> None:
    rows = [
        {"platform": "github", "repo": "o/c", "sha": "", "title": "update readme.md", "message": "", "files": ""},
        {
            "platform": "huggingface",
            "repo": "o/m",
            "sha": "abc",
            "title": "Update config.json",
            "message": "",
            "files": "config.json",
        },
        {
            "platform": "github",
            "repo": "o/c",
            "sha": "def",
            "title": "Update train.py",
            "message": "",
            "files": "M:train.py|M:README.md",
        },
    ]
    data = frame(rows).with_columns(
        parse_utc_times(pl.Series("authored_at", ["2020-01-01 10:00:00+00:00", "2020-01-02", "2020-01-03"]))
    )
    out = classify_frame(data)
    assert out.columns == list(OUTPUT_COLUMNS)
    assert out["commit_key"].to_list() == ["2020-01-01T10:00:00\x1fupdate readme.md", "abc", "def"]
    assert out["label"].to_list() == ["external documentation", "parameter tuning", "training infrastructure"]


def test_empty_input() -> None:
    out = classify_frame(frame([]))
    assert out.height == 0 and out.columns == list(OUTPUT_COLUMNS)


def test_path_categories_do_not_match_inside_words() -> None:
    found = dict(
        categorise_paths(
            pl.Series(
                [
                    "src/retrieval.py",
                    "constraints.py",
                    "tests/test_tokenizer.py",
                    "examples/train.py",
                    "training_args.bin",
                    "tokenizer.model",
                    "human_eval.png",
                ]
            )
        ).iter_rows()
    )
    assert found == {
        "src/retrieval.py": "code",
        "constraints.py": "code",
        "tests/test_tokenizer.py": "eval_code",
        "examples/train.py": "docs",
        "training_args.bin": "train_artefact",
        "tokenizer.model": "tokenizer",
        "human_eval.png": "media",
    }

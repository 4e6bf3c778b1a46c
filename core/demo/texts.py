"""Provides the demo's commit vocabulary: believable titles and changed files for each change type.

Titles follow what real repositories show (docs/method.md §5 lists typical commits per type): on
the Hub, card edits, config and tokenizer uploads, safetensors conversions and uploads with
huggingface_hub; on GitHub, training and evaluation code, dependencies and docs. Placeholders
in braces are filled per family by the generator.
"""

from __future__ import annotations

from typing import Final

Template = tuple[str, str]  # (title, files as in docs/formats.md: "S:path|S:path")

GITHUB_TEMPLATES: Final[dict[str, tuple[Template, ...]]] = {
    "model structure": (
        ("Add rotary position embeddings", "M:{pkg}/modeling.py|A:{pkg}/rotary.py"),
        ("Refactor attention into its own module", "A:{pkg}/attention.py|M:{pkg}/modeling.py"),
        ("Support grouped-query attention", "M:{pkg}/attention.py|M:{pkg}/config.py"),
        ("Add a token classification head", "M:{pkg}/heads.py|M:{pkg}/__init__.py"),
        ("Tie input and output embeddings", "M:{pkg}/modeling.py"),
        ("Add checkpoint conversion script for the {size} model", "A:scripts/convert_checkpoint.py"),
        ("Replace LayerNorm with RMSNorm", "M:{pkg}/layers.py|M:{pkg}/modeling.py"),
        ("Add the {size} model configuration", "A:configs/model_{size}.json"),
    ),
    "external documentation": (
        ("Update README.md", "M:README.md"),
        ("Add citation to README", "M:README.md"),
        ("Document how to load the checkpoints from the Hugging Face Hub", "M:README.md|A:docs/usage.md"),
        ("Add results table for {dataset}", "M:README.md"),
        ("Fix broken links in the docs", "M:docs/index.md"),
        ("Update install instructions", "M:README.md|M:docs/install.md"),
        ("Add a quick-start notebook", "A:notebooks/quickstart.ipynb"),
    ),
    "training infrastructure": (
        ("Add distributed training script", "A:scripts/train_ddp.sh|M:README.md"),
        ("train.py: support gradient accumulation", "M:train.py"),
        ("Add DeepSpeed ZeRO-2 config for the {size} model", "A:configs/ds_zero2.json|M:train.py"),
        ("Resume training from the last checkpoint", "M:train.py|M:{pkg}/trainer.py"),
        ("Log learning rate and loss to TensorBoard", "M:{pkg}/trainer.py"),
        ("Add fine-tuning script for {dataset}", "A:scripts/finetune_{slug}.py"),
    ),
    "validation infrastructure": (
        ("Add evaluation script for {dataset}", "A:eval/eval_{slug}.py"),
        ("eval: report {metric} alongside accuracy", "M:eval/metrics.py"),
        ("Add unit tests for the tokenizer", "A:tests/test_tokenizer.py"),
        ("Run the benchmark suite in CI", "A:.github/workflows/eval.yml"),
        ("Evaluate every checkpoint on {dataset}", "M:eval/run_eval.py|A:eval/configs/{slug}.yaml"),
    ),
    "preprocessing": (
        ("Add sentencepiece tokenizer training script", "A:scripts/train_tokenizer.py"),
        ("Normalize unicode before tokenization", "M:{pkg}/tokenization.py"),
        ("Handle long documents with a sliding window", "M:{pkg}/data.py"),
        ("Extend the vocabulary with domain terms", "M:vocab/vocab.txt|M:{pkg}/tokenization.py"),
    ),
    "internal documentation": (
        ("Add docstrings to {pkg}.modeling", "M:{pkg}/modeling.py"),
        ("Comment the attention mask logic", "M:{pkg}/attention.py"),
        ("Explain the learning-rate schedule in comments", "M:{pkg}/trainer.py"),
        ("Type hints and docstrings for the data utilities", "M:{pkg}/data.py"),
    ),
    "sharing": (
        ("Add script to push checkpoints to the Hugging Face Hub", "A:scripts/push_to_hub.py"),
        ("Release v{ver}", "M:CHANGELOG.md|M:pyproject.toml"),
        ("Publish the {size} weights", "M:README.md|A:scripts/download_weights.sh"),
        ("Sync model card to the Hub on release", "A:.github/workflows/hub-sync.yml"),
    ),
    "project metadata": (
        ("Add .gitignore", "A:.gitignore"),
        ("Add CITATION.cff", "A:CITATION.cff"),
        ("Add issue templates", "A:.github/ISSUE_TEMPLATE/bug_report.md"),
        ("Bump version to {ver}", "M:{pkg}/__init__.py|M:pyproject.toml"),
        ("Add pre-commit configuration", "A:.pre-commit-config.yaml"),
    ),
    "pipeline performance": (
        ("Use flash attention when available", "M:{pkg}/attention.py"),
        ("Cache tokenized datasets between runs", "M:{pkg}/data.py"),
        ("Reduce peak memory during generation", "M:{pkg}/generation.py"),
        ("Speed up data loading with more workers", "M:train.py"),
    ),
    "parameter tuning": (
        ("Tune dropout for the {size} config", "M:configs/model_{size}.json"),
        ("Lower the learning rate for fine-tuning", "M:configs/finetune.yaml"),
        ("Update default generation parameters", "M:{pkg}/generation.py|M:configs/generation.json"),
        ("Increase warmup steps to 2000", "M:configs/base.yaml"),
    ),
    "input data": (
        ("Add download script for the {dataset} corpus", "A:data/download_{slug}.sh"),
        ("Update the pre-training data mix", "M:data/mixture.yaml"),
        ("Deduplicate the training corpus", "A:scripts/dedup.py|M:data/README.md"),
    ),
    "update dependency": (
        ("Bump {lib} to {libver}", "M:requirements.txt"),
        ("Update {lib} requirement to >={libver}", "M:requirements.txt|M:pyproject.toml"),
        ("Pin {lib}=={libver}", "M:requirements.txt"),
    ),
    "add dependency": (
        ("Add {lib} to requirements", "M:requirements.txt"),
        ("Depend on {lib} for mixed precision", "M:pyproject.toml"),
    ),
    "remove dependency": (
        ("Remove unused {lib} dependency", "M:requirements.txt"),
        ("Drop TensorFlow support", "D:{pkg}/tf_modeling.py|M:requirements.txt"),
    ),
    "output data": (
        ("Add predictions on the {dataset} test set", "A:outputs/{slug}_predictions.jsonl"),
        ("Upload evaluation results", "A:results/{slug}.json"),
    ),
    "bug fix": (
        ("Fix off-by-one in span extraction", "M:{pkg}/postprocess.py"),
        ("Fix crash on empty input", "M:{pkg}/pipeline.py"),
        ("Fix attention mask for padded batches", "M:{pkg}/attention.py"),
    ),
}

HUGGINGFACE_TEMPLATES: Final[dict[str, tuple[Template, ...]]] = {
    "external documentation": (
        ("Update README.md", "M:README.md"),
        ("Update README.md", "M:README.md"),
        ("Update README.md (#{n})", "M:README.md"),
        ("Add citation", "M:README.md"),
        ("Add usage example to the model card", "M:README.md"),
        ("Fix typo in model card", "M:README.md"),
        ("Link the paper and the GitHub repository", "M:README.md"),
    ),
    "preprocessing": (
        ("Upload tokenizer", "A:tokenizer.json|A:tokenizer_config.json|A:special_tokens_map.json"),
        ("Update tokenizer_config.json", "M:tokenizer_config.json"),
        ("Add chat template to tokenizer_config.json", "M:tokenizer_config.json"),
        ("Upload vocab.txt", "A:vocab.txt"),
        ("Fix pad token in special_tokens_map.json", "M:special_tokens_map.json"),
    ),
    "model structure": (
        ("Upload model.safetensors", "A:model.safetensors"),
        ("Upload pytorch_model.bin", "A:pytorch_model.bin"),
        ("Add ONNX export", "A:onnx/model.onnx"),
        (
            "Upload sharded weights",
            "A:model-00001-of-00002.safetensors|A:model-00002-of-00002.safetensors|A:model.safetensors.index.json",
        ),
    ),
    "parameter tuning": (
        ("Upload config.json", "A:config.json"),
        ("Update config.json", "M:config.json"),
        ("Update generation_config.json", "M:generation_config.json"),
        ("Set max_position_embeddings to 4096", "M:config.json"),
    ),
    "project metadata": (
        ("Update .gitattributes", "M:.gitattributes"),
        ("Add license", "A:LICENSE"),
        ("Add license and language tags to the metadata", "M:README.md"),
    ),
    "sharing": (
        ("Upload folder using huggingface_hub", "A:config.json|A:model.safetensors|A:tokenizer.json|A:README.md"),
        ("Upload with huggingface_hub", "A:model.safetensors|A:config.json"),
        ("Track *.gguf files with Git LFS", "M:.gitattributes"),
    ),
    "output data": (
        ("Add evaluation results", "A:eval_results.json"),
        ("Upload predictions", "A:predictions.jsonl"),
        ("Upload all_results.json", "A:all_results.json"),
    ),
    "add dependency": (
        ("Add requirements.txt", "A:requirements.txt"),
        ("Add custom handler dependencies", "A:requirements.txt|A:handler.py"),
    ),
    "validation infrastructure": (
        ("Add evaluation script", "A:eval.py"),
        ("Add {metric} on {dataset} to the model index", "M:README.md"),
    ),
    "training infrastructure": (
        ("Upload training_args.bin", "A:training_args.bin"),
        ("Add trainer_state.json", "A:trainer_state.json"),
        ("Add training logs", "A:runs/events.out.tfevents"),
    ),
    "internal documentation": (
        ("Add comments to handler.py", "M:handler.py"),
        ("Document the custom modeling code", "M:modeling_{pkg}.py"),
    ),
    "remove dependency": (
        ("Delete pytorch_model.bin", "D:pytorch_model.bin"),
        ("Delete tf_model.h5", "D:tf_model.h5"),
        ("Remove flax weights", "D:flax_model.msgpack"),
    ),
    "input data": (
        ("Add a sample of the fine-tuning data", "A:data/sample.jsonl"),
        ("Describe the {dataset} training data", "A:data/README.md"),
    ),
    "pipeline performance": (
        ("Add int8 quantized weights for faster CPU inference", "A:onnx/model_quantized.onnx"),
        ("Enable SDPA attention for faster inference", "M:config.json"),
    ),
    "update dependency": (
        ("Update requirements.txt", "M:requirements.txt"),
        ("Require {lib}>={libver} in the custom handler", "M:requirements.txt"),
    ),
    "bug fix": (("Fix eos_token_id in generation_config.json", "M:generation_config.json"),),
}

# Shares of each type among commits (docs/method.md §5, the study's GH % and HF %); the excluded
# label "bug fix" appears too because real histories have it. Rare HF types get a floor so
# the demo shows each of them.
GITHUB_WEIGHTS: Final[dict[str, float]] = {
    "model structure": 29.7,
    "external documentation": 21.0,
    "training infrastructure": 9.0,
    "validation infrastructure": 7.0,
    "preprocessing": 5.7,
    "internal documentation": 5.1,
    "sharing": 4.6,
    "project metadata": 3.7,
    "pipeline performance": 3.2,
    "parameter tuning": 3.0,
    "input data": 2.6,
    "update dependency": 2.3,
    "add dependency": 2.3,
    "remove dependency": 0.9,
    "output data": 0.9,
    "bug fix": 5.0,
}
HUGGINGFACE_WEIGHTS: Final[dict[str, float]] = {
    "external documentation": 38.8,
    "preprocessing": 16.6,
    "model structure": 14.4,
    "parameter tuning": 9.1,
    "project metadata": 8.2,
    "sharing": 4.2,
    "output data": 3.5,
    "add dependency": 2.0,
    "validation infrastructure": 2.0,
    "training infrastructure": 2.0,
    "internal documentation": 2.0,
    "remove dependency": 2.0,
    "input data": 2.0,
    "pipeline performance": 2.0,
    "update dependency": 2.0,
    "bug fix": 1.0,
}

# Types rare on the Hub; each family features two of them (rotating), so the demo shows all.
HUGGINGFACE_FEATURED: Final[tuple[str, ...]] = (
    "remove dependency",
    "training infrastructure",
    "internal documentation",
    "add dependency",
    "update dependency",
    "pipeline performance",
    "input data",
    "validation infrastructure",
    "output data",
    "bug fix",
)

# Branch names of pull requests, by the type of change they bring.
BRANCHES: Final[dict[str, tuple[str, ...]]] = {
    "model structure": ("feat/rope", "refactor/attention", "gqa"),
    "external documentation": ("docs/readme", "docs-usage", "fix-links"),
    "training infrastructure": ("ddp-training", "feat/grad-accum", "resume-training"),
    "validation infrastructure": ("eval-harness", "ci-benchmarks"),
    "preprocessing": ("tokenizer-normalization", "sliding-window"),
    "internal documentation": ("docstrings",),
    "sharing": ("release", "push-to-hub"),
    "project metadata": ("chore/precommit", "citation"),
    "pipeline performance": ("flash-attn", "faster-dataloader"),
    "parameter tuning": ("tune-dropout", "lr-schedule"),
    "input data": ("data-mix",),
    "update dependency": ("deps/bump",),
    "add dependency": ("deps/add",),
    "remove dependency": ("drop-tf",),
    "output data": ("predictions",),
    "bug fix": ("fix/span-offsets", "fix/empty-input"),
}

BODIES: Final[tuple[str, ...]] = (
    "The previous version assumed a single GPU.",
    "Reported in the issue tracker; reproduced locally before fixing.",
    "No change in results on the dev set.",
    "Keeps the public API unchanged.",
    "Follow-up to the last release.",
)

PEOPLE: Final[tuple[str, ...]] = (
    "Mira Okafor",
    "Tomasz Lind",
    "Hana Sato",
    "Diego Ferraz",
    "Aylin Demir",
    "Jonas Weber",
    "Priya Raman",
    "Lea Moreau",
    "Kwame Mensah",
    "Sofia Alvarez",
    "Chen Wei",
    "Noor Haddad",
    "Ilya Petrov",
    "Grace Mwangi",
    "Mateo Rossi",
    "Yuki Tanaka",
)
DATASETS: Final[tuple[str, ...]] = ("SQuAD v2", "CoNLL-2003", "XSum", "WMT19", "GLUE", "MS MARCO", "WikiText-103")
METRICS: Final[tuple[str, ...]] = ("F1", "exact match", "ROUGE-L", "BLEU", "accuracy", "MRR@10")
LIBRARIES: Final[tuple[tuple[str, str], ...]] = (
    ("transformers", "4.38.2"),
    ("torch", "2.1.2"),
    ("accelerate", "0.27.0"),
    ("datasets", "2.17.1"),
    ("sentencepiece", "0.2.0"),
    ("tokenizers", "0.15.2"),
    ("peft", "0.9.0"),
    ("deepspeed", "0.13.1"),
    ("apex", "0.1"),
    ("einops", "0.7.0"),
)
SIZES: Final[tuple[str, ...]] = ("base", "large", "small", "xl")
SAFETENSORS_BOT: Final = "sf-convert-bot"
SAFETENSORS_MESSAGE: Final = (
    "This is an automated PR created with a safetensors conversion service.\n\n"
    "It converts the PyTorch weights of this model to the safetensors format."
)

"""Provides the demo's cast: thirty invented model families, each written to land on one pattern and lag.

Every organisation and model here is invented. Together the families cover every feasible
(pattern, lag) pair of the study: complete sync (Rare, Intermittent, Frequent) cannot start on
Hugging Face, and no-overlap patterns (Sporadic Disjoint, Rare Disjoint) cannot start on both
platforms at once, so 19 of the 24 pairs exist. The remaining families repeat the common
patterns with many variants, as real data does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from core.models import GITHUB_FIRST, HUGGINGFACE_FIRST, SIMULTANEOUS

# Bump when the generated data changes; a demo cache of another version is rebuilt.
DEMO_VERSION: Final = 2  # 2: labels come from the rules classifier
# The demo's "today": every generated time lies before it, so the demo never depends on the clock.
REFERENCE: Final = dt.datetime(2025, 6, 30, 12, 0, tzinfo=dt.UTC)
SEED: Final = 20250630

GF, SIM, HFF = GITHUB_FIRST, SIMULTANEOUS, HUGGINGFACE_FIRST


@dataclass(frozen=True)
class FamilySpec:
    """One demo family and the verdict it is built to get."""

    family: str
    gh_repo: str
    code: str  # intended sync type + intensity, e.g. PSS
    lag: str  # intended lag
    variants: tuple[str, ...]  # HF model ids; the first one is the family's lead variant
    task: str  # pipeline tag of the variants
    span: int  # life of the family in 14-day bins
    story: str  # one line shown as the family's note
    mirror: bool = False  # the lead variant mirrors GitHub with "Auto Sync from git://..." commits
    monorepo: bool = False  # the GitHub link is a shared research monorepo

    @property
    def sync(self) -> str:
        """Intended synchronization type (CS, PS, VS, AS)."""
        return self.code[:2]

    @property
    def intensity(self) -> str:
        """Intended intensity (R, S, F)."""
        return self.code[2]

    @property
    def owner(self) -> str:
        """The GitHub organisation."""
        return self.gh_repo.split("/")[0]


def _sizes(org: str, stem: str, suffixes: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"{org}/{stem}-{s}" for s in suffixes)


FAMILIES: Final[tuple[FamilySpec, ...]] = (
    FamilySpec(
        "aurora-nlp_aurora-bert",
        "aurora-nlp/aurora-bert",
        "PSS",
        GF,
        (
            *_sizes(
                "aurora-nlp",
                "aurora-bert",
                ("base-uncased", "base-cased", "large-uncased", "large-cased", "multilingual-cased"),
            ),
            "aurora-nlp/aurora-distilbert-base",
            "aurora-nlp/aurora-bert-base-ner",
            "aurora-nlp/aurora-bert-large-squad2",
            "aurora-nlp/aurora-bert-base-sentiment",
            *_sizes("aurora-nlp", "aurora-bert", ("tiny", "mini", "small", "medium")),
            "bitsmith/aurora-bert-base-uncased-onnx",
        ),
        "fill-mask",
        118,
        "The flagship encoder: 14 checkpoints whose cards and configs are touched now and then "
        "while the code moves on.",
    ),
    FamilySpec(
        "lumen-lab_lumen",
        "lumen-lab/lumen",
        "PSF",
        SIM,
        (
            "lumen-lab/lumen-7b-instruct",
            "lumen-lab/lumen-7b",
            "lumen-lab/lumen-13b",
            "lumen-lab/lumen-13b-instruct",
            "lumen-lab/lumen-7b-chat",
            "lumen-lab/lumen-1.3b",
            "bitsmith/lumen-7b-instruct-GGUF",
            "quantfolk/lumen-13b-instruct-AWQ",
            "quantfolk/lumen-7b-instruct-GPTQ",
        ),
        "text-generation",
        64,
        "A chat model released on both platforms the same week; the instruct checkpoint is "
        "mirrored from GitHub by an auto-sync job.",
        mirror=True,
    ),
    FamilySpec(
        "quillon-ai_quill-t5",
        "quillon-ai/quill-t5",
        "CSF",
        GF,
        (
            "quillon-ai/quill-t5-base",
            "quillon-ai/quill-t5-small",
            "quillon-ai/quill-t5-large",
            "quillon-ai/quill-t5-xl",
            "quillon-ai/quill-t5-base-summarize",
        ),
        "text2text-generation",
        72,
        "Every Hugging Face commit of the base model is an automatic mirror of a GitHub commit.",
        mirror=True,
    ),
    FamilySpec(
        "tidewater-ml_tide-ner",
        "tidewater-ml/tide-ner",
        "CSR",
        GF,
        ("tidewater-ml/tide-ner-base", "tidewater-ml/tide-ner-large"),
        "token-classification",
        60,
        "A NER tagger uploaded once while the code was active, then left alone on the Hub.",
    ),
    FamilySpec(
        "corvid-research_corvid-sum",
        "corvid-research/corvid-sum",
        "PSR",
        GF,
        ("corvid-research/corvid-sum-base", "corvid-research/corvid-sum-large", "corvid-research/corvid-sum-news"),
        "summarization",
        70,
        "Summarizers with a handful of Hub commits, some of them long after the paper code froze.",
    ),
    FamilySpec(
        "kestrel-nlp_kestrel-embed",
        "kestrel-nlp/kestrel-embed",
        "PSS",
        SIM,
        (
            *_sizes("kestrel-nlp", "kestrel-embed", ("base-v2", "small-v1", "base-v1", "large-v1", "small-v2")),
            "kestrel-nlp/kestrel-embed-large-v2",
            "bitsmith/kestrel-embed-base-v2-onnx",
        ),
        "sentence-similarity",
        84,
        "Embedding models published with the code on day one; two generations of checkpoints.",
    ),
    FamilySpec(
        "marigold-labs_marigold-qa",
        "marigold-labs/marigold-qa",
        "PSS",
        HFF,
        ("marigold-labs/marigold-qa-base", "marigold-labs/marigold-qa-large", "marigold-labs/marigold-qa-distilled"),
        "question-answering",
        66,
        "The checkpoints appeared on the Hub before the training code was open-sourced.",
    ),
    FamilySpec(
        "obsidian-ml_obsidian-lm",
        "obsidian-ml/obsidian-lm",
        "ASS",
        HFF,
        ("obsidian-ml/obsidian-lm-base", "obsidian-ml/obsidian-lm-biomed"),
        "fill-mask",
        92,
        "Hub first, code much later, and the two never active in the same fortnight.",
    ),
    FamilySpec(
        "pinecrest-ai_pine-translate",
        "pinecrest-ai/pine-translate",
        "ASS",
        GF,
        _sizes("pinecrest-ai", "pine-translate", ("en-de", "en-fr", "en-es", "de-en")),
        "translation",
        80,
        "Translation pairs maintained on the Hub on their own schedule, never alongside GitHub.",
    ),
    FamilySpec(
        "halcyon-research_halcyon-cls",
        "halcyon-research/halcyon-cls",
        "ASR",
        GF,
        ("halcyon-research/halcyon-cls-base",),
        "text-classification",
        56,
        "Code from a paper, one classifier uploaded a year later; the GitHub repository is gone now.",
    ),
    FamilySpec(
        "ember-lm_ember-code",
        "ember-lm/ember-code",
        "ASR",
        HFF,
        ("ember-lm/ember-code-1b", "ember-lm/ember-code-3b"),
        "text-generation",
        52,
        "Weights dropped on the Hub, inference code published months later; both quiet since.",
    ),
    FamilySpec(
        "vireo-labs_vireo-chat",
        "vireo-labs/vireo-chat",
        "VSS",
        HFF,
        _sizes("vireo-labs", "vireo-chat", ("7b", "7b-dpo", "14b", "14b-dpo", "3b", "3b-dpo")),
        "text-generation",
        60,
        "Variants released in batches on the Hub (variant-driven), none while GitHub was active.",
    ),
    FamilySpec(
        "fjord-nlp_fjord-sentiment",
        "fjord-nlp/fjord-sentiment",
        "CSS",
        GF,
        ("fjord-nlp/fjord-sentiment-base", "fjord-nlp/fjord-sentiment-multilingual", "fjord-nlp/fjord-sentiment-tiny"),
        "text-classification",
        76,
        "Hub updates only ever land during GitHub sprints, but never for long.",
    ),
    FamilySpec(
        "tessera-ai_tessera-table",
        "tessera-ai/tessera-table",
        "CSR",
        SIM,
        ("tessera-ai/tessera-table-base", "tessera-ai/tessera-table-large"),
        "table-question-answering",
        48,
        "Table QA released on both platforms together; the Hub side was hardly touched again.",
    ),
    FamilySpec(
        "cobalt-ml_cobalt-zero-shot",
        "cobalt-ml/cobalt-zero-shot",
        "CSS",
        SIM,
        _sizes("cobalt-ml", "cobalt-zero-shot", ("base", "large", "xsmall", "multilingual")),
        "zero-shot-classification",
        70,
        "Launched on both platforms at once; Hub edits follow GitHub activity, off and on.",
    ),
    FamilySpec(
        "meridian-nlp_meridian-mt",
        "meridian-nlp/meridian-mt",
        "CSF",
        SIM,
        ("meridian-nlp/meridian-mt-en-xx", "meridian-nlp/meridian-mt-xx-en", "meridian-nlp/meridian-mt-small"),
        "translation",
        58,
        "A CI job mirrors each GitHub release to the Hub within a day: lockstep for months.",
        mirror=True,
    ),
    FamilySpec(
        "saffron-ml_saffron-gpt",
        "saffron-ml/saffron-gpt",
        "PSR",
        SIM,
        _sizes("saffron-ml", "saffron-gpt", ("350m", "1.3b", "2.7b", "6.7b", "125m")),
        "text-generation",
        66,
        "Five sizes uploaded with the code release, each touched once or twice afterwards.",
    ),
    FamilySpec(
        "glacier-lm_glacier",
        "glacier-lm/glacier",
        "PSR",
        HFF,
        ("glacier-lm/glacier-2b", "glacier-lm/glacier-2b-instruct"),
        "text-generation",
        50,
        "Weights first, code later, with one Hub fix during a GitHub sprint.",
    ),
    FamilySpec(
        "orchid-nlp_orchid-ner",
        "orchid-nlp/orchid-ner",
        "PSF",
        GF,
        ("orchid-nlp/orchid-ner-base", "orchid-nlp/orchid-ner-large"),
        "token-classification",
        70,
        "An auto-sync job kept the Hub in step for months, plus manual Hub edits between releases.",
        mirror=True,
    ),
    FamilySpec(
        "basalt-ai_basalt-reranker",
        "basalt-ai/basalt-reranker",
        "PSF",
        HFF,
        _sizes("basalt-ai", "basalt-reranker", ("base", "large", "small", "multilingual")),
        "text-classification",
        62,
        "A reranker teased on the Hub first, then developed on both platforms in lockstep.",
    ),
    FamilySpec(
        "wren-nlp_wren-tiny",
        "wren-nlp/wren-tiny",
        "VSR",
        GF,
        _sizes("wren-nlp", "wren-tiny", ("q4", "q5", "q8", "f16", "bf16")),
        "text-generation",
        64,
        "Quantized builds uploaded three times in batches, each time after GitHub went quiet.",
    ),
    FamilySpec(
        "nimbus-ml_nimbus-summarizer",
        "nimbus-ml/nimbus-summarizer",
        "PSS",
        GF,
        _sizes("nimbus-ml", "nimbus-summarizer", ("base", "large", "xsum", "cnn")),
        "summarization",
        90,
        "Summarizers with card edits, tokenizer fixes and safetensors conversions over years.",
    ),
    FamilySpec(
        "heron-ai_heron-bert-legal",
        "heron-ai/heron-bert-legal",
        "PSS",
        HFF,
        ("heron-ai/heron-bert-legal-base", "heron-ai/heron-bert-legal-large"),
        "fill-mask",
        74,
        "A legal-domain encoder shared on the Hub months before its pre-training code.",
    ),
    FamilySpec(
        "moraine-ml_moraine-qa",
        "moraine-ml/moraine-qa",
        "CSR",
        GF,
        ("moraine-ml/moraine-qa-base",),
        "question-answering",
        40,
        "A young family: one upload during a GitHub sprint.",
    ),
    FamilySpec(
        "tundra-nlp_tundra-lm",
        "tundra-nlp/tundra-lm",
        "VSS",
        GF,
        _sizes(
            "tundra-nlp",
            "tundra-lm",
            ("1.3b", "125m", "350m", "760m", "2.7b", "6.7b", "1.3b-instruct", "6.7b-instruct"),
        ),
        "text-generation",
        86,
        "Eight sizes released and re-released in batches, always apart from GitHub activity.",
    ),
    FamilySpec(
        "lattice-lab_lattice-research",
        "lattice-lab/research-monorepo",
        "PSS",
        SIM,
        _sizes("lattice-lab", "lattice", ("ner", "qa", "sum", "nli", "pos", "sts")),
        "token-classification",
        96,
        "Six unrelated models link to one research monorepo, so GitHub activity is inflated (METHOD.md §7).",
        monorepo=True,
    ),
    FamilySpec(
        "quokka-lm_quokka-chat",
        "quokka-lm/quokka-chat",
        "PSS",
        GF,
        (
            *_sizes(
                "quokka-lm",
                "quokka-chat",
                ("7b", "7b-base", "13b", "13b-base", "34b", "34b-base", "7b-long", "13b-long"),
            ),
            "bitsmith/quokka-chat-7b-GGUF",
            "bitsmith/quokka-chat-13b-GGUF",
            "quantfolk/quokka-chat-34b-AWQ",
        ),
        "text-generation",
        100,
        "Eleven chat checkpoints, three of them community quantizations that link back to GitHub.",
    ),
    FamilySpec(
        "polaris-nlp_polaris-stance",
        "polaris-nlp/polaris-stance",
        "CSS",
        GF,
        ("polaris-nlp/polaris-stance-base", "polaris-nlp/polaris-stance-twitter"),
        "text-classification",
        68,
        "Stance detectors retrained during each GitHub sprint and uploaded then.",
    ),
    FamilySpec(
        "sablefish-ai_sable-sts",
        "sablefish-ai/sable-sts",
        "PSR",
        GF,
        ("sablefish-ai/sable-sts-base",),
        "sentence-similarity",
        54,
        "A single similarity model with a couple of Hub commits, one outside GitHub's activity.",
    ),
    FamilySpec(
        "juniper-ml_juniper-keyphrase",
        "juniper-ml/juniper-keyphrase",
        "CSR",
        GF,
        ("juniper-ml/juniper-keyphrase-base", "juniper-ml/juniper-keyphrase-large", "juniper-ml/juniper-keyphrase-sci"),
        "token-classification",
        62,
        "Keyphrase taggers uploaded during two GitHub releases and not since.",
    ),
)

# Repositories whose last sync did not succeed, so the status views have something to show.
RATE_LIMITED: Final = ("huggingface", "quantfolk/lumen-13b-instruct-AWQ")
NOT_FOUND: Final = ("github", "halcyon-research/halcyon-cls")
GATED: Final = ("vireo-labs/vireo-chat-14b", "quokka-lm/quokka-chat-34b")

"""Provides tell_story(): the demo's drift story, told in the flagship family's file histories.

The aurora-bert family's GitHub repository adds a base model configuration, a tokenizer
configuration and a configuration class early on; three variants upload copies of them (the
same bytes) and then go their own ways, so every case drift (docs/method.md §8) tells apart
is on the demo's first screen:

* ``base-uncased`` never took GitHub's later changes: its ``config.json`` is behind by two
  GitHub commits and its ``tokenizer_config.json`` by one; its weights are a git LFS pointer
  GitHub also holds, which must not link;
* ``base-cased`` edited its ``config.json`` on the Hub while GitHub changed it too: diverged;
* ``base-sentiment`` took GitHub's latest versions: in sync, although GitHub has more commits
  since (its Behind figure is not its Files figure);
* every copy of the configuration class is up to date although GitHub moved the file (one
  pair ``removed_on_gh``, the other ``in_sync``);
* ``xlarge`` is listed on the Hub but was never uploaded to: never updated.

The story adds a few commits to the generated history, each a few minutes after an existing
one of its repository (so the family's 14-day bins, hence its pattern, do not change), and
chooses the bytes of the files it names; later generated commits of those variants leave the
story's files alone.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import TYPE_CHECKING, Any, Final

from core.demo.files import Write, generic_content, lfs_pointer
from core.models import GITHUB, HUGGINGFACE

if TYPE_CHECKING:
    from core.demo.generate import Commit, FamilyData

STORY_FAMILY: Final = "aurora-nlp_aurora-bert"
BEHIND: Final = "aurora-nlp/aurora-bert-base-uncased"
DIVERGED: Final = "aurora-nlp/aurora-bert-base-cased"
IN_SYNC: Final = "aurora-nlp/aurora-bert-base-sentiment"
NEVER_UPDATED: Final = "aurora-nlp/aurora-bert-xlarge"

GH_CONFIG: Final = "configs/base/config.json"
GH_TOKENIZER: Final = "tokenizer/tokenizer_config.json"
GH_CLASS: Final = "aurora_bert/configuration.py"
GH_CLASS_MOVED: Final = "aurora_bert/models/configuration.py"
GH_WEIGHTS: Final = "checkpoints/base/model.safetensors"
HF_CLASS: Final = "configuration_aurora_bert.py"
STEP: Final = dt.timedelta(minutes=2)


def _json(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, indent=2) + "\n").encode()


CONFIG_1: Final = {
    "architectures": ["AuroraBertForMaskedLM"],
    "model_type": "aurora-bert",
    "vocab_size": 30522,
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3072,
    "hidden_act": "gelu",
    "max_position_embeddings": 512,
    "layer_norm_eps": 1e-12,
}
CONFIG_2: Final = {**CONFIG_1, "hidden_act": "gelu_new", "layer_norm_eps": 1e-6}
CONFIG_3: Final = {**CONFIG_2, "max_position_embeddings": 1024, "position_embedding_type": "rotary"}
CONFIG_HF_EDIT: Final = {**CONFIG_1, "max_position_embeddings": 1024}
TOKENIZER_1: Final = {
    "tokenizer_class": "AuroraBertTokenizer",
    "do_lower_case": True,
    "model_max_length": 512,
    "pad_token": "[PAD]",
    "unk_token": "[UNK]",
    "cls_token": "[CLS]",
    "sep_token": "[SEP]",
    "mask_token": "[MASK]",
}
TOKENIZER_2: Final = {**TOKENIZER_1, "model_max_length": 1024, "clean_up_tokenization_spaces": False}
CONFIG_CLASS: Final = (
    b'"""Configuration of the Aurora BERT models."""\n\n'
    b"from transformers import PretrainedConfig\n\n\n"
    b"class AuroraBertConfig(PretrainedConfig):\n"
    b'    model_type = "aurora-bert"\n\n'
    b"    def __init__(self, hidden_size=768, num_hidden_layers=12, **kwargs):\n"
    b"        super().__init__(**kwargs)\n"
    b"        self.hidden_size = hidden_size\n"
    b"        self.num_hidden_layers = num_hidden_layers\n"
)
WEIGHTS: Final = lfs_pointer("aurora-bert-base weights", 438_007_256)
STORY_HF_PATHS: Final = frozenset({"config.json", "tokenizer_config.json", HF_CLASS, "model.safetensors"})


def tell_story(data: FamilyData) -> dict[str, list[Write]]:
    """Add the story's commits to ``data`` (the flagship family only) and return every story write by commit id.

    Raises:
        ValueError: The generated history no longer has the shape the story needs (a
            generator change): caught by the demo's tests, never shipped.
    """
    if data.spec.family != STORY_FAMILY:
        return {}
    data.extra_variants = (NEVER_UPDATED,)
    story = _Story(data)
    first_gh = story.commits(GITHUB)[0]
    story.github(
        first_gh.authored_at,
        "Add the base model and tokenizer configurations",
        "project metadata",
        [
            Write(GH_CONFIG, _json(CONFIG_1)),
            Write(GH_TOKENIZER, _json(TOKENIZER_1)),
            Write(GH_CLASS, CONFIG_CLASS),
        ],
    )
    copies = [
        Write("config.json", _json(CONFIG_1)),
        Write("tokenizer_config.json", _json(TOKENIZER_1)),
        Write(HF_CLASS, CONFIG_CLASS),
    ]
    for model in (BEHIND, DIVERGED, IN_SYNC):
        extra = [Write("model.safetensors", WEIGHTS)] if model == BEHIND else []
        story.after_upload(
            model,
            "Upload config.json, tokenizer_config.json and the configuration class",
            [
                *copies,
                *extra,
            ],
        )
    behind_last = story.commits(HUGGINGFACE, BEHIND)[-1].authored_at
    synced_last = story.commits(HUGGINGFACE, IN_SYNC)[-1].authored_at
    diverged = story.commits(HUGGINGFACE, DIVERGED)
    if not diverged[0].authored_at < behind_last < synced_last - dt.timedelta(days=20):
        raise ValueError("the demo's drift story needs base-cased, base-uncased, base-sentiment updated in that order")
    middle = diverged[0].authored_at + (behind_last - diverged[0].authored_at) / 2
    story.github(
        middle,
        "Use gelu_new and a larger layer-norm epsilon in the base config",
        "parameter tuning",
        [Write(GH_CONFIG, _json(CONFIG_2))],
    )
    story.github(
        middle + dt.timedelta(days=40),
        "Move the configuration class into aurora_bert/models",
        "model structure",
        [
            Write(GH_CLASS, None),
            Write(GH_CLASS_MOVED, CONFIG_CLASS),
        ],
    )
    story.github(
        middle + dt.timedelta(days=80),
        "Track the base checkpoint with git LFS",
        "sharing",
        [Write(GH_WEIGHTS, WEIGHTS)],
    )
    story.latest(
        DIVERGED, "Raise max_position_embeddings to 1024 in config.json", [Write("config.json", _json(CONFIG_HF_EDIT))]
    )
    later = behind_last + (synced_last - behind_last) / 3
    story.github(
        later,
        "Rotary position embeddings and 1024 positions in the base config",
        "model structure",
        [Write(GH_CONFIG, _json(CONFIG_3))],
    )
    story.github(
        later + dt.timedelta(days=5),
        "Raise model_max_length to 1024 in the tokenizer config",
        "preprocessing",
        [Write(GH_TOKENIZER, _json(TOKENIZER_2))],
    )
    story.latest(
        IN_SYNC,
        "Update config.json and tokenizer_config.json from GitHub",
        [
            Write("config.json", _json(CONFIG_3)),
            Write("tokenizer_config.json", _json(TOKENIZER_2)),
        ],
    )
    story.keep_story_files()
    return story.writes


class _Story:
    """Inserts commits into a generated family and remembers what they write."""

    def __init__(self, data: FamilyData) -> None:
        self.data = data
        self.writes: dict[str, list[Write]] = {}
        self.uploaded: dict[str, dt.datetime] = {}  # story variant -> when it took its copies

    def commits(self, platform: str, repo: str | None = None) -> list[Commit]:
        repo = repo or self.data.spec.gh_repo
        return sorted((c for c in self.data.commits if c.platform == platform and c.repo == repo), key=_when)

    def _chain(self) -> set[str]:
        """The GitHub commits on the default branch's first-parent line."""
        by_id = {c.sha: c for c in self.commits(GITHUB)}
        head = self.commits(GITHUB)[-1]
        chain: set[str] = set()
        node: Commit | None = head
        while node is not None:
            chain.add(node.sha)
            first = node.parents.split()[0] if node.parents else None
            node = by_id.get(first) if first else None
        return chain

    def github(self, when: dt.datetime, title: str, label: str, writes: list[Write]) -> None:
        """Add a GitHub commit just after the last first-parent commit at or before ``when`` with room after it."""
        commits = self.commits(GITHUB)
        chain = self._chain()
        times = [c.authored_at for c in commits]
        for index in range(len(commits) - 1, -1, -1):
            anchor = commits[index]
            after = times[index + 1] if index + 1 < len(times) else None
            if (
                anchor.sha in chain
                and anchor.authored_at <= when
                and (after is None or after > anchor.authored_at + 3 * STEP)
            ):
                self._insert(GITHUB, self.data.spec.gh_repo, anchor, title, label, writes, anchor.author)
                return
        raise ValueError(f"no room in the demo's GitHub history for {title!r}")

    def after_upload(self, model: str, title: str, writes: list[Write]) -> None:
        """Add an HF commit right after the uploads that opened ``model``."""
        commits = self.commits(HUGGINGFACE, model)
        opened = [c for c in commits if c.authored_at < commits[0].authored_at + dt.timedelta(hours=1)]
        self._insert(HUGGINGFACE, model, opened[-1], title, "parameter tuning", writes, opened[-1].author)
        self.uploaded[model] = opened[-1].authored_at + STEP

    def latest(self, model: str, title: str, writes: list[Write]) -> None:
        """Add an HF commit right after ``model``'s newest one (the same day)."""
        last = self.commits(HUGGINGFACE, model)[-1]
        self._insert(HUGGINGFACE, model, last, title, "parameter tuning", writes, last.author)

    def _insert(
        self, platform: str, repo: str, anchor: Commit, title: str, label: str, writes: list[Write], author: str
    ) -> None:
        from core.demo.generate import Commit

        when = anchor.authored_at + STEP
        sha = hashlib.sha1(f"story {repo} {title} {when.isoformat()}".encode()).hexdigest()
        for child in self.data.commits:
            parents = child.parents.split()
            if child.repo == repo and parents and parents[0] == anchor.sha and child.authored_at > when:
                child.parents = " ".join([sha, *parents[1:]])
        files = "|".join(f"{'D' if w.content is None else 'M'}:{w.path}" for w in writes)
        self.data.commits.append(Commit(platform, repo, sha, when, author, title, title, files, anchor.sha, label, 0.9))
        self.writes[sha] = writes

    def keep_story_files(self) -> None:
        """Later generated commits of the story's variants write other files than the story's."""
        for model, since in self.uploaded.items():
            for commit in self.commits(HUGGINGFACE, model):
                if commit.sha in self.writes or commit.authored_at <= since:
                    continue
                entries = [p.split(":", 1) for p in commit.files.split("|") if ":" in p]
                if not any(path in STORY_HF_PATHS for _, path in entries):
                    continue
                kept = [(s, p) for s, p in entries if p not in STORY_HF_PATHS] or [("M", "README.md")]
                self.writes[commit.sha] = [
                    Write(p, None if s == "D" else generic_content(model, p, commit)) for s, p in kept
                ]


def _when(commit: Commit) -> dt.datetime:
    return commit.authored_at

"""Provides the GitHub link of a model: the study's card heuristic, our improvements, and overrides.

The study (docs/method.md §1) took every ``https://github.com/...`` URL in the model card, kept those
containing a search term built from the model id, and normalised the first one. We keep that
core and add: case-insensitive matching, ``.git`` dropped, URLs cut where Markdown or HTML ends
them, card metadata fields that name a repository, badge images rejected, links inside
citation/BibTeX blocks and behind badge images treated as weak evidence (used only when nothing
better exists), shared monorepos preferred last and flagged, and the user's override from the
config file (``[links]``, or a watchlist entry) above everything.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.models import is_valid_repo_id

# Repositories that hold many unrelated models' code; a family built on one is flagged, not
# dropped (docs/method.md §1; the study excluded such families by hand).
MONOREPOS = frozenset(
    repo.lower()
    for repo in (
        "huggingface/transformers",
        "huggingface/diffusers",
        "huggingface/peft",
        "huggingface/optimum",
        "huggingface/trl",
        "huggingface/text-generation-inference",
        "huggingface/sentence-transformers",
        "huggingface/setfit",
        "UKPLab/sentence-transformers",
        "facebookresearch/fairseq",
        "pytorch/fairseq",
        "facebookresearch/XLM",
        "microsoft/unilm",
        "google-research/google-research",
        "google-research/text-to-text-transfer-transformer",
        "tensorflow/models",
        "tensorflow/tensor2tensor",
        "allenai/allennlp",
        "NVIDIA/NeMo",
        "NVIDIA/Megatron-LM",
        "microsoft/DeepSpeed",
        "flairNLP/flair",
        "explosion/spaCy",
        "ggerganov/llama.cpp",
        "ggml-org/llama.cpp",
        "vllm-project/vllm",
    )
)

# github.com/<first segment> pages that are not repositories.
_NOT_OWNERS = frozenset(
    [
        "about",
        "apps",
        "collections",
        "contact",
        "customer-stories",
        "enterprise",
        "explore",
        "features",
        "login",
        "join",
        "marketplace",
        "notifications",
        "orgs",
        "pricing",
        "readme",
        "search",
        "security",
        "settings",
        "site",
        "sponsors",
        "topics",
        "trending",
        "user-attachments",
        "users",
    ]
)

# The study's pattern, kept for ``study_link``; ours matches case-insensitively and allows www.
STUDY_URL_RE = re.compile(r"https?://github\.com/[^\s/$.?#][^\s]*")
_URL_RE = re.compile(r"https?://(?:www\.)?github\.com/[^\s/$.?#][^\s()\[\]<>\"'`|{}\\^]*", re.IGNORECASE)
_BADGE_PATH_RE = re.compile(r"/badge(?:s)?(?:/|\.svg|$)|\.(?:svg|png|gif|jpe?g)(?:$|\?)|/workflows/", re.IGNORECASE)
_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*)$")
_FENCE_RE = re.compile(r"^\s*(```+|~~~+)\s*([\w+-]*)")
_CITATION_WORDS = ("citation", "cite", "bibtex", "reference", "how to cite", "paper")
_METADATA_KEYS = frozenset(
    [
        "repo",
        "repository",
        "repo_url",
        "github",
        "github_url",
        "code",
        "code_url",
        "code_repository",
        "codebase",
        "source",
        "source_code",
        "source_url",
        "project_url",
    ]
)
_TRAILING = ").,;:!?*_'\""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A GitHub repository mentioned by a card, with how much it can be trusted."""

    repo: str
    source: str  # metadata or card
    weak: bool  # inside a citation block or behind a badge image
    matches: bool  # contains one of the model id's search terms (the study's filter)
    position: int

    @property
    def monorepo(self) -> bool:
        """True if the repository is a known shared monorepo."""
        return is_monorepo(self.repo)


@dataclass(frozen=True, slots=True)
class LinkResult:
    """The GitHub repository a model links to, where that came from, and what else was seen."""

    repo: str | None
    source: str | None  # config, watchlist, metadata, card, citation (None: no link)
    monorepo: bool = False
    weak: bool = False
    candidates: tuple[str, ...] = field(default=())

    def note(self) -> str:
        """Return a short human note: why the link is doubtful, or which links the card had."""
        if self.repo is None:
            return "card links: " + ", ".join(self.candidates[:5]) if self.candidates else "no GitHub link in the card"
        parts = []
        if self.monorepo:
            parts.append("shared monorepo")
        if self.weak:
            parts.append("only found in a citation or badge")
        return "; ".join(parts)


def is_monorepo(repo: str) -> bool:
    """Return True if ``repo`` is a known shared monorepo (case-insensitive)."""
    return repo.lower() in MONOREPOS


def search_terms(model_id: str) -> list[str]:
    """Return the study's search terms for a model id: owner tokens plus the name's first token.

    ``google-bert/bert-base-uncased`` gives ``["google", "bert", "bert"]``; split on ``-`` and ``_``.
    """
    owner, _, name = model_id.partition("/")
    terms = [t for t in re.split(r"[-_]", owner) if t]
    first = re.split(r"[-_]", name, maxsplit=1)[0] if name else ""
    if first:
        terms.append(first)
    return terms


def _normalise(url: str) -> str | None:
    """Return ``owner/repo`` for a GitHub URL, or None if it does not name a repository."""
    path = re.sub(r"^https?://(?:www\.)?github\.com/", "", url, flags=re.IGNORECASE)
    parts = [p for p in path.split("/") if p]
    if len(parts) < 2:
        return None
    owner, name = parts[0], parts[1].split("#")[0].split("?")[0]
    name = name.rstrip(_TRAILING)
    if name.lower().endswith(".git"):
        name = name[:-4]
    repo = f"{owner}/{name}"
    if owner.lower() in _NOT_OWNERS or not is_valid_repo_id(repo):
        return None
    return repo


def study_link(card: str, model_id: str) -> str | None:
    """Return the link exactly as the study's heuristic found it (``owner/repo``), or None.

    Kept beside ``extract_link`` so that tests and users can see where ours differs.
    """
    terms = search_terms(model_id)
    for match in STUDY_URL_RE.findall(card):
        link = match.rstrip(").,")
        if any(term in link for term in terms):
            parts = link.split("/")
            if len(parts) >= 5:
                return f"{parts[3]}/{parts[4]}"
    return None


def _weak_lines(lines: list[str]) -> set[int]:
    """Return the indices of lines inside citation sections or BibTeX-like blocks."""
    weak: set[int] = set()
    citation_level = 0  # heading level of the open citation section; 0 when none
    fence: str | None = None
    fence_weak = False
    for i, line in enumerate(lines):
        fence_match = _FENCE_RE.match(line)
        if fence is not None:
            if fence_match and line.strip().startswith(fence):
                fence = None
            if fence_weak or citation_level:
                weak.add(i)
            continue
        if fence_match:
            fence = fence_match.group(1)
            lang = fence_match.group(2).lower()
            following = next((x.strip() for x in lines[i + 1 : i + 4] if x.strip()), "")
            fence_weak = lang in ("bibtex", "bib", "latex", "tex") or following.startswith("@")
            if fence_weak or citation_level:
                weak.add(i)
            continue
        heading = _HEADING_RE.match(line.strip())
        if heading:
            level = len(heading.group(1))
            title = heading.group(2).lower()
            if citation_level and level <= citation_level:
                citation_level = 0
            if any(word in title for word in _CITATION_WORDS):
                citation_level = level
        if citation_level or re.match(r"^\s*@\w+\s*\{", line):
            weak.add(i)
    return weak


def _card_candidates(body: str, terms: list[str], offset: int) -> Iterator[Candidate]:
    lines = body.splitlines()
    weak_lines = _weak_lines(lines)
    position = offset
    for i, line in enumerate(lines):
        for match in _URL_RE.finditer(line):
            url = match.group(0).rstrip(_TRAILING)
            position += 1
            path = url.split("github.com", 1)[-1]
            before = line[: match.start()]
            if _BADGE_PATH_RE.search(path) or re.search(r"(!\[[^\]]*\]\(|<img[^>]*src=[\"']?)$", before):
                continue  # a badge image: never the link itself
            repo = _normalise(url)
            if repo is None:
                continue
            behind_badge = bool(re.search(r"\[!\[[^\]]*\]\([^)]*\)\]\($", before))
            yield Candidate(
                repo=repo,
                source="card",
                weak=i in weak_lines or behind_badge,
                matches=_matches(url, terms),
                position=position,
            )


def _matches(url: str, terms: list[str]) -> bool:
    low = url.lower()
    return any(term.lower() in low for term in terms if len(term) >= 2)


def _walk_metadata(data: Any, key: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, Mapping):
        for k, v in data.items():
            yield from _walk_metadata(v, str(k))
    elif isinstance(data, list | tuple):
        for item in data:
            yield from _walk_metadata(item, key)
    elif isinstance(data, str):
        yield key, data


def split_front_matter(card: str) -> tuple[dict[str, list[str]], str]:
    """Split a card into its YAML front matter (as key -> string values) and its Markdown body.

    Only what link extraction needs is parsed: ``key: value`` lines and ``- value`` list items
    under the last key. Nothing is evaluated.
    """
    text = card.lstrip("\ufeff")
    if not text.startswith("---"):
        return {}, card
    end = re.search(r"^---\s*$", text[3:], re.MULTILINE)
    if end is None:
        return {}, card
    header, body = text[3 : 3 + end.start()], text[3 + end.end() :]
    fields: dict[str, list[str]] = {}
    key = ""
    for line in header.splitlines():
        item = re.match(r"^\s*-\s+(.*)$", line)
        pair = re.match(r"^\s*([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if pair and not item:
            key = pair.group(1)
            value = pair.group(2).strip().strip("'\"")
            if value:
                fields.setdefault(key, []).append(value)
        elif item and key:
            fields.setdefault(key, []).append(item.group(1).strip().strip("'\""))
    return fields, body


def _metadata_candidates(pairs: Iterable[tuple[str, str]], terms: list[str]) -> Iterator[Candidate]:
    for position, (key, value) in enumerate(pairs):
        for match in _URL_RE.finditer(value):
            url = match.group(0).rstrip(_TRAILING)
            repo = _normalise(url)
            if repo is None or _BADGE_PATH_RE.search(url.split("github.com", 1)[-1]):
                continue
            explicit = key.lower() in _METADATA_KEYS
            yield Candidate(
                repo=repo,
                source="metadata" if explicit else "card",
                weak=False,
                # A field that declares the code repository is trusted without the term filter.
                matches=explicit or _matches(url, terms),
                position=position - 10_000,  # metadata comes before the body
            )


def candidates(card: str, model_id: str, card_data: Mapping[str, Any] | None = None) -> list[Candidate]:
    """Return every GitHub repository the card mentions, in order of appearance.

    Args:
        card: The model card (README.md) text, front matter included.
        model_id: The model's ``owner/name``, for the study's search terms.
        card_data: The Hub's parsed card metadata, when the caller has it; otherwise the
            card's front matter is read.
    """
    terms = search_terms(model_id)
    front, body = split_front_matter(card or "")
    pairs: list[tuple[str, str]] = (
        list(_walk_metadata(card_data)) if card_data else [(k, v) for k, vs in front.items() for v in vs]
    )
    found = list(_metadata_candidates(pairs, terms))
    found += list(_card_candidates(body, terms, 0))
    return found


def extract_link(card: str, model_id: str, card_data: Mapping[str, Any] | None = None) -> LinkResult:
    """Return the GitHub repository a model card points to (docs/method.md §1 with our improvements).

    Among candidates that pass the study's term filter (or come from an explicit metadata
    field), the best is chosen by: metadata before body, strong before weak (citation or badge),
    non-monorepo before monorepo, then first appearance.
    """
    found = candidates(card, model_id, card_data)
    seen: list[str] = []
    for cand in found:
        if cand.repo.lower() not in (s.lower() for s in seen):
            seen.append(cand.repo)
    usable = [c for c in found if c.matches]
    if not usable:
        return LinkResult(None, None, candidates=tuple(seen))
    best = min(usable, key=lambda c: (c.source != "metadata", c.weak, c.monorepo, c.position))
    source = "citation" if best.weak else best.source
    return LinkResult(best.repo, source, monorepo=best.monorepo, weak=best.weak, candidates=tuple(seen))


def override_link(model: str, links: Mapping[str, str], watch_github: str | None = None) -> LinkResult | None:
    """Return the user's link for ``model`` from config ``[links]`` or a watchlist entry, or None.

    Model ids on the Hub are case-insensitive, so the config key matches in any case.
    """
    repo = links.get(model)
    if repo is None:
        lowered = model.lower()
        repo = next((v for k, v in links.items() if k.lower() == lowered), None)
    if repo is not None and is_valid_repo_id(repo):
        return LinkResult(repo, "config", monorepo=is_monorepo(repo))
    if watch_github is not None and is_valid_repo_id(watch_github):
        return LinkResult(watch_github, "watchlist", monorepo=is_monorepo(watch_github))
    return None


def set_link(config_path: str | Path, model: str, gh_repo: str) -> Path:
    """Write ``model = gh_repo`` into the ``[links]`` table of the user's config file.

    The file is edited textually and written atomically: comments, order and every other
    table are kept. See ``core.config_edit.set_table_entry``.

    Args:
        config_path: The config file (created if missing).
        model: The HF model id (validated).
        gh_repo: The GitHub ``owner/repo`` (validated).

    Returns:
        The path written.

    Raises:
        InputError: An id is not a safe ``owner/name``.
        ConfigError: The file cannot be read, is not valid TOML, or cannot be written.
    """
    from core.config_edit import set_table_entry
    from core.mining.repo_ids import require_repo_id

    require_repo_id(model, "model")
    require_repo_id(gh_repo, "GitHub repository")
    return set_table_entry(Path(config_path), "links", model, gh_repo)

"""Provides short_names(): a family's repositories named by what tells them apart, for narrow labels.

Twelve variants of one family read ``aurora-nlp/aurora-bert-base-uncased``,
``aurora-nlp/aurora-bert-large-cased`` …: cut to a fixed width they all look the same. The
family's owner and the prefix its variants share say nothing once the family is known, so
they are dropped at a word boundary (``-``, ``_``, ``.``): ``base-uncased``, ``large-cased``.
A variant of another owner keeps its owner (``bitsmith/…-onnx``: a third-party copy), and a
name that would become empty stays whole.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence

_BOUNDARY = re.compile(r"[-_.]")


def _word_prefix(names: Sequence[str]) -> str:
    """Return the longest common prefix of ``names`` that ends just after a separator."""
    common = os.path.commonprefix(list(names))
    after = {name[len(common)] for name in names if len(name) > len(common)}
    if len(after) == 1 and _BOUNDARY.fullmatch(next(iter(after))):
        return common + after.pop()  # "model" and "model-large": "model-" is a whole word
    cut = max((m.end() for m in _BOUNDARY.finditer(common)), default=0)
    return common[:cut]


def short_names(repos: Sequence[str], gh_repo: str | None = None) -> dict[str, str]:
    """Return each repository's short name (``owner/name`` ids in, labels out).

    Args:
        repos: The family's Hugging Face variants (and, if wanted, its GitHub repository).
        gh_repo: The family's GitHub repository: its name is a prefix worth dropping too
            (``aurora-bert-`` in ``aurora-bert-base``) even when one variant does not share it.

    Returns:
        A label per repository. With a single variant nothing is dropped but the owner.
    """
    if not repos:
        return {}
    owners = Counter(r.partition("/")[0] for r in repos if "/" in r)
    owner = owners.most_common(1)[0][0] if owners else ""
    names = {r: r.partition("/")[2] or r for r in repos}
    own = [n for r, n in names.items() if r.partition("/")[0] == owner]
    prefixes = []
    if len(own) > 1:
        prefixes.append(_word_prefix(own))
    if gh_repo and len(repos) > 1:
        stem = gh_repo.partition("/")[2]
        prefixes.extend(stem + sep for sep in "-_.")
    out = {}
    for repo, name in names.items():
        short = name
        for prefix in sorted((p for p in prefixes if p), key=len, reverse=True):
            if name.startswith(prefix) and len(name) > len(prefix):
                short = name[len(prefix) :]
                break
        repo_owner = repo.partition("/")[0]
        out[repo] = short if repo_owner == owner or "/" not in repo else f"{repo_owner}/{short}"
    return out


def common_prefix(repos: Sequence[str], gh_repo: str | None = None) -> str:
    """Return what ``short_names`` drops from most variants, for a legend (``aurora-nlp/aurora-bert-``)."""
    labels = short_names(repos, gh_repo)
    dropped = Counter(
        repo[: len(repo) - len(label)] for repo, label in labels.items() if repo.endswith(label) and repo != label
    )
    return dropped.most_common(1)[0][0] if dropped else ""

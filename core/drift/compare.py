"""Provides drift between git repositories: ad hoc (``drift --github GIT --hub GIT``) and from the cache's clones.

Both read each repository's first-parent history (one ``git log`` each), ask the variants for
the few shared blobs that could be LFS pointers, and link the two sides
(``core.drift.pairs``). Ad hoc work happens in a temporary directory that is removed after;
nothing is cached.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from core.drift.family import shared_blobs
from core.drift.pairs import linked_pairs
from core.drift.repos import Repository, first_parent_events, lfs_pointers, open_repository
from core.errors import InputError
from core.models import GITHUB, HUGGINGFACE

TokenFor = Callable[[str, str], str | None]  # (platform, spec) -> token for that URL, or None


@dataclass(frozen=True)
class DriftRun:
    """A drift table and the repositories it was read from (``--diff`` reads blobs from them)."""

    table: pl.DataFrame
    github: Repository
    hubs: tuple[Repository, ...]

    def hub(self, name: str) -> Repository:
        """The variant repository called ``name`` in the table."""
        return next(h for h in self.hubs if h.name == name)


def drift_between(github: Repository, hubs: Sequence[Repository], *, family: str) -> pl.DataFrame:
    """Return the drift table of ``hubs`` (HF variants) against ``github``.

    Raises:
        InputError: A history or a blob cannot be read.
    """
    gh_events = first_parent_events(github)
    parts = [first_parent_events(h) for h in hubs]
    hf_events = pl.concat(parts) if parts else gh_events.clear()
    candidates = shared_blobs(gh_events, hf_events)
    never: set[str] = set()
    for hub in hubs:
        mine = candidates.filter(pl.col("repo") == hub.name)["blob"].to_list()
        never |= lfs_pointers(hub, mine)
    return linked_pairs(gh_events, hf_events, family=family, gh_repo=github.name, never_link=never)


def default_family(github: str) -> str:
    """A family id for an ad hoc run: ``owner_name`` of a URL's repository, else the path's last part."""
    from core.drift.repos import display_name

    name = display_name(github)
    if name == github:  # a path: its last part, without .git or .bundle
        base = Path(github.rstrip("/")).name
        return base.removesuffix(".git").removesuffix(".bundle") or "family"
    return name.replace("/", "_")


@contextmanager
def adhoc_drift(
    github: str,
    hubs: Sequence[str],
    *,
    family: str | None = None,
    timeout: float = 300.0,
    offline: bool = False,
    token_for: TokenFor | None = None,
) -> Iterator[DriftRun]:
    """Yield the drift of ``hubs`` against ``github``, any git repositories; clones go to a temporary directory.

    The directory (and every clone in it) is removed when the context exits, so ``--diff``
    reads its two blobs inside the context.

    Args:
        github: Local path, bundle, ``file://`` or remote URL of the GitHub side.
        hubs: The same for each HF variant (at least one).
        family: The family id on every row (default: from ``github``).
        timeout: Seconds per clone.
        offline: Refuse network URLs (``--offline``).
        token_for: Returns the token to send to a URL, if any.

    Raises:
        InputError: A repository cannot be found, cloned or read, or the arguments are unusable.
        NetworkError: ``offline`` with a network URL.
    """
    from core.drift.repos import is_remote

    specs = list(dict.fromkeys(hubs))
    if not specs:
        raise InputError("No Hugging Face repository", "--hub is missing", "give --hub GIT (repeatable)")
    if offline:
        remote = [s for s in [github, *specs] if is_remote(s) and not s.startswith("file://")]
        if remote:
            from core.errors import NetworkError

            raise NetworkError("Offline mode is on", remote[0], "use local paths or file:// URLs, or drop --offline")
    workdir = Path(tempfile.mkdtemp(prefix="ptlm-drift-"))
    try:
        token = token_for or (lambda _platform, _spec: None)
        gh = open_repository(github, workdir, platform=GITHUB, timeout=timeout, token=token(GITHUB, github))
        hf = tuple(
            open_repository(s, workdir, platform=HUGGINGFACE, timeout=timeout, token=token(HUGGINGFACE, s))
            for s in specs
        )
        names = [h.name for h in hf]
        if len(set(names)) != len(names):
            raise InputError("Two --hub repositories have the same name", ", ".join(names), "give each once")
        table = drift_between(gh, hf, family=family or default_family(github))
        yield DriftRun(table, gh, hf)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def show_diff(run: DriftRun, path: str, variant: str | None = None) -> str:
    """Return the difference of every linked pair of ``path`` (an HF or GitHub path): HF version to GitHub's.

    Only the two head blobs of each pair are read (a partial clone fetches just those). A
    ``.json`` file's keys added, removed and changed come first, then the unified diff.

    Raises:
        InputError: ``path`` (of ``variant``, when given) is in no linked pair, or a blob
            cannot be read.
    """
    from core.drift.diff import json_changes, render_json_changes, unified_diff
    from core.drift.repos import read_blob

    rows = run.table.filter((pl.col("hf_path") == path) | (pl.col("gh_path") == path))
    if variant is not None:
        rows = rows.filter(pl.col("hf_repo") == variant)
    if rows.is_empty():
        where = f"{path} in {variant}" if variant else path
        raise InputError(
            "Not a linked path", where, "run the same drift command without --diff to list the linked paths"
        )
    out: list[str] = []
    for row in rows.iter_rows(named=True):
        gh = read_blob(run.github, row["gh_head"])
        hf = read_blob(run.hub(row["hf_repo"]), row["hf_head"])
        missing = row["missing_gh_commits"]
        out.append(
            f"{row['hf_repo']}:{row['hf_path']} <- {row['gh_repo']}:{row['gh_path']}  "
            f"[{row['state']}, {missing} GitHub commit{'s' * (missing != 1)} missing]\n"
        )
        text = unified_diff(hf, gh, f"hf/{row['hf_path']}", f"gh/{row['gh_path']}")
        if text and row["hf_path"].lower().endswith(".json"):  # the keys first: what changed, in short
            changes = json_changes(hf, gh)
            if changes is not None:
                out.append(render_json_changes(changes))
        out.append(text or "(the two versions are identical)\n")
    return "".join(out)

"""Provides plan_proposal(): which files a proposal changes, with their new content, diff and message.

To the Hub (the default), the files are the variant's HF files that are behind GitHub by
docs/method.md §8.2's per-variant rule (``--diverged``: diverged ones too): a file GitHub moved
and HF already holds under the new name is up to date, so it is never proposed. Each gets the
GitHub head version of its linked GitHub path, one blob read from the clone. To GitHub
(``--to-github``), the mirror image: GitHub paths HF is ahead of get HF's head version.

A file is left out, with the reason, when it is tracked by git LFS on either side (its content
is not in git), when a side holds an LFS pointer, when it is larger than ``propose.max_file_mb``,
when its version cannot be read, or when an open pull request already brings that version.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import polars as pl

from core.drift.pairs import DIVERGED, HF_AHEAD, HF_BEHIND, IN_SYNC, REMOVED_ON_GH, REMOVED_ON_HF
from core.drift.repos import Repository
from core.errors import InputError
from core.propose.model import NOT_BEHIND, OPEN, SKIPPED, TO_GITHUB, TO_HUB, LeftOut, Plan, ProposedFile
from core.propose.source import VariantDrift

if TYPE_CHECKING:
    from cache.store import CacheStore
    from core.config import Settings

# Per file, the state that speaks for it when it has several pairs (an in-sync pair wins: up to date).
_HUB_PRECEDENCE = (IN_SYNC, HF_BEHIND, DIVERGED, HF_AHEAD, REMOVED_ON_HF, REMOVED_ON_GH)
_GITHUB_PRECEDENCE = (IN_SYNC, HF_AHEAD, DIVERGED, HF_BEHIND, REMOVED_ON_GH, REMOVED_ON_HF)


@dataclass(frozen=True)
class _Side:
    """One side of a copy: the repository, its name in messages and diff labels, and the drift columns."""

    repo: Repository
    name: str  # "GitHub" or "HF"
    label: str  # diff label prefix: "gh" or "hf"
    path: str  # column of the drift table: gh_path or hf_path
    head: str  # column: gh_head or hf_head


def plan_proposal(
    store: CacheStore,
    settings: Settings,
    family: str,
    variant: str,
    paths: Sequence[str] = (),
    *,
    direction: str = TO_HUB,
    diverged: bool = False,
    force: bool = False,
) -> Plan:
    """Return the plan of a proposal for ``variant`` of ``family`` (nothing is sent or written).

    Args:
        store: The cache (variants, and the proposals already open).
        settings: ``propose.max_file_mb``, ``github.base_url`` and the Hub endpoint (commit URLs).
        family: The family id.
        variant: The HF model.
        paths: Only these files (HF or GitHub paths of linked pairs); all when empty.
        direction: ``TO_HUB`` (a Hub pull request) or ``TO_GITHUB`` (a patch for GitHub).
        diverged: Propose diverged files too (the other side's changes are replaced).
        force: Propose files an open pull request already brings.

    Raises:
        InputError: Unknown family, variant or path, or a repository not synced yet.
    """
    from core.propose.record import open_files
    from core.propose.source import variant_drift

    source = variant_drift(store, settings, family, variant)
    already = {} if force or direction != TO_HUB else open_files(store, variant)
    return build_plan(
        source,
        paths,
        direction=direction,
        diverged=diverged,
        max_bytes=int(settings.propose.max_file_mb * 1_000_000),
        open_prs=already,
        github_base=settings.github.base_url,
        hub_base=settings.hf_endpoint(),
    )


def build_plan(
    source: VariantDrift,
    paths: Sequence[str] = (),
    *,
    direction: str = TO_HUB,
    diverged: bool = False,
    max_bytes: int = 10_000_000,
    open_prs: Mapping[tuple[str, str], str] | None = None,
    github_base: str = "https://github.com",
    hub_base: str = "https://huggingface.co",
) -> Plan:
    """Return the plan from a variant's drift (see ``plan_proposal``); ``open_prs`` maps (hf_path, blob) to a URL."""
    if direction not in (TO_HUB, TO_GITHUB):
        raise ValueError(f"unknown direction {direction!r}")
    to_hub = direction == TO_HUB
    gh = _Side(source.github, "GitHub", "gh", "gh_path", "gh_head")
    hf = _Side(source.hub, "HF", "hf", "hf_path", "hf_head")
    src, dst = (gh, hf) if to_hub else (hf, gh)
    rows, left_out = _select(source.table, dst, src, paths, diverged=diverged)
    files: list[ProposedFile] = []
    chosen: list[dict[str, object]] = []
    for row in rows:
        url = (open_prs or {}).get((str(row["hf_path"]), str(row["gh_head"]))) if to_hub else None
        if url:
            reason = "a pull request already brings this version (--force proposes it again)"
            left_out.append(LeftOut(str(row["hf_path"]), str(row["gh_path"]), OPEN, reason, url))
        else:
            chosen.append(row)
    lfs_src = _lfs(src, [str(r[src.path]) for r in chosen])
    lfs_dst = _lfs(dst, [str(r[dst.path]) for r in chosen])
    modes = _modes(dst.repo, [str(r[dst.path]) for r in chosen]) if not to_hub else {}
    for row in chosen:
        result = _file(row, src, dst, lfs_src, lfs_dst, max_bytes, modes)
        if isinstance(result, LeftOut):
            left_out.append(result)
        else:
            files.append(result)
    return _finish(source, direction, files, left_out, github_base=github_base, hub_base=hub_base)


def _finish(
    source: VariantDrift,
    direction: str,
    files: list[ProposedFile],
    left_out: list[LeftOut],
    *,
    github_base: str,
    hub_base: str,
) -> Plan:
    from core.propose import gitread
    from core.propose.message import body_for, commit_url, title_for

    to_hub = direction == TO_HUB
    if to_hub:
        picked = {(f.hf_path, f.gh_path) for f in files}
        shas = [
            s
            for row in source.table.iter_rows(named=True)
            if (row["hf_path"], row["gh_path"]) in picked and row["missing_gh_shas"]
            for s in row["missing_gh_shas"].split("|")
        ]
        commits = gitread.commits(source.github, shas)
        urls = [commit_url(github_base, source.gh_repo, c.sha) for c in commits]
    else:
        found = {c.sha: c for f in files for c in gitread.path_changes(source.hub, f.hf_path, f.commits)}
        commits = sorted(found.values(), key=lambda c: (c.authored_at, c.sha))
        urls = [commit_url(hub_base, source.variant, c.sha) for c in commits]
    gh_head = gitread.head_commit(source.github)
    hf_parent = gitread.head_commit(source.hub)
    title = title_for(direction, files, gh_repo=source.gh_repo, variant=source.variant) if files else ""
    body = (
        body_for(
            direction,
            files,
            commits,
            urls,
            gh_repo=source.gh_repo,
            variant=source.variant,
            source_head=gh_head if to_hub else hf_parent,
        )
        if files
        else ""
    )
    return Plan(
        family=source.family,
        variant=source.variant,
        gh_repo=source.gh_repo,
        direction=direction,
        files=tuple(sorted(files, key=lambda f: f.target)),
        left_out=tuple(sorted(left_out, key=lambda x: (x.hf_path, x.gh_path))),
        commits=tuple(commits),
        title=title,
        body=body,
        hf_parent=hf_parent,
        gh_head=gh_head,
        commit_urls=tuple(urls),
    )


def _select(
    table: pl.DataFrame, dst: _Side, src: _Side, paths: Sequence[str], *, diverged: bool
) -> tuple[list[dict[str, object]], list[LeftOut]]:
    """Return one pair per file to propose (the target side's path is the file), and the named files left out."""
    to_hub = dst.name == "HF"
    own, other = dst.path, src.path
    precedence = _HUB_PRECEDENCE if to_hub else _GITHUB_PRECEDENCE
    wanted = {HF_BEHIND if to_hub else HF_AHEAD} | ({DIVERGED} if diverged else set())
    extra = "missing_gh_commits" if to_hub else "hf_extra_commits"
    rank = pl.col("state").replace_strict({s: i for i, s in enumerate(precedence)}, return_dtype=pl.Int8)
    ordered = table.with_columns(rank.alias("_rank")).sort(
        [own, "_rank", extra, other], descending=[False, False, True, False]
    )
    named = _named(table, paths, own, other)
    left: list[LeftOut] = []
    rows: list[dict[str, object]] = []
    for path, pairs in ordered.group_by(own, maintain_order=True):
        target = str(path[0])
        if named is not None and target not in named:
            continue
        best = pairs.row(0, named=True)
        if best["state"] in wanted:
            rows.append(best)
        elif named is not None or best["state"] == DIVERGED:
            left.append(LeftOut(best["hf_path"], best["gh_path"], NOT_BEHIND, _why_not(best, to_hub)))
    return rows, left


def _named(table: pl.DataFrame, paths: Sequence[str], own: str, other: str) -> set[str] | None:
    """The target-side paths the person named (a path of either side), or None when none was named."""
    if not paths:
        return None
    found: set[str] = set()
    unknown = []
    for path in dict.fromkeys(paths):
        mine = set(table.filter(pl.col(own) == path)[own].to_list()) or set(
            table.filter(pl.col(other) == path)[own].to_list()
        )
        if mine:
            found |= mine
        else:
            unknown.append(path)
    if unknown:
        raise InputError(
            "Not a linked file of this variant",
            ", ".join(unknown[:5]),
            "`ptlm-tui drift FAMILY` lists the linked files (HF and GitHub paths)",
        )
    return found


def _why_not(row: Mapping[str, object], to_hub: bool) -> str:
    state, gh_path, hf_path = row["state"], row["gh_path"], row["hf_path"]
    if state == IN_SYNC:
        return (
            f"up to date: the same as GitHub's `{gh_path}`" if to_hub else f"up to date: the same as HF's `{hf_path}`"
        )
    if state == DIVERGED:
        other = f"GitHub's `{gh_path}`" if to_hub else f"HF's `{hf_path}`"
        return (
            f"diverged from {other} (both sides changed it): add --diverged to propose the other side's version "
            "anyway, replacing this side's changes"
        )
    if state == HF_AHEAD:
        return f"HF is ahead of GitHub's `{gh_path}`: `--to-github` writes a patch for GitHub instead"
    if state == HF_BEHIND:
        return f"HF is behind GitHub's `{gh_path}`: propose without --to-github (a Hub pull request)"
    if state == REMOVED_ON_GH:
        return f"GitHub removed `{gh_path}`"
    return f"HF removed `{hf_path}`"


def _lfs(side: _Side, paths: list[str]) -> set[str] | str:
    """The paths git LFS tracks on this side, or why that cannot be told (its .gitattributes cannot be read)."""
    from core.propose.gitread import lfs_tracked

    try:
        return lfs_tracked(side.repo, sorted(set(paths))) if paths else set()
    except InputError as exc:
        return exc.one_line()


def _modes(repo: Repository, paths: list[str]) -> dict[str, str]:
    from core.propose.gitread import tree_modes

    return tree_modes(repo, paths) if paths else {}


def _read(side: _Side, blob: str | None) -> tuple[bytes | None, str]:
    """A version's content, or None and why it cannot be read."""
    from core.drift.repos import read_blob

    if blob is None:
        return None, ""
    try:
        return read_blob(side.repo, blob), ""
    except InputError as exc:
        return None, exc.one_line()


def _file(
    row: Mapping[str, object],
    src: _Side,
    dst: _Side,
    lfs_src: set[str] | str,
    lfs_dst: set[str] | str,
    max_bytes: int,
    modes: Mapping[str, str],
) -> ProposedFile | LeftOut:
    """The proposed file for one pair, or why it is left out."""
    from core.drift.diff import is_binary, json_changes, render_json_changes, unified_diff
    from core.mining.git_blobs import LFS_PREFIX

    hf_path, gh_path = str(row["hf_path"]), str(row["gh_path"])
    src_path, dst_path = str(row[src.path]), str(row[dst.path])

    def skip(reason: str) -> LeftOut:
        return LeftOut(hf_path, gh_path, SKIPPED, reason)

    for side, path, tracked in ((src, src_path, lfs_src), (dst, dst_path, lfs_dst)):
        if isinstance(tracked, str):
            return skip(f"cannot tell whether git LFS tracks it on {side.name} (.gitattributes): {tracked}")
        if path in tracked:
            return skip(f"tracked by git LFS on {side.name} (.gitattributes): its content is not in git")
    new_blob = str(row[src.head])
    new, problem = _read(src, new_blob)
    if new is None:
        return skip(f"cannot read {src.name}'s version: {problem}")
    if new.startswith(LFS_PREFIX):
        return skip(f"a git LFS pointer on {src.name}: its content is not in git")
    if len(new) > max_bytes:
        return skip(f"{len(new) / 1e6:.1f} MB, over the {max_bytes / 1e6:g} MB limit (setting propose.max_file_mb)")
    old_blob = row[dst.head]
    old, problem = _read(dst, str(old_blob) if old_blob else None)
    if old is not None and old.startswith(LFS_PREFIX):
        return skip(f"a git LFS pointer on {dst.name}: its content is not in git")
    old_label, new_label = f"{dst.label}/{dst_path}", f"{src.label}/{src_path}"
    if old is None and old_blob and dst.name == "GitHub":  # a patch needs the version it applies to
        return skip(f"cannot read GitHub's current version: {problem}")
    if old is None and old_blob:
        diff = f"(no diff: {dst.name}'s current version cannot be read: {problem})\n"
    else:
        diff = unified_diff(old, new, old_label, new_label)
    keys = ""
    if dst_path.lower().endswith(".json") and old is not None:
        changes = json_changes(old, new)
        keys = render_json_changes(changes) if changes is not None else ""
    commits = row["missing_gh_commits"] if src.name == "GitHub" else row["hf_extra_commits"]
    return ProposedFile(
        hf_path=hf_path,
        gh_path=gh_path,
        state=str(row["state"]),
        target=dst_path,
        new_blob=new_blob,
        old_blob=str(old_blob) if old_blob else None,
        new=new,
        old=old,
        commits=int(commits or 0),  # type: ignore[call-overload]
        mode=modes.get(dst_path, "100644"),
        diff=diff,
        json_keys=keys,
        binary=is_binary(new) or (old is not None and is_binary(old)),
    )

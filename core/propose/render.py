"""Provides the plan as a person reads it (text: the CLI's dry run and the app's dialog) and as data (JSON).

File contents, paths and commit titles are untrusted: the text is plain (no markup); whoever
puts it on a terminal escapes control characters (``core.io.tables.write_text``), and the app
shows it as plain text.
"""

from __future__ import annotations

from typing import Any

from core.propose.model import NOT_BEHIND, OPEN, TO_HUB, Plan, ProposedFile
from core.words import plural


def plan_heading(plan: Plan) -> str:
    """One line: where the proposal goes, how many files, and the two commits it was computed against."""
    if plan.direction == TO_HUB:
        where = f"to {plan.variant} (family {plan.family}) from GitHub {plan.gh_repo} {plan.gh_head[:7]}"
        base = f"; base: {plan.variant} {plan.hf_parent[:7]}"
    else:
        where = f"to GitHub {plan.gh_repo} from {plan.variant} {plan.hf_parent[:7]} (family {plan.family})"
        base = f"; base: {plan.gh_repo} {plan.gh_head[:7]}"
    return f"Proposal {where}: {plural(len(plan.files), 'file')}{base}"


def _file_line(plan: Plan, f: ProposedFile) -> str:
    source = f"GitHub {f.gh_path}" if plan.direction == TO_HUB else f"HF {f.hf_path}"
    notes = [f.state, plural(f.commits, "commit")]
    if f.binary:
        notes.append("binary" + ("; the Hub keeps it in its large-file storage" if plan.direction == TO_HUB else ""))
    return f"== {f.target} <- {source}  [{', '.join(notes)}]"


def plan_text(plan: Plan, *, heading: bool = True) -> str:
    """The whole plan: heading, each file's diff (and JSON keys), the files left out, the commit message.

    ``heading`` False leaves the first line out (the app shows it as the dialog's title).
    """
    out = [plan_heading(plan), ""] if heading else []
    for f in plan.files:
        out.append(_file_line(plan, f))
        out.append((f.diff or "(no change in content)\n").rstrip("\n"))
        if f.json_keys:
            out.append(f.json_keys.rstrip("\n"))
        out.append("")
    if plan.left_out:
        out.append("Left out:")
        for x in plan.left_out:
            path = x.hf_path if plan.direction == TO_HUB else x.gh_path
            if x.kind == OPEN:
                out.append(f"  {path}: PR open: {x.url} ({x.reason})")
            else:
                out.append(f"  {path}: {'not proposed' if x.kind == NOT_BEHIND else 'skipped'}: {x.reason}")
        out.append("")
    if plan.files:
        out.append("Commit message:")
        out += [f"    {line}".rstrip() for line in plan.message.splitlines()]
        out.append("")
    return "\n".join(out)


def plan_data(plan: Plan, result: dict[str, Any] | None = None) -> dict[str, Any]:
    """The plan as JSON-ready data (``propose --format json``); ``result`` says how sending or writing ended."""
    data: dict[str, Any] = {
        "family": plan.family,
        "variant": plan.variant,
        "gh_repo": plan.gh_repo,
        "direction": plan.direction,
        "gh_head": plan.gh_head,
        "hf_parent": plan.hf_parent,
        "title": plan.title,
        "body": plan.body,
        "files": [
            {
                "hf_path": f.hf_path,
                "gh_path": f.gh_path,
                "target": f.target,
                "state": f.state,
                "commits": f.commits,
                "new_blob": f.new_blob,
                "old_blob": f.old_blob,
                "size": len(f.new),
                "old_size": None if f.old is None else len(f.old),
                "binary": f.binary,
                "diff": f.diff,
                "json_keys": f.json_keys,
            }
            for f in plan.files
        ],
        "left_out": [
            {"hf_path": x.hf_path, "gh_path": x.gh_path, "kind": x.kind, "reason": x.reason, "url": x.url or None}
            for x in plan.left_out
        ],
        "commits": [
            {
                "sha": c.sha,
                "authored_at": c.authored_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "author": c.author,
                "title": c.title,
                "url": url,
            }
            for c, url in zip(plan.commits, plan.commit_urls, strict=True)
        ],
    }
    if result is not None:
        data["result"] = result
    return data

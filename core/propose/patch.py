"""Provides write_patch(): a ``--to-github`` plan as one ``git format-patch`` file for ``git am`` in a GitHub clone.

ptlm-tui never writes to GitHub. The maintainer gets one patch that sets each GitHub path to
HF's head version, authored by the newest HF commit brought over, whose message lists them all.
git itself writes the patch: both versions of each file go into a scratch repository (a
temporary directory outside the cache, with the user's git config ignored so that no setting
changes the layout), as a base commit holding GitHub's versions and one commit on top holding
HF's; ``git format-patch --binary`` of that commit is the patch, binary files included.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import InputError
from core.propose.model import TO_GITHUB, Plan
from core.propose.record import WRITTEN, new_proposal_id, proposal_row, record

if TYPE_CHECKING:
    from cache.store import CacheStore

TIMEOUT = 120.0
_FALLBACK_AUTHOR = ("Hugging Face", "noreply@huggingface.co")


def default_patch_name(plan: Plan) -> str:
    """``0001-<title as a file name>.patch``, as ``git format-patch`` names its first patch."""
    slug = re.sub(r"[^A-Za-z0-9._]+", "-", plan.title).strip("-.")[:52].rstrip("-.")
    return f"0001-{slug or 'proposal'}.patch"


def format_patch(plan: Plan) -> bytes:
    """Return the patch of a ``--to-github`` plan, in ``git format-patch`` layout.

    Raises:
        InputError: The plan goes to the Hub or changes nothing, or git failed.
    """
    from core.mining.failures import SourceFailure
    from core.mining.git_run import run_git

    if plan.direction != TO_GITHUB:
        raise InputError("Only a --to-github plan is a patch", plan.variant, "send Hub proposals with --open-pr")
    if not plan.files:
        raise InputError(
            "Nothing to write", f"{plan.variant}: the plan changes no GitHub file", "see the left-out files"
        )
    newest = plan.commits[-1] if plan.commits else None
    name, email = (newest.author, newest.email) if newest and newest.author else _FALLBACK_AUTHOR
    when = newest.authored_at if newest else dt.datetime.now(dt.UTC)
    stamp = f"{int(when.timestamp())} +0000"
    work = Path(tempfile.mkdtemp(prefix="ptlm-patch-"))
    env = {
        "GIT_DIR": str(work),
        "GIT_INDEX_FILE": str(work / "index"),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "HOME": str(work),
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email or _FALLBACK_AUTHOR[1],
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_NAME": "ptlm-tui",
        "GIT_COMMITTER_EMAIL": "ptlm-tui@localhost",
        "GIT_COMMITTER_DATE": stamp,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    }

    def git(*args: str, stdin: bytes | None = None) -> str:
        return run_git(list(args), cwd=work, env=env, timeout=TIMEOUT, what="patch", stdin=stdin).stdout.decode()

    try:
        git("init", "--quiet", "--bare", str(work))
        for f in plan.files:
            if f.old is not None:
                blob = git("hash-object", "-w", "--stdin", stdin=f.old).strip()
                git("update-index", "--add", "--cacheinfo", f"{f.mode},{blob},{f.target}")
        base = git("commit-tree", git("write-tree").strip(), "-m", "GitHub's versions").strip()
        for f in plan.files:
            blob = git("hash-object", "-w", "--stdin", stdin=f.new).strip()
            git("update-index", "--add", "--cacheinfo", f"{f.mode},{blob},{f.target}")
        top = git("commit-tree", git("write-tree").strip(), "-p", base, "-F", "-", stdin=plan.message.encode()).strip()
        return run_git(
            ["format-patch", "-1", "--stdout", "--binary", top], cwd=work, env=env, timeout=TIMEOUT, what="patch"
        ).stdout
    except SourceFailure as exc:
        raise InputError("Cannot write the patch", exc.detail, "is git installed and working?") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)


def write_patch(store: CacheStore, plan: Plan, path: Path) -> Path:
    """Write the patch of ``plan`` to ``path`` (never inside the cache) and record it; return the path written.

    Raises:
        CacheError: ``path`` is inside the cache directory.
        InputError: The patch cannot be made or written.
    """
    from core.files import atomic_write

    store.refuse_inside(path, "patch")
    data = format_patch(plan)
    target = Path(path).expanduser().absolute()
    try:
        atomic_write(target, data)
    except OSError as exc:
        raise InputError("Cannot write the patch", f"{path}: {exc.strerror}", "check the path") from exc
    record(store, proposal_row(plan, proposal_id=new_proposal_id(), state=WRITTEN, patch_file=str(target)))
    return target

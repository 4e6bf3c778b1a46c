"""Provides validation of untrusted repository ids and the family ids derived from them.

A repository id comes from strangers (model cards, the Hub's listing, config files) and ends up
in URLs, file paths and git command lines, so every id is checked here first: ``owner/name``,
letters, digits, ``-``, ``_`` and ``.``, no leading ``-`` or ``.``, no ``..``.
"""

from __future__ import annotations

import re

from core.errors import InputError
from core.models import is_valid_repo_id

__all__ = ["family_id_for", "github_key", "is_valid_repo_id", "require_repo_id"]


def require_repo_id(repo: object, what: str = "repository") -> str:
    """Return ``repo`` if it is a safe ``owner/name`` id.

    Args:
        repo: The untrusted value.
        what: What the id names, for the message ("GitHub repository", "model").

    Raises:
        InputError: The value is not a safe id; the message shows it cleaned and cut short.
    """
    if isinstance(repo, str) and is_valid_repo_id(repo):
        return repo
    shown = re.sub(r"[^\x20-\x7e]", "?", str(repo))[:80]
    raise InputError(
        f"Invalid {what} id",
        repr(shown),
        "use owner/name with letters, digits, '-', '_' or '.', not starting with '-' or '.', without '..'",
    )


def github_key(repo: str) -> str:
    """Return the comparison key of a GitHub repository: GitHub ids are case-insensitive."""
    return repo.lower()


def family_id_for(gh_repo: str) -> str:
    """Return the readable family id derived from a GitHub repository: ``owner_name``.

    The id only has to be stable and readable (docs/method.md §1); uniqueness against ids already
    taken is settled by the caller, which knows the families table.
    """
    owner, _, name = gh_repo.partition("/")
    return f"{owner}_{name}"

"""Provides demo_tables() and build_demo_cache(): the generated families written as a normal cache.

The demo cache is an ordinary cache (same tables, same store) plus a ``demo.json`` marker that
names the demo version. It is built in a temporary directory beside its final place and moved
in with one rename, so a crash or a second process never sees half a demo.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path
from typing import Any

import polars as pl

from cache.lock import held_lock
from cache.schema import TABLES
from cache.store import CacheStore, atomic_write_bytes
from core.demo.cast import FAMILIES, GATED, NOT_FOUND, RATE_LIMITED
from core.demo.generate import FamilyData, change_rows, commit_rows, family_rng, generate_family
from core.demo.spec import DEMO_VERSION, REFERENCE
from core.errors import CacheError
from core.models import GITHUB, HUGGINGFACE

MARKER = "demo.json"


def _frame(rows: list[dict[str, Any]], table: str) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=TABLES[table])


def _labels(commits: pl.DataFrame) -> pl.DataFrame:
    """Label the demo's commits with the real rules classifier, so the demo shows what ptlm-tui does.

    The generator writes each commit for an intended change type; the labels are not that
    intent but the rules' verdict, with their confidence and the rule that fired.
    """
    from core.classify.label_cache import label_rows
    from core.classify.rules import RULES_VERSION, classify_frame

    return label_rows(
        classify_frame(commits), source="rule", model="rules", prompt_version=RULES_VERSION, labelled_at=REFERENCE
    )


def _variants(data: list[FamilyData]) -> list[dict[str, Any]]:
    rows = []
    for d in data:
        rng = family_rng(d.spec.family + "/variants")
        for index, model in enumerate((*d.spec.variants, *d.extra_variants)):
            # A variant never uploaded to dates from a few weeks before the demo's day.
            times = [c.authored_at for c in d.commits if c.repo == model] or [REFERENCE - dt.timedelta(days=23)]
            downloads = int(10_000 * 10 ** rng.uniform(0.0, 2.4) * (3 if index == 0 else 1))
            rows.append(
                {
                    "family": d.spec.family,
                    "model": model,
                    "downloads": downloads,
                    "likes": downloads // rng.randint(400, 4000),
                    "pipeline_tag": d.spec.task,
                    "created_at": min(times),
                    "last_modified": max(times),
                    "gh_link": d.spec.gh_repo,
                    "link_source": "card" if rng.random() < 0.8 else "metadata",
                    "gated": "manual" if model in GATED else None,
                    "added_at": REFERENCE,
                }
            )
    return rows


def _sync_state(data: list[FamilyData]) -> list[dict[str, Any]]:
    rows = []
    for d in data:
        rng = family_rng(d.spec.family + "/sync")
        repos = [(GITHUB, d.spec.gh_repo)] + [(HUGGINGFACE, m) for m in (*d.spec.variants, *d.extra_variants)]
        for platform, repo in repos:
            commits = sorted((c for c in d.commits if c.repo == repo), key=lambda c: c.authored_at)
            attempt = REFERENCE - dt.timedelta(minutes=rng.randint(30, 600))
            row: dict[str, Any] = {
                "platform": platform,
                "repo": repo,
                "family": d.spec.family,
                "status": "ok",
                "detail": "",
                "hint": "",
                "last_attempt": attempt,
                "last_success": attempt,
                "head": commits[-1].sha if commits else None,
                "commits": len(commits),
                "retry_after": None,
            }
            if (platform, repo) == RATE_LIMITED:
                row |= {
                    "status": "rate_limited",
                    "detail": "HTTP 429 Too Many Requests from the Hub (commits of this model)",
                    "hint": "sync retries after the time the Hub asked for; a token (HF_TOKEN) raises the limit",
                    "last_success": attempt - dt.timedelta(days=3),
                    "retry_after": attempt + dt.timedelta(minutes=5),
                }
            elif (platform, repo) == NOT_FOUND:
                row |= {
                    "status": "not_found",
                    "detail": "GitHub says the repository does not exist (deleted, renamed or private)",
                    "hint": "fix the link with `ptlm-tui link MODEL OWNER/REPO`, or keep the cached history",
                    "last_success": attempt - dt.timedelta(days=40),
                }
            rows.append(row)
    return rows


def demo_tables() -> dict[str, pl.DataFrame]:
    """Return every table of the demo cache, generated in memory (deterministic)."""
    data = [generate_family(spec, index) for index, spec in enumerate(FAMILIES)]
    families = [
        {
            "family": d.spec.family,
            "gh_repo": d.spec.gh_repo,
            "monorepo": d.spec.monorepo,
            "source": "demo",
            "added_at": REFERENCE,
            "note": d.spec.story,
        }
        for d in data
    ]
    commits = _frame([row for d in data for row in commit_rows(d)], "commits")
    return {
        "commits": commits,
        "file_changes": _frame([row for d in data for row in change_rows(d)], "file_changes"),
        "file_histories": _frame(_file_histories(data), "file_histories"),
        "families": _frame(families, "families"),
        "variants": _frame(_variants(data), "variants"),
        "labels": _labels(commits),
        "sync_state": _frame(_sync_state(data), "sync_state"),
    }


def _file_histories(data: list[FamilyData]) -> list[dict[str, Any]]:
    """Every demo repository's file history is whole (as after a sync), with the HF ones' LFS pointers."""
    from core.mining.git_blobs import LFS_PREFIX

    rows = []
    for d in data:
        pointers = {b for b, content in d.blobs.items() if content.startswith(LFS_PREFIX)}
        repos = [(GITHUB, d.spec.gh_repo)] + [(HUGGINGFACE, m) for m in (*d.spec.variants, *d.extra_variants)]
        for platform, repo in repos:
            commits = sorted((c for c in d.commits if c.repo == repo), key=lambda c: c.authored_at)
            versions = {ch.new_blob for c in commits for ch in c.changes if ch.new_blob is not None}
            mine = versions & pointers if platform == HUGGINGFACE else None
            rows.append(
                {
                    "platform": platform,
                    "repo": repo,
                    "read_at": REFERENCE,
                    "head": commits[-1].sha if commits else None,
                    "lfs_pointers": " ".join(sorted(mine)) if mine is not None else None,
                }
            )
    return rows


def demo_version(root: Path) -> int | None:
    """Return the demo version recorded in ``root``, or None if ``root`` is not a demo cache."""
    try:
        data = json.loads((Path(root) / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    version = data.get("demo_version") if isinstance(data, dict) else None
    return version if isinstance(version, int) else None


def is_demo_cache(store: CacheStore) -> bool:
    """True if ``store`` is a demo cache generated by ptlm-tui (of any demo version)."""
    return demo_version(store.root) is not None


def _current(root: Path) -> bool:
    return demo_version(root) == DEMO_VERSION and not CacheStore(root).is_empty()


def _write(store: CacheStore, tables: dict[str, pl.DataFrame]) -> None:
    """Write the generated tables through the cache's operations (each a first, compacted write)."""
    from core.drift.digest import refresh_drift_summary

    store.append_commits(tables["commits"], count=False, operation="demo")
    store.append_file_changes(tables["file_changes"], "demo")
    store.record_file_histories(tables["file_histories"])
    store.upsert_families(tables["families"])
    store.upsert_variants(tables["variants"])
    store.record_labels(tables["labels"])
    store.record_sync_outcomes(tables["sync_state"])
    # Computed by the real drift code from what was just written, as a sync does; stamped now,
    # after the commits were written, so the app finds the figures current.
    refresh_drift_summary(store)


def build_demo_cache(root: Path, *, force: bool = False) -> None:
    """Generate the demo cache at ``root`` unless a demo of this version is already there.

    Args:
        root: The demo cache directory (normally ``core.paths.demo_cache_dir()``).
        force: Regenerate even if the demo there is current.

    Raises:
        CacheError: ``root`` holds something that is not a demo cache (it is never replaced),
            or the disk write failed.
    """
    root = Path(root)
    if _current(root) and not force:
        return
    parent = root.parent
    parent.mkdir(parents=True, exist_ok=True)
    with held_lock(parent / f".{root.name}.lock", f"building the demo cache {root}", wait=300):
        if _current(root) and not force:  # another process built it while we waited
            return
        if root.exists() and any(root.iterdir()) and demo_version(root) is None:
            raise CacheError(
                "Refusing to replace a directory that is not a demo cache",
                str(root),
                "move it away; the demo lives in its own directory (`ptlm-tui locate demo`)",
            )
        for stale in parent.glob(f".{root.name}.build-*"):  # builds killed before their rename
            shutil.rmtree(stale, ignore_errors=True)
        tmp = parent / f".{root.name}.build-{os.getpid()}"
        _write(CacheStore(tmp), demo_tables())
        marker = {"demo_version": DEMO_VERSION, "reference": REFERENCE.isoformat(), "families": len(FAMILIES)}
        atomic_write_bytes(tmp / MARKER, json.dumps(marker, indent=2).encode())
        old = parent / f".{root.name}.old-{os.getpid()}"
        try:
            if root.exists():
                os.replace(root, old)
            os.replace(tmp, root)
        except OSError as exc:
            raise CacheError("Cannot install the demo cache", f"{root}: {exc.strerror or exc}") from exc
        finally:
            shutil.rmtree(old, ignore_errors=True)
            shutil.rmtree(tmp, ignore_errors=True)

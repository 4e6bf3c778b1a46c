"""A small, realistic cache for the app's tests: four families, labels, sync state, hostile text.

Times are fixed so relative ages and snapshots are deterministic: pass ``NOW`` as the app's clock.
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from pathlib import Path

import polars as pl

from cache.schema import TABLES
from cache.store import CacheStore
from core.commits import store_commits
from core.drift.digest import refresh_drift_summary
from tests.helpers import T0, commit, commits_frame, days

NOW = dt.datetime(2022, 8, 1, tzinfo=dt.UTC)

HOSTILE_TITLES = (
    "[@click=app.quit]click me[/]",
    "[red]x[/]",
    "[link=http://x]y[/link]",
    "\x1b[31mred\x1b[0m \x1b]8;;http://evil\x07link\x1b]8;;\x07 \x1b]52;c;ZXZpbA==\x07",
    "bell\x07 back\x08space \x00nul \x9bcsi",
    "\u202eevil\u202c עברית العربية",
)


def acme_commits() -> list[dict[str, object]]:
    """acme_bert: GitHub first, partial overlap, rare HF activity (PSR, Sparse)."""
    fam = "acme_bert"
    return [
        commit(fam, "github", "acme/bert", T0, title="Initial commit", files="A:README.md|A:train.py"),
        commit(fam, "github", "acme/bert", T0 + days(15), title="Add training script", files="M:train.py"),
        commit(fam, "github", "acme/bert", T0 + days(30), sha="c" * 40, title="Fix tokenizer", files="M:tokenizer.py"),
        commit(fam, "github", "acme/bert", T0 + days(100), title="Release v2 weights", files="A:weights.bin"),
        commit(fam, "huggingface", "acme/bert-base", T0 + days(15.5), title="Upload model", files="A:model.bin"),
        commit(
            fam,
            "huggingface",
            "acme/bert-base",
            T0 + days(31),
            title="Auto Sync from git://github.com/acme/bert.git/commit/" + "c" * 40,
            files="M:README.md",
        ),
        commit(fam, "huggingface", "acme/bert-base", T0 + days(200), title="Update README.md", files="M:README.md"),
        commit(fam, "huggingface", "acme/bert-large", T0 + days(101), title="Add v2", files="A:model.safetensors"),
    ]


def zeta_commits() -> list[dict[str, object]]:
    """zeta_gpt: Hugging Face first, no overlap, sporadic (ASS, Sporadic Disjoint)."""
    fam = "zeta_gpt"
    rows = [
        commit(fam, "huggingface", "zeta/gpt-small", T0 + days(14 * b), title=f"Update weights {b}")
        for b in (0, 3, 5, 8, 9)
    ]
    rows += [commit(fam, "github", "zeta/gpt", T0 + days(14 * b + 1), title=f"Code {b}") for b in (11, 13)]
    return rows


def solo_commits() -> list[dict[str, object]]:
    """solo_code: GitHub only, so no pattern."""
    return [commit("solo_code", "github", "solo/code", T0 + days(3 * i), title=f"Work {i}") for i in range(3)]


def hostile_commits(long_lines: int = 0) -> list[dict[str, object]]:
    """evil_model: commit titles and messages built to break a terminal UI."""
    fam = "evil_model"
    rows = []
    for i, title in enumerate(HOSTILE_TITLES):
        rows.append(
            commit(
                fam,
                "github" if i % 2 else "huggingface",
                "evil/code" if i % 2 else "evil/model",
                T0 + days(i * 14),
                title=title,
                message=title + "\n\nbody " + title,
                files="M:[@click=app.quit]x[/].py|A:\x1b[2Jclear.txt",
            )
        )
    if long_lines:
        body = "\n".join(f"line {n} [b]not bold[/b] \x1b[1m" for n in range(long_lines))
        rows.append(commit(fam, "github", "evil/code", T0 + days(100), title="A very long message", message=body))
    return rows


def write_labels(store: CacheStore, rows: list[dict[str, object]]) -> None:
    """Record label rows (missing columns null)."""
    full = [{name: None for name in TABLES["labels"]} | row for row in rows]
    store.record_labels(pl.DataFrame(full, schema=TABLES["labels"]))


def write_sync_state(store: CacheStore, rows: list[dict[str, object]]) -> None:
    """Record sync outcomes (missing columns null)."""
    full = [{name: None for name in TABLES["sync_state"]} | row for row in rows]
    store.record_sync_outcomes(pl.DataFrame(full, schema=TABLES["sync_state"]))


_TEMPLATES: dict[tuple[bool, int, bool], Path] = {}


def build_cache(root: Path, *, hostile: bool = False, long_lines: int = 0, labels: bool = True) -> CacheStore:
    """Write the test cache under ``root`` and return its store.

    Each variant of the cache is written once per test session, as a real cache is (the
    store's own writes), and copied for every test that asks: a test may change its copy.
    """
    key = (hostile, long_lines, labels)
    if key not in _TEMPLATES:
        template = Path(tempfile.mkdtemp(prefix="ptlm-test-cache-")) / "cache"
        atexit.register(shutil.rmtree, template.parent, True)
        _write_cache(template, hostile=hostile, long_lines=long_lines, labels=labels)
        _TEMPLATES[key] = template
    shutil.copytree(_TEMPLATES[key], root, dirs_exist_ok=True)
    return CacheStore(root)


def demo_cache(root: Path) -> CacheStore:
    """The built-in demo's cache at ``root``: built once per test session (``build_demo_cache``), copied here."""
    key = (True, -1, True)  # a key build_cache never uses
    if key not in _TEMPLATES:
        from core.demo import build_demo_cache

        template = Path(tempfile.mkdtemp(prefix="ptlm-test-demo-")) / "demo"
        atexit.register(shutil.rmtree, template.parent, True)
        build_demo_cache(template)
        _TEMPLATES[key] = template
    shutil.copytree(_TEMPLATES[key], root, dirs_exist_ok=True)
    return CacheStore(root)


def _write_cache(root: Path, *, hostile: bool, long_lines: int, labels: bool) -> CacheStore:
    store = CacheStore(root)
    rows = acme_commits() + zeta_commits() + solo_commits()
    if hostile:
        rows += hostile_commits(long_lines)
    frame = commits_frame(rows)
    store_commits(store, frame, source="test")
    refresh_drift_summary(store)  # as a sync leaves them: the list shows its figures at once
    if labels:
        acme = frame.filter(pl.col("family") == "acme_bert")
        keyed = {(r["platform"], r["title"]): r["sha"] for r in acme.iter_rows(named=True)}
        write_labels(
            store,
            [
                {
                    "platform": "github",
                    "repo": "acme/bert",
                    "sha": keyed[("github", "Fix tokenizer")],
                    "label": "preprocessing",
                    "confidence": 0.9,
                    "source": "rule",
                    "labelled_at": NOW - days(1),
                },
                {
                    "platform": "huggingface",
                    "repo": "acme/bert-base",
                    "sha": keyed[("huggingface", "Update README.md")],
                    "label": "external documentation",
                    "confidence": 0.8,
                    "source": "llm",
                    "model": "qwen2.5:7b-instruct",
                    "labelled_at": NOW - days(1),
                },
            ],
        )
    write_sync_state(
        store,
        [
            {
                "platform": "github",
                "repo": "acme/bert",
                "family": "acme_bert",
                "status": "ok",
                "last_success": NOW - days(2),
            },
            {
                "platform": "huggingface",
                "repo": "acme/bert-base",
                "family": "acme_bert",
                "status": "ok",
                "last_success": NOW - days(1),
            },
            {
                "platform": "github",
                "repo": "zeta/gpt",
                "family": "zeta_gpt",
                "status": "ok",
                "last_success": NOW - days(40),
            },
            {
                "platform": "huggingface",
                "repo": "zeta/gpt-small",
                "family": "zeta_gpt",
                "status": "rate_limited",
                "last_success": NOW - days(40),
            },
        ],
    )
    return store

"""A family to propose from: a GitHub repository, an HF variant on the fake Hub, and a cache holding both clones.

The GitHub side (``acme/code``) and the variant (``acme/model``) share files, then move apart:

- ``config.json``: GitHub changed it twice (hf_behind, JSON keys); ``logo.png`` (binary): once.
- ``big.txt``: GitHub made it 1.2 MB (over a 1 MB ``propose.max_file_mb``).
- ``data.csv``: GitHub changed it and tracks it with git LFS in ``.gitattributes`` (content still raw).
- ``tok.model``: GitHub changed it; HF's ``.gitattributes`` tracks ``*.model`` with LFS.
- ``model.py``: both changed it (diverged).
- ``tokenizer.json``: HF changed it (hf_ahead), by Bob; ``weights.pt``: HF turned it into an LFS pointer.
- With ``hostile``: ``notes.md``, which GitHub changed to text that is markup and terminal escapes, in a
  commit whose title is too (the app must show both literally).
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from tests.fakes.git_repos import Builder, init_repo

if TYPE_CHECKING:
    from cache.store import CacheStore
    from tests.fakes.fake_hub import FakeHub

T0 = dt.datetime(2023, 3, 1, 12, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
FAMILY, GH_REPO, VARIANT = "acme_code", "acme/code", "acme/model"
WRITE, READ, SCOPED = "hf_write_token", "hf_read_token", "hf_scoped_token"  # tokens world_hub knows
HOSTILE_NOTES = "[bold]loud[/bold] \x1b[31mred\x1b[0m [@click=app.quit]quit[/]\n"
HOSTILE_TITLE = "[@click=app.quit]Notes[/] \x1b]52;c;ZXZpbA==\x07steal"
LFS_POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n"
)


def _json(**values: object) -> str:
    import json

    return json.dumps(values, indent=2, sort_keys=True) + "\n"


def _png(version: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes([version]) * 600 + b"\x00IEND"


@dataclass(frozen=True)
class ProposeWorld:
    """Where everything is: the repositories, the cache template, and the ids tests compare with."""

    gh_root: Path  # github.base_url = gh_root.as_uri(); the repository is gh_root/acme/code
    gh: Path
    hf: Path  # the variant's repository, served by the fake Hub (git_root/acme/model)
    git_root: Path
    cache: Path  # a cache holding the family and both clones (copy it per test)
    gh_shas: dict[str, str]
    hf_shas: dict[str, str]


def _commit_bytes(b: Builder, message: str, when: dt.datetime, files: dict[str, bytes], author: str = "Ana Dev") -> str:
    for name, data in files.items():
        (b.root / name).write_bytes(data)
        b.repo.index.add([name])
    return b.commit(message, when, author=author)


def mine_into_cache(store: CacheStore, family: str, gh: tuple[str, str], hf: tuple[str, str]) -> None:
    """Clone a GitHub repository and a variant (``(repo, url)`` each) into the cache and store their histories.

    Sync's own fetch and writer do it, as `ptlm-tui sync` would; the clones keep their (file://)
    remotes, so a test's later blob fetches need no Hub.
    """
    from core.drift.digest import refresh_drift_summary
    from core.mining.fetch import Fetched, Unit, clone_files, fetch_github, file_history_row
    from core.mining.git_run import git_env
    from core.mining.outcomes import RepoOutcome
    from core.mining.writer import BatchWriter
    from core.paths import git_clone_dir

    (gh_repo, gh_url), (variant, hf_url) = gh, hf
    env = git_env("file://", None)
    github = fetch_github(
        Unit("github", gh_repo, family),
        clone_path=git_clone_dir(store.root, "github", gh_repo.lower()),
        url=gh_url,
        env=env,
        timeout=120,
        last_head=None,
        cancel=None,
        secrets=(),
    )
    hub = clone_files(
        Unit("huggingface", variant, family),
        url=hf_url,
        clone_path=git_clone_dir(store.root, "huggingface", variant.lower()),
        env=env,
        timeout=120,
        cancel=None,
        secrets=(),
    )
    model = Fetched(
        RepoOutcome("huggingface", variant, family, "ok", head=hub.clone.after),
        hub.history.commits,
        changes=hub.history.changes,
        file_history=file_history_row("huggingface", variant, hub.clone.after, hub.lfs_pointers),
    )
    writer = BatchWriter(store, [])
    for fetched in (github, model):
        writer.add(fetched)
    writer.finish()
    refresh_drift_summary(store, [family])


def build_world(root: Path, *, hostile: bool = False) -> ProposeWorld:
    """Build the repositories and a cache with the family, its variant and both clones, under ``root``."""
    from cache.store import CacheStore
    from tests.fakes.mining import seed_family

    gh_root, git_root = root / "github", root / "hubgit"
    gh = Builder(init_repo(gh_root / "acme" / "code"))
    hf = Builder(init_repo(git_root / "acme" / "model"))
    shared = {
        "config.json": _json(hidden=512, layers=12),
        "model.py": "def forward(x):\n    return x\n",
        "big.txt": "small for now\n",
        "data.csv": "a,b\n1,2\n",
        "tok.model": "piece 1\npiece 2\n",
        "tokenizer.json": _json(vocab=100),
        "weights.pt": "raw weights that are not in LFS yet\n" * 40,
    } | ({"notes.md": "plain notes\n"} if hostile else {})
    gs, hs = {}, {}
    gh.commit("Initial release", T0, write=shared | {"README.md": "# code\n"})
    _commit_bytes(gh, "Add logo", T0 + DAY / 2, {"logo.png": _png(1)})
    hf_files = shared | {".gitattributes": "*.model filter=lfs diff=lfs merge=lfs -text\n", "README.md": "card\n"}
    hf.commit("Upload model", T0 + DAY, write=hf_files)
    hs["upload"] = _commit_bytes(hf, "Upload logo", T0 + DAY * 1.5, {"logo.png": _png(1)})
    gs["wider"] = gh.commit("Wider", T0 + 2 * DAY, write={"config.json": _json(hidden=768, layers=12)})
    gs["dropout"] = gh.commit("Dropout", T0 + 3 * DAY, write={"config.json": _json(dropout=0.1, hidden=768, layers=12)})
    gs["logo"] = _commit_bytes(gh, "New logo", T0 + 4 * DAY, {"logo.png": _png(2)})
    gs["data"] = gh.commit(
        "Bigger data",
        T0 + 5 * DAY,
        write={
            "big.txt": "0123456789abcdef\n" * 70_000,
            "data.csv": "a,b\n1,2\n3,4\n",
            ".gitattributes": "data.csv filter=lfs diff=lfs merge=lfs -text\n",
        },
    )
    gs["tok"] = gh.commit("Tokenizer pieces", T0 + 6 * DAY, write={"tok.model": "piece 1\npiece 2\npiece 3\n"})
    gs["faster"] = gh.commit("Faster forward", T0 + 7 * DAY, write={"model.py": "def forward(x):\n    return x * 1\n"})
    if hostile:
        gs["notes"] = gh.commit(HOSTILE_TITLE, T0 + 7.5 * DAY, write={"notes.md": HOSTILE_NOTES})
    hs["own"] = hf.commit("Own forward", T0 + 8 * DAY, write={"model.py": "def forward(x):\n    return x + 0\n"})
    hs["vocab"] = hf.commit("Bigger vocab", T0 + 9 * DAY, write={"tokenizer.json": _json(vocab=200)}, author="Bob Hub")
    hs["lfs"] = hf.commit("Weights to LFS", T0 + 10 * DAY, write={"weights.pt": LFS_POINTER})
    for b in (gh, hf):
        b.repo.close()
    store = CacheStore(root / "cache")
    seed_family(store, FAMILY, GH_REPO, [VARIANT])
    mine_into_cache(store, FAMILY, (GH_REPO, gh.root.as_uri()), (VARIANT, hf.root.as_uri()))
    return ProposeWorld(gh_root, gh.root, hf.root, git_root, root / "cache", gs, hs)


def copy_cache(world: ProposeWorld, target: Path) -> Path:
    """A private copy of the world's cache (its clones still fetch from the world's repositories)."""
    shutil.copytree(world.cache, target, symlinks=True)
    return target


@contextmanager
def world_hub(world: ProposeWorld) -> Iterator[FakeHub]:
    """The fake Hub serving the world's variant, knowing a write, a read and a fine-grained read-only token."""
    from tests.fakes.fake_hub import FakeHub

    with FakeHub(git_root=world.git_root) as fake:
        fake.add_model_from_git(VARIANT, world.hf)
        fake.commits.add_token(WRITE, user="alice", role="write")
        fake.commits.add_token(READ, user="alice", role="read")
        fake.commits.add_token(SCOPED, user="alice", role="fineGrained", can_write=False)
        yield fake

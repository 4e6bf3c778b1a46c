"""A family served for real: GitHub over file://, its variants through the fake Hub, and a cache to sync into.

Drift tests sync real repositories through the real sync (fake Hub, git over HTTP, file://
GitHub) and then read drift from the cache, so the cache path is checked end to end.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cache.store import CacheStore
from core.config import Settings
from tests.fakes.fake_hub import FakeHub
from tests.fakes.mining import make_settings, seed_family


@dataclass
class DriftWorld:
    """The served repositories, the fake Hub and the cache they sync into."""

    family: str
    gh_repo: str
    store: CacheStore
    hub: FakeHub
    settings: Settings
    gh_root: Path
    hf_root: Path

    def served(self, platform: str, repo: str) -> Path:
        """Where the repository ``repo`` is served from."""
        return (self.gh_root if platform == "github" else self.hf_root) / repo

    def republish(self, model: str) -> None:
        """Tell the fake Hub's API about the commits added to ``model``'s served repository."""
        self.hub.add_model_from_git(model, self.served("huggingface", model))


@contextmanager
def drift_world(root: Path, family: str, github: tuple[str, Path], models: dict[str, Path]) -> Iterator[DriftWorld]:
    """Serve ``github`` (id, repository) and ``models`` (id -> repository) and seed a cache with the family.

    The repositories are linked in place (symlinks), so tests may add commits to the sources.
    """
    gh_root, hf_root = root / "github", root / "hfgit"
    gh_id, gh_path = github
    links = [(gh_root / gh_id, gh_path)] + [(hf_root / m, p) for m, p in models.items()]
    for link, target in links:
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target.resolve(), target_is_directory=True)
    with FakeHub(git_root=hf_root) as hub:
        for model in models:
            hub.add_model_from_git(model, hf_root / model)
        store = CacheStore(root / "cache")
        seed_family(store, family, gh_id, list(models))
        yield DriftWorld(family, gh_id, store, hub, make_settings(hub, gh_root, store.root), gh_root, hf_root)

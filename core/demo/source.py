"""Provides DemoSource: where sync and discover fetch from on the demo, so they can be tried without the internet.

The demo's families are invented, so syncing them against huggingface.co and github.com would
be wrong twice (nothing is there, or worse, someone else's repository is). Instead the demo has
its own source, built from the same generator as the demo cache plus what happened since
(``core.demo.news``):

* GitHub: a bare git repository per demo family, written with ``git fast-import`` into
  ``demo-source-<version>/github`` beside the demo cache and reached through ``file://``;
* the Hub: ``core.demo.hub_server.DemoHub``, an HTTP server on 127.0.0.1 inside this process,
  speaking the Hub's protocol (listing, model info, cards, commits, git over HTTP).

``settings()`` points a copy of the user's settings at them; nothing else changes. So the real
``core.mining.sync.sync`` and ``core.mining.discover.discover`` run, with their progress, rate-limit
countdown, failures and incremental reads, and only on data that says it is invented.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from core.config import Settings
from core.demo.build import _variants as variant_rows  # the demo cache's own variant metadata
from core.demo.cast import FAMILIES, GATED, NOT_FOUND, RATE_LIMITED
from core.demo.generate import Commit, FamilyData, generate_family
from core.demo.hub_server import DemoHub, HubRepo
from core.demo.news import NewCommit, family_news, new_family_data
from core.demo.repos import build_repository
from core.demo.spec import DEMO_VERSION
from core.models import GITHUB, HUGGINGFACE
from core.progress import Progress, ProgressCallback

if TYPE_CHECKING:
    from cache.store import CacheStore

READY = "ready.json"


def source_dir(demo_cache: Path) -> Path:
    """Where the demo source of this demo version lives: beside the demo cache."""
    return demo_cache.parent / f"demo-source-{DEMO_VERSION}"


def _card(model: str, gh_repo: str, story: str) -> str:
    return (
        f"# {model}\n\nAn invented model of ptlm-tui's built-in demo (not a real repository). {story}\n\n"
        f"Code: https://github.com/{gh_repo}\n"
    )


class DemoSource:
    """The demo's GitHub repositories and Hub; ``start()`` builds what is missing and starts the Hub."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.hub: DemoHub | None = None
        self._data: list[FamilyData] | None = None
        self._news: dict[str, list[NewCommit]] = {}
        self._lock = threading.RLock()  # _build_hf runs under it, also from repository()

    # -- the data ---------------------------------------------------------------------------

    def families(self) -> list[FamilyData]:
        """Every family the source knows: the demo cache's and the two only the source has."""
        if self._data is None:
            self._data = [generate_family(spec, index) for index, spec in enumerate(FAMILIES)] + new_family_data()
            self._news = {}
            for index, data in enumerate(self._data[: len(FAMILIES)]):
                for commit in family_news(data, index):
                    self._news.setdefault(commit.repo, []).append(commit)
        return self._data

    def history(self, data: FamilyData, repo: str) -> tuple[list[Commit], list[NewCommit]]:
        """Return the generated commits of ``repo`` (oldest first) and its news."""
        commits = [c for c in data.commits if c.repo == repo]
        return sorted(commits, key=lambda c: c.authored_at), self._news.get(repo, [])

    # -- building ---------------------------------------------------------------------------

    def prepare(self, on_progress: ProgressCallback | None = None) -> None:
        """Write the GitHub repositories once per demo version (a few seconds), reporting progress."""
        with self._lock:
            if (self.root / READY).exists():
                return
            shutil.rmtree(self.root, ignore_errors=True)
            families = [d for d in self.families() if (GITHUB, d.spec.gh_repo) != NOT_FOUND]
            for done, data in enumerate(families):
                if on_progress is not None:
                    on_progress(Progress("demo source", done, len(families), f"writing {data.spec.gh_repo}"))
                history, news = self.history(data, data.spec.gh_repo)
                build_repository(self.root / "github" / data.spec.gh_repo, history, news, data.blobs)
            marker = {"demo_version": DEMO_VERSION, "written": dt.datetime.now(dt.UTC).isoformat()}
            (self.root / READY).write_text(json.dumps(marker), encoding="utf-8")

    def _build_hf(self, repo_id: str, path: Path) -> None:
        with self._lock:
            if (path / "HEAD").exists():
                return
            for data in self.families():
                if repo_id in (*data.spec.variants, *data.extra_variants):
                    history, news = self.history(data, repo_id)
                    build_repository(path, history, news, data.blobs)
                    return

    def repository(self, platform: str, repo: str) -> Path | None:
        """Return the demo source's repository of ``repo``, written if missing (None: not a demo repository).

        These hold every version of every file, so on the demo ``drift --diff`` and the app's
        Drift view read the two versions from here, offline, where a real cache's partial
        clones would fetch them from GitHub or the Hub.
        """
        if platform == HUGGINGFACE:
            path = self.root / "hf" / repo
            self._build_hf(repo, path)
            return path if (path / "HEAD").exists() else None
        # The repository gone from GitHub is not served (sync must find it gone); its clone
        # would still be in a real cache, so its versions stay readable apart.
        path = self.root / ("gone" if (GITHUB, repo) == NOT_FOUND else "github") / repo
        with self._lock:
            if not (path / "HEAD").exists():
                data = next((d for d in self.families() if d.spec.gh_repo == repo), None)
                if data is None:
                    return None
                history, news = self.history(data, repo)
                build_repository(path, history, news, data.blobs)
        return path

    def _hub_repos(self) -> dict[str, HubRepo]:
        repos: dict[str, HubRepo] = {}
        for data in self.families():
            metadata = {row["model"]: row for row in variant_rows([data])}
            for model in (*data.spec.variants, *data.extra_variants):
                history, news = self.history(data, model)
                row = metadata[model]
                repo = HubRepo(
                    model,
                    downloads=int(row["downloads"]),
                    likes=int(row["likes"]),
                    pipeline_tag=data.spec.task,
                    created_at=row["created_at"],
                    card=_card(model, data.spec.gh_repo, data.spec.story),
                    gated=model in GATED,
                    slow_down=2 if (HUGGINGFACE, model) == RATE_LIMITED else 0,
                )
                self._add_commits(repo, history, news, data.blobs)
                repos[model] = repo
        return repos

    def _add_commits(
        self, repo: HubRepo, history: list[Commit], news: list[NewCommit], blobs: dict[str, bytes]
    ) -> None:
        entries = [(c.sha, c.authored_at, c.author, c.title, c.message) for c in history]
        if news:
            # News ids come from git (their trees): write the repository now to read them.
            path = self.root / "hf" / repo.id
            if not (path / "HEAD").exists():
                build_repository(path, history, news, blobs)
            ids = _new_ids(path, len(news))
            entries += [(sha, n.when, n.author, n.title, n.message) for sha, n in zip(ids, news, strict=True)]
        parent: str | None = None
        for sha, when, author, title, message in entries:
            body = message.partition("\n")[2].strip()
            repo.commits.insert(
                0,
                {
                    "id": sha,
                    "authors": [{"user": author}],
                    "date": when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                    "title": title,
                    "message": body,
                    "parents": [parent] if parent else [],
                },
            )
            parent = sha

    # -- serving ----------------------------------------------------------------------------

    def start(self, on_progress: ProgressCallback | None = None) -> str:
        """Build what is missing, start the demo Hub (once) and return its URL."""
        self.prepare(on_progress)
        with self._lock:
            if self.hub is None:
                hub = DemoHub(self._hub_repos(), self.root / "hf", self._build_hf)
                hub.start()
                self.hub = hub
            return self.hub.url

    def stop(self) -> None:
        """Stop the demo Hub."""
        with self._lock:
            if self.hub is not None:
                self.hub.stop()
                self.hub = None

    def settings(self, base: Settings) -> Settings:
        """Return ``base`` pointed at this source: the demo Hub, the demo GitHub, every demo task listed.

        Call ``start()`` first. Tokens are dropped (nothing here needs one) and the watchlist,
        links and family names of the user's config stay out of the demo.
        """
        assert self.hub is not None, "start() the demo source first"
        tags = sorted({d.spec.task for d in self.families()})
        hub = base.hub.model_copy(
            update={"endpoint": self.hub.url, "token": None, "pipeline_tags": tags, "min_downloads": 0}
        )
        github = base.github.model_copy(update={"base_url": (self.root / "github").as_uri(), "token": None})
        update = {"hub": hub, "github": github, "offline": False, "watchlist": [], "links": {}, "family_names": {}}
        return base.model_copy(update=update)


def _new_ids(path: Path, count: int) -> list[str]:
    """The ids of the last ``count`` commits of main in the bare repository at ``path``, oldest first."""
    from core.demo.repos import run_git

    ids = run_git("rev-list", f"--max-count={count}", "HEAD", cwd=path).split()
    return list(reversed(ids))


def demo_repositories(store: CacheStore) -> Callable[[str, str], Path | None] | None:
    """On the demo cache, where its repositories are (the demo source: every version, offline); else None."""
    from core.demo.build import is_demo_cache

    if not is_demo_cache(store):
        return None
    return DemoSource(source_dir(store.root)).repository

"""Provides generate_family(): the commits, labels and metadata of one demo family, from its plan.

Every commit lands inside a bin of the plan (core.demo.plan): the family's first commit opens
bin 0 and every other commit sits 2 to 12 days into its bin, so binning puts it where the plan
says whether HF times are cut to the day or not. Randomness comes from one ``random.Random``
seeded by the family id, so a family's data never depends on the others or on the clock.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass, field
from typing import Any

from core.demo import texts
from core.demo.drift_story import tell_story
from core.demo.files import FileChange, give_files
from core.demo.git_ids import commit_id
from core.demo.plan import Plan, plan_family
from core.demo.spec import HFF, REFERENCE, SEED, FamilySpec
from core.models import GITHUB, HUGGINGFACE

MERGE_SHARE = 0.12  # share of GitHub changes that arrive through a merged pull request


@dataclass
class Commit:
    """One generated commit and the label the demo gives it."""

    platform: str
    repo: str
    sha: str
    authored_at: dt.datetime
    author: str
    title: str
    message: str
    files: str
    parents: str
    label: str
    confidence: float
    linked_sha: str | None = None
    changes: tuple[FileChange, ...] = ()  # against the first parent, from core.demo.files


@dataclass
class FamilyData:
    """Everything generated for one family."""

    spec: FamilySpec
    plan: Plan
    commits: list[Commit] = field(default_factory=list)
    blobs: dict[str, bytes] = field(default_factory=dict)  # every file content of its repositories, by blob id
    extra_variants: tuple[str, ...] = ()  # listed variants without a commit (never updated)


def family_rng(family: str) -> random.Random:
    """Return the family's own seeded generator (crc32, not hash(): stable across processes)."""
    return random.Random(SEED ^ zlib.crc32(family.encode()))


def _username(name: str) -> str:
    return name.lower().replace(" ", "-")


class _Writer:
    """Fills templates and keeps per-repository state (parent chain, counters)."""

    def __init__(self, spec: FamilySpec, rng: random.Random, origin: dt.datetime, index: int) -> None:
        self.spec = spec
        featured = texts.HUGGINGFACE_FEATURED
        self.featured = [featured[(2 * index + j) % len(featured)] for j in range(2)]
        self.rng = rng
        self.origin = origin
        self.team = rng.sample(texts.PEOPLE, rng.randint(3, 4))
        self.pkg = spec.gh_repo.split("/")[1].replace("-", "_")
        self.version = [0, 1, 0]
        self.pr = rng.randint(2, 9)
        self.heads: dict[str, str] = {}
        self.counter = 0

    def at(self, bin_: int, day: int, minutes: int) -> dt.datetime:
        return self.origin + dt.timedelta(days=14 * bin_ + day, minutes=minutes)

    def fill(self, template: str) -> str:
        rng = self.rng
        dataset = rng.choice(texts.DATASETS)
        lib, libver = rng.choice(texts.LIBRARIES)
        values = {
            "pkg": self.pkg,
            "size": rng.choice(texts.SIZES),
            "dataset": dataset,
            "slug": dataset.lower().replace(" ", "_").replace("-", "_"),
            "metric": rng.choice(texts.METRICS),
            "lib": lib,
            "libver": libver,
            "ver": ".".join(str(v) for v in self.version),
            "n": self.pr,
        }
        return template.format_map(values)

    def bump_version(self) -> None:
        if self.rng.random() < 0.3:
            self.version = [self.version[0], self.version[1] + 1, 0]
        else:
            self.version[2] += 1

    def add(
        self,
        data: FamilyData,
        platform: str,
        repo: str,
        when: dt.datetime,
        author: str,
        title: str,
        files: str,
        label: str,
        *,
        message: str = "",
        parents: str | None = None,
        linked_sha: str | None = None,
        confidence: float | None = None,
    ) -> Commit:
        self.counter += 1
        parents = self.heads.get(repo, "") if parents is None else parents
        # A real git id: the demo source writes this very commit into a git repository.
        sha = commit_id(parents.split(), author, when, message or title)
        commit = Commit(
            platform=platform,
            repo=repo,
            sha=sha,
            authored_at=when,
            author=author,
            title=title,
            message=message or title,
            files=files,
            parents=parents,
            label=label,
            confidence=confidence if confidence is not None else round(self.rng.uniform(0.62, 0.99), 2),
            linked_sha=linked_sha,
        )
        self.heads[repo] = sha
        data.commits.append(commit)
        return commit


def _slots(w: _Writer, bin_: int, n: int, first_minute: int, last_minute: int) -> list[dt.datetime]:
    """Return ``n`` sorted commit times 2 to 11 days into ``bin_`` (safe from bin edges either way)."""
    picks = sorted((w.rng.randint(2, 11), w.rng.randint(first_minute, last_minute)) for _ in range(n))
    return [w.at(bin_, day, minute) for day, minute in picks]


def _pick_type(rng: random.Random, weights: dict[str, float]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _github(data: FamilyData, w: _Writer) -> dict[int, list[Commit]]:
    """Write GitHub commits into the plan's GitHub bins; return them by bin for auto-sync mirrors."""
    spec, rng = data.spec, w.rng
    repo = spec.gh_repo
    by_bin: dict[int, list[Commit]] = {}
    busy = 1 if spec.intensity == "F" or spec.monorepo else 0
    for bin_ in sorted(data.plan.gh_bins):
        n = rng.choices([1, 2, 3, 4, 5, 6], weights=[30, 25, 18, 12, 9, 6])[0] + busy
        times = _slots(w, bin_, n, 7 * 60, 22 * 60)
        made: list[Commit] = []
        if not w.heads.get(repo):
            # The repository's first commit: at the origin when GitHub opens the family,
            # else before the other commits of its first bin.
            first = w.at(bin_, 0, 9 * 60 + rng.randint(0, 90)) if spec.lag != HFF else w.at(bin_, 2, 6 * 60)
            made.append(
                w.add(
                    data,
                    GITHUB,
                    repo,
                    first,
                    w.team[0],
                    "Initial commit",
                    "A:README.md|A:LICENSE|A:.gitignore",
                    "project metadata",
                    confidence=0.97,
                )
            )
            times = times[1:]
        for i, when in enumerate(times):
            kind = _pick_type(rng, texts.GITHUB_WEIGHTS)
            title, files = rng.choice(texts.GITHUB_TEMPLATES[kind])
            if kind == "sharing" or (kind == "project metadata" and "version" in title):
                w.bump_version()
            author = rng.choice(w.team)
            body = f"\n\n{rng.choice(texts.BODIES)}" if rng.random() < 0.3 else ""
            title = w.fill(title)
            base = w.heads[repo]
            feature = w.add(data, GITHUB, repo, when, author, title, w.fill(files), kind, message=title + body)
            made.append(feature)
            # A merge lands before the next commit, so parents are always older than children.
            gap = (times[i + 1] - when) if i + 1 < len(times) else dt.timedelta(hours=5)
            if rng.random() < MERGE_SHARE and gap > dt.timedelta(minutes=20):
                w.pr += 1
                branch = rng.choice(texts.BRANCHES[kind])
                merge_title = f"Merge pull request #{w.pr} from {_username(author).split('-')[0]}/{branch}"
                delay = min(dt.timedelta(minutes=rng.randint(40, 300)), gap / 2)
                made.append(
                    w.add(
                        data,
                        GITHUB,
                        repo,
                        when + delay,
                        w.team[0],
                        merge_title,
                        "",
                        kind,
                        message=f"{merge_title}\n\n{title}",
                        parents=f"{base} {feature.sha}",
                    )
                )
        by_bin[bin_] = made
    return by_bin


def _bundle(data: FamilyData, w: _Writer, model: str, author: str, when: dt.datetime) -> None:
    """The uploads that open a Hub repository: initial commit, weights, config, tokenizer, card."""
    rng = w.rng
    steps: list[tuple[str, str, str]] = [("initial commit", "A:.gitattributes", "project metadata")]
    if rng.random() < 0.4:
        steps.append(("Upload folder using huggingface_hub", texts.HUGGINGFACE_TEMPLATES["sharing"][0][1], "sharing"))
    else:
        weights = "A:model.safetensors" if rng.random() < 0.5 else "A:pytorch_model.bin"
        steps += [
            ("Upload config.json", "A:config.json", "parameter tuning"),
            ("Upload tokenizer", texts.HUGGINGFACE_TEMPLATES["preprocessing"][0][1], "preprocessing"),
            (f"Upload {weights.split(':')[1]}", weights, "model structure"),
        ]
    steps.append(("Add model card", "A:README.md", "external documentation"))
    for i, (title, files, label) in enumerate(steps):
        w.add(data, HUGGINGFACE, model, when + dt.timedelta(minutes=3 * i), author, title, files, label)


def _huggingface(data: FamilyData, w: _Writer, gh_by_bin: dict[int, list[Commit]]) -> None:
    """Write each variant's commits into its planned bins."""
    spec, rng = data.spec, w.rng
    for index, (model, bins) in enumerate(zip(spec.variants, data.plan.variant_bins, strict=True)):
        owner = model.split("/")[0]
        author = _username(rng.choice(w.team)) if owner == spec.owner else owner
        mirror = spec.mirror and index == 0
        converted = False
        for k, bin_ in enumerate(bins):
            if k == 0:
                origin_event = index == 0 and spec.lag == HFF and bin_ == 0
                day = 0 if origin_event else rng.randint(2, 10)
                _bundle(data, w, model, author, w.at(bin_, day, rng.randint(8 * 60, 20 * 60)))
                continue
            if mirror and bin_ in gh_by_bin:
                sources = rng.sample(gh_by_bin[bin_], min(len(gh_by_bin[bin_]), rng.randint(1, 2)))
                synced = sorted((s.authored_at + dt.timedelta(minutes=rng.randint(5, 240)), s.sha, s) for s in sources)
                for when, _, source in synced:
                    w.add(
                        data,
                        HUGGINGFACE,
                        model,
                        when,
                        f"{spec.owner}-ci",
                        f"Auto Sync from git://github.com/{spec.gh_repo}.git/commit/{source.sha}",
                        source.files or "M:README.md",
                        "sharing",
                        linked_sha=source.sha,
                        confidence=0.99,
                    )
                continue
            n = rng.choices([1, 2, 3], weights=[60, 30, 10])[0]
            for when in _slots(w, bin_, n, 6 * 60, 22 * 60):
                if not converted and rng.random() < 0.25:
                    converted = True
                    w.pr += 1
                    w.add(
                        data,
                        HUGGINGFACE,
                        model,
                        when,
                        texts.SAFETENSORS_BOT,
                        f"Adding `safetensors` variant of this model (#{w.pr})",
                        "A:model.safetensors",
                        "model structure",
                        message=f"Adding `safetensors` variant of this model (#{w.pr})\n\n{texts.SAFETENSORS_MESSAGE}",
                        confidence=0.98,
                    )
                    continue
                kind = w.featured.pop(0) if w.featured else _pick_type(rng, texts.HUGGINGFACE_WEIGHTS)
                title, files = rng.choice(texts.HUGGINGFACE_TEMPLATES[kind])
                if "{n}" in title:
                    w.pr += 1
                w.add(data, HUGGINGFACE, model, when, author, w.fill(title), w.fill(files), kind)


def generate_family(spec: FamilySpec, index: int = 0) -> FamilyData:
    """Return the commits of ``spec``'s family, built on its plan.

    Args:
        spec: The family.
        index: Its position in the cast; picks which rare Hub change types it features.
    """
    rng = family_rng(spec.family)
    plan = plan_family(spec, rng)
    day = (REFERENCE - dt.timedelta(days=14 * spec.span + rng.randint(20, 90))).date()
    origin = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    data = FamilyData(spec, plan)
    writer = _Writer(spec, rng, origin, index)
    gh_by_bin = _github(data, writer)
    _huggingface(data, writer, gh_by_bin)
    story = tell_story(data)
    data.blobs = give_files(data, story)
    data.commits.sort(key=lambda c: (c.platform, c.repo, c.authored_at))
    return data


def commit_rows(data: FamilyData) -> list[dict[str, Any]]:
    """Return the family's commits as rows of the cache's commits table."""
    return [
        {
            "family": data.spec.family,
            "platform": c.platform,
            "repo": c.repo,
            "sha": c.sha,
            "authored_at": c.authored_at,
            "author": c.author,
            "title": c.title,
            "message": c.message,
            "files": c.files,
            "parents": c.parents,
            "source": "demo",
        }
        for c in data.commits
    ]


def change_rows(data: FamilyData) -> list[dict[str, Any]]:
    """Return the family's file changes as rows of the cache's file_changes table (what sync reads from git)."""
    return [
        {
            "platform": c.platform,
            "repo": c.repo,
            "sha": c.sha,
            "path": change.path,
            "status": change.status,
            "old_mode": "100644" if change.old_blob else None,
            "new_mode": "100644" if change.new_blob else None,
            "old_blob": change.old_blob,
            "new_blob": change.new_blob,
        }
        for c in data.commits
        for change in c.changes
    ]

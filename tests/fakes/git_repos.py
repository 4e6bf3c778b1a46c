"""Local git repositories built by tests (and benchmarks) with GitPython, reached through file://.

``feature_repo`` has the awkward cases: a merge, a rename, a deletion, authors in several time
zones, a Latin-1 message that declares its encoding and one with invalid UTF-8 that does not.
``bulk_repo`` writes thousands of commits quickly through ``git fast-import``.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import git

ENV = {"GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}


def _serve_filters(repo: git.Repo) -> None:
    # GitHub honours --filter=blob:none; a local upload-pack only does when allowed.
    with repo.config_writer() as writer:
        writer.set_value("uploadpack", "allowFilter", "true")
        writer.set_value("uploadpack", "allowAnySHA1InWant", "true")


def init_repo(path: Path, branch: str = "main") -> git.Repo:
    """Create an empty non-bare repository that serves partial clones."""
    path.mkdir(parents=True, exist_ok=True)
    repo = git.Repo.init(path, initial_branch=branch)
    with repo.config_writer() as writer:
        writer.set_value("user", "name", "Test")
        writer.set_value("user", "email", "test@example.org")
        writer.set_value("commit", "gpgsign", "false")
    _serve_filters(repo)
    return repo


def git_stamp(when: dt.datetime) -> str:
    """Git's internal date format, ``<unix seconds> <+hhmm>``, keeping ``when``'s zone."""
    offset = when.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    zone = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    return f"{int(when.timestamp())} {zone}"


@dataclass
class Builder:
    """Makes commits with chosen authors, zones and times."""

    repo: git.Repo
    shas: list[str] = field(default_factory=list)

    @property
    def root(self) -> Path:
        return Path(self.repo.working_tree_dir or ".")

    def commit(
        self,
        message: str,
        when: dt.datetime,
        *,
        write: dict[str, str] | None = None,
        delete: tuple[str, ...] = (),
        move: tuple[tuple[str, str], ...] = (),
        author: str = "Ana Dev",
    ) -> str:
        """Commit changes; ``when`` must carry its zone (kept in the commit as the author's zone)."""
        for name, text in (write or {}).items():
            target = self.root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            self.repo.index.add([name])
        for name in delete:
            self.repo.index.remove([name], working_tree=True)
        for old, new in move:
            (self.root / new).parent.mkdir(parents=True, exist_ok=True)
            self.repo.git.mv(old, new)
        actor = git.Actor(author, f"{author.split()[0].lower()}@example.org")
        stamp = git_stamp(when)
        commit = self.repo.index.commit(message, author=actor, committer=actor, author_date=stamp, commit_date=stamp)
        self.shas.append(commit.hexsha)
        return commit.hexsha

    def raw_commit(self, message: bytes, when: dt.datetime, *, encoding: str | None = None) -> str:
        """Commit ``message`` bytes as they are (possibly not UTF-8), on top of HEAD, same tree."""
        head = self.repo.head.commit
        stamp = git_stamp(when).encode()
        lines = [
            b"tree " + head.tree.hexsha.encode(),
            b"parent " + head.hexsha.encode(),
            b"author Old Encoder <old@example.org> " + stamp,
            b"committer Old Encoder <old@example.org> " + stamp,
        ]
        if encoding:
            lines.append(b"encoding " + encoding.encode())
        body = b"\n".join(lines) + b"\n\n" + message
        sha = (
            subprocess.run(
                ["git", "hash-object", "-t", "commit", "-w", "--stdin", "--literally"],
                input=body,
                cwd=self.root,
                check=True,
                capture_output=True,
            )
            .stdout.decode()
            .strip()
        )
        self.repo.git.update_ref("HEAD", sha)
        self.shas.append(sha)
        return sha


ZONE_PLUS_0530 = dt.timezone(dt.timedelta(hours=5, minutes=30))
ZONE_MINUS_0700 = dt.timezone(dt.timedelta(hours=-7))


@dataclass(frozen=True)
class FeatureRepo:
    """The repository ``feature_repo`` built, with the ids tests check."""

    path: Path
    shas: list[str]
    merge: str
    rename: str
    delete: str
    latin1: str
    invalid: str
    zoned: str


def feature_repo(path: Path) -> FeatureRepo:
    """Build the awkward-cases repository at ``path`` (branch main)."""
    repo = init_repo(path)
    b = Builder(repo)
    t = dt.datetime(2021, 3, 1, 10, 0, tzinfo=dt.UTC)
    b.commit("Initial commit", t, write={"README.md": "hello\n", "train.py": "print(1)\n"})
    zoned = b.commit(
        "Tune config\n\nLonger body\nwith lines",
        t.astimezone(ZONE_PLUS_0530) + dt.timedelta(days=1),
        write={"config.json": "{}\n"},
    )
    rename = b.commit("Rename train script", t + dt.timedelta(days=2), move=(("train.py", "scripts/train.py"),))
    # A side branch and a merge back.
    repo.git.checkout("-b", "feature")
    b.commit("Feature work", t.astimezone(ZONE_MINUS_0700) + dt.timedelta(days=3), write={"feat.py": "x = 1\n"})
    repo.git.checkout("main")
    b.commit("Main work", t + dt.timedelta(days=4), write={"README.md": "hello again\n"})
    repo.git.merge(
        "feature",
        "--no-ff",
        "-m",
        "Merge branch 'feature'",
        env={
            "GIT_AUTHOR_DATE": git_stamp(t + dt.timedelta(days=5)),
            "GIT_COMMITTER_DATE": git_stamp(t + dt.timedelta(days=5)),
        },
    )
    merge = repo.head.commit.hexsha
    b.shas.append(merge)
    delete = b.commit("Remove feature file", t + dt.timedelta(days=6), delete=("feat.py",))
    latin1 = b.raw_commit("Caf\xe9 r\xe9sum\xe9".encode("latin-1"), t + dt.timedelta(days=7), encoding="ISO-8859-1")
    invalid = b.raw_commit(b"Broken \xff\xfe bytes", t + dt.timedelta(days=8))
    return FeatureRepo(path, b.shas, merge, rename, delete, latin1, invalid, zoned)


def bulk_content(path: str, n: int) -> bytes:
    """The content ``bulk_repo`` gives ``path`` at commit ``n`` (so other repositories can hold the same blobs)."""
    return f"# {path}\nvalue = {n}\n".encode()


BULK_PATHS = [f"src/module_{i:03d}/file_{i % 7}.py" for i in range(400)]


def bulk_repo(
    path: Path,
    commits: int,
    *,
    files_per_commit: int = 3,
    start: dt.datetime | None = None,
    merge_every: int = 0,
) -> Path:
    """Create a repository with ``commits`` commits on main via ``git fast-import``.

    Each commit modifies ``files_per_commit`` files among a few hundred paths (adding them the
    first time); every 50th commit deletes one. With ``merge_every`` N, every Nth main commit
    is a merge of a one-commit side branch (which changes a file of its own), so the history
    holds merges and commits off the first-parent chain. Fast enough for 100k commits.
    """
    repo = init_repo(path)
    begin = int((start or dt.datetime(2015, 1, 1, tzinfo=dt.UTC)).timestamp())
    chunks: list[bytes] = []
    paths = BULK_PATHS

    def header(ref: str, mark: int, n: int, when: int, message: bytes) -> None:
        chunks.append(f"commit {ref}\nmark :{mark}\n".encode())
        chunks.append(f"author Dev {n % 13} <dev{n % 13}@example.org> {when} +0000\n".encode())
        chunks.append(f"committer Dev {n % 13} <dev{n % 13}@example.org> {when} +0000\n".encode())
        chunks.append(f"data {len(message)}\n".encode() + message)

    def write(name: str, content: bytes) -> None:
        chunks.append(f"M 100644 inline {name}\ndata {len(content)}\n".encode() + content + b"\n")

    for n in range(commits):
        when = begin + n * 3_600
        side = 0
        if merge_every and n and n % merge_every == 0:
            side = 10_000_000 + n
            header("refs/heads/side", side, n, when - 1_800, f"Side work {n}\n".encode())
            chunks.append(f"from :{n}\n".encode())
            write(f"side/feature_{n % 50}.py", bulk_content("side", n))
            chunks.append(b"\n")
        header("refs/heads/main", n + 1, n, when, f"Change {n}: update modules\n\nDetails for change {n}.\n".encode())
        if n:
            chunks.append(f"from :{n}\n".encode())
        if side:
            chunks.append(f"merge :{side}\n".encode())
            # fast-import starts from the first parent's tree: bring the branch's change in.
            write(f"side/feature_{n % 50}.py", bulk_content("side", n))
        for k in range(files_per_commit):
            name = paths[(n * 7 + k * 131) % len(paths)]
            write(name, bulk_content(name, n))
        if n and n % 50 == 0:
            chunks.append(f"D {paths[(n * 7 + 1) % len(paths)]}\n".encode())
        chunks.append(b"\n")
    subprocess.run(["git", "fast-import", "--quiet"], input=b"".join(chunks), cwd=path, check=True)
    repo.git.reset("--hard", "main")
    repo.close()
    return path


def add_commits(path: Path, n: int, *, when: dt.datetime | None = None) -> list[str]:
    """Add ``n`` commits on top of main in the repository at ``path``; return their ids."""
    repo = git.Repo(path)
    b = Builder(repo)
    start = when or dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
    for i in range(n):
        b.commit(f"New work {i}", start + dt.timedelta(hours=i), write={f"new/file_{i}.txt": f"{i}\n"})
    repo.close()
    return b.shas


LFS_POINTER = (
    "version https://git-lfs.github.com/spec/v1\n"
    "oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\n"
    "size 12345\n"
)


@dataclass(frozen=True)
class DriftRepos:
    """A GitHub repository and two HF variants built so that every drift state occurs.

    ``expected`` maps (hf_path, gh_path) of the variant ``hf`` to (state, missing GitHub
    commits, HF extra commits); ``hf_lone`` shares no file with GitHub.
    """

    gh: Path
    hf: Path
    hf_lone: Path
    gh_shas: dict[str, str]  # name -> sha of the GitHub commits tests refer to
    expected: dict[tuple[str, str], tuple[str, int, int]]


def _json(**values: object) -> str:
    import json

    return json.dumps(values, indent=2, sort_keys=True) + "\n"


def drift_repos(root: Path) -> DriftRepos:
    """Build ``root/gh``, ``root/hf`` and ``root/hf_lone`` (see DriftRepos)."""
    t = dt.datetime(2023, 1, 1, 12, tzinfo=dt.UTC)
    day = dt.timedelta(days=1)
    gh = Builder(init_repo(root / "gh"))
    hf = Builder(init_repo(root / "hf"))
    shas: dict[str, str] = {}
    shared = {
        "sync.txt": "same on both sides\n",
        "config.json": _json(hidden=512, layers=12),
        "tokenizer.json": _json(vocab=100),
        "model.py": "def forward(x):\n    return x\n",
        "gone_gh.txt": "GitHub deletes this\n",
        "gone_hf.txt": "HF deletes this\n",
        "old/conf.yaml": "lr: 0.1\n",
        "model.safetensors": LFS_POINTER,  # a pointer on both sides: must never link
        "__init__.py": "",  # empty on both sides: must never link
        "merged.json": _json(step=1),
    }
    shas["initial"] = gh.commit("Initial release", t, write=shared)
    hf_files = {("conf.yaml" if k == "old/conf.yaml" else k): v for k, v in shared.items()}
    hf.commit("Upload model", t + day, write=hf_files)
    # GitHub moves on: config.json three times, model.py once, a deletion, a move.
    shas["config2"] = gh.commit("Wider", t + 2 * day, write={"config.json": _json(hidden=768, layers=12)})
    gh.commit("Deeper", t + 3 * day, write={"config.json": _json(hidden=768, layers=24)})
    shas["model2"] = gh.commit("Faster forward", t + 4 * day, write={"model.py": "def forward(x):\n    return x * 1\n"})
    shas["config4"] = gh.commit(
        "Dropout", t + 5 * day, write={"config.json": _json(dropout=0.1, hidden=768, layers=24)}
    )
    shas["delete"] = gh.commit("Drop file", t + 6 * day, delete=("gone_gh.txt",))
    gh.commit("Move config", t + 7 * day, move=(("old/conf.yaml", "new/conf.yaml"),))
    # A side branch merged back: only the merge's first-parent diff is an event, so the
    # branch's intermediate version of merged.json is not a GitHub version.
    gh.repo.git.checkout("-b", "side")
    gh.commit("Side step 1", t + 8 * day, write={"merged.json": _json(step=2)})
    gh.commit("Side step 2", t + 9 * day, write={"merged.json": _json(step=3)})
    gh.repo.git.checkout("main")
    gh.commit("Unrelated main work", t + 10 * day, write={"notes.md": "notes\n"})
    stamp = git_stamp(t + 11 * day)
    gh.repo.git.merge(
        "side", "--no-ff", "-m", "Merge side", env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}
    )
    shas["merge"] = gh.repo.head.commit.hexsha
    # HF moves on too: its own tokenizer and model changes, a deletion, the side version.
    hf.commit("Bigger vocab", t + 12 * day, write={"tokenizer.json": _json(vocab=200)})
    hf.commit("Own forward", t + 13 * day, write={"model.py": "def forward(x):\n    return x + 0\n"})
    hf.commit("Remove file", t + 14 * day, delete=("gone_hf.txt",))
    hf.commit("Take side step", t + 15 * day, write={"merged.json": _json(step=2)})
    lone = Builder(init_repo(root / "hf_lone"))
    lone.commit("Upload", t + day, write={"README.md": "a model card\n", "__init__.py": "", "w.bin": LFS_POINTER})
    for b in (gh, hf, lone):
        b.repo.close()
    expected = {
        ("sync.txt", "sync.txt"): ("in_sync", 0, 0),
        ("config.json", "config.json"): ("hf_behind", 3, 0),
        ("tokenizer.json", "tokenizer.json"): ("hf_ahead", 0, 1),
        ("model.py", "model.py"): ("diverged", 1, 1),
        ("gone_gh.txt", "gone_gh.txt"): ("removed_on_gh", 1, 0),
        ("gone_hf.txt", "gone_hf.txt"): ("removed_on_hf", 0, 1),
        ("conf.yaml", "old/conf.yaml"): ("removed_on_gh", 1, 0),
        ("conf.yaml", "new/conf.yaml"): ("in_sync", 0, 0),
        ("merged.json", "merged.json"): ("diverged", 1, 1),
    }
    return DriftRepos(root / "gh", root / "hf", root / "hf_lone", shas, expected)

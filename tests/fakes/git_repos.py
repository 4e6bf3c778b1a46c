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


def bulk_repo(path: Path, commits: int, *, files_per_commit: int = 3, start: dt.datetime | None = None) -> Path:
    """Create a repository with ``commits`` linear commits on main via ``git fast-import``.

    Each commit modifies ``files_per_commit`` files among a few hundred paths (adding them the
    first time); every 50th commit deletes one. Fast enough for 100k commits.
    """
    repo = init_repo(path)
    begin = int((start or dt.datetime(2015, 1, 1, tzinfo=dt.UTC)).timestamp())
    chunks: list[bytes] = []
    paths = [f"src/module_{i:03d}/file_{i % 7}.py" for i in range(400)]
    for n in range(commits):
        when = begin + n * 3_600
        message = f"Change {n}: update modules\n\nDetails for change {n}.\n".encode()
        chunks.append(b"commit refs/heads/main\n")
        chunks.append(f"mark :{n + 1}\n".encode())
        chunks.append(f"author Dev {n % 13} <dev{n % 13}@example.org> {when} +0000\n".encode())
        chunks.append(f"committer Dev {n % 13} <dev{n % 13}@example.org> {when} +0000\n".encode())
        chunks.append(f"data {len(message)}\n".encode() + message)
        if n:
            chunks.append(f"from :{n}\n".encode())
        for k in range(files_per_commit):
            name = paths[(n * 7 + k * 131) % len(paths)]
            content = f"value = {n}\n".encode()
            chunks.append(f"M 100644 inline {name}\ndata {len(content)}\n".encode() + content + b"\n")
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

"""Provides sync(): fetch the HF and GitHub histories of the cache's families, incrementally and politely.

A bounded pool of workers (``sync.workers``) fetches repositories in parallel; only the
calling thread writes the cache. Finished repositories are written in small batches (at most
every few seconds, and before returning or on interrupt; ``core.mining.writer``), each write atomic, so Ctrl+C or a
killed process keeps what finished and the next sync picks up the rest. Every repository's
outcome becomes a ``sync_state`` row, failures included, and the sync goes on with the others.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import polars as pl

from core.errors import Cancelled, InputError
from core.mining.failures import SourceFailure, redact
from core.mining.fetch import Fetched, Unit, clone_files, fetch_github, fetch_hf
from core.mining.outcomes import RepoOutcome, read_states
from core.mining.writer import BatchWriter
from core.models import GITHUB, HUGGINGFACE, is_valid_repo_id
from core.progress import CancelToken, EtaTracker, Progress, ProgressCallback
from core.text import one_line
from core.words import plural

if TYPE_CHECKING:
    from cache.store import CacheStore
    from core.config import Settings
    from core.mining.hub import HubClient
    from core.mining.hub_git import HubHistory
    from core.mining.polite import WaitCallback

__all__ = ["SyncReport", "in_shard", "parse_shard", "plan_units", "sync", "sync_status"]

# Failures that say the network (or the server) is down rather than one repository is wrong.
# After this many in a row a run stops: going on would only mark every repository failed.
_REPO = {"platform": pl.String, "repo": pl.String}
NETWORK_STATUSES = frozenset({"network", "timeout", "server_error"})
STOP_AFTER_NETWORK_FAILURES = 5


def sync_status(store: CacheStore) -> pl.DataFrame:
    """Return the per-repository status table (see ``core.mining.outcomes.sync_status``)."""
    from core.mining.outcomes import sync_status as status

    return status(store)


@dataclass
class SyncReport:
    """What a sync did, one outcome per repository."""

    outcomes: list[RepoOutcome] = field(default_factory=list)
    skipped_monorepos: list[str] = field(default_factory=list)
    offline: bool = False
    elapsed: float = 0.0
    planned: int = 0  # repositories the run set out to sync
    stopped: str = ""  # why the run stopped before the end by itself (repeated network failures)

    @property
    def failures(self) -> list[RepoOutcome]:
        """Outcomes that were not successes."""
        return [o for o in self.outcomes if not o.ok]

    def summary(self) -> str:
        """Return a one-line summary for the terminal."""
        if not self.outcomes and not self.offline:
            mono = plural(len(self.skipped_monorepos), "monorepo family", "monorepo families")
            skipped = f" ({mono} skipped)" if self.skipped_monorepos else ""
            return f"nothing to sync{skipped}: run `ptlm-tui discover` (or import) first, or name families"
        if self.offline:
            cached = sum(o.commits or 0 for o in self.outcomes)
            return (
                f"offline: no request made; the cache holds {plural(cached, 'commit')} of "
                f"{plural(len(self.outcomes), 'repository', 'repositories')} "
                "(`ptlm-tui status` shows when each was last synced)"
            )
        ok = [o for o in self.outcomes if o.ok]
        new = sum(o.new_commits for o in ok)
        done = plural(len(self.outcomes), "repository")
        text = f"synced {done} in {self.elapsed:.1f} s: {len(ok)} ok ({plural(new, 'new commit')})"
        if self.stopped:
            left = self.planned - len(self.outcomes)
            text = (
                f"stopped after {self.stopped}; {left:,} of {plural(self.planned, 'repository')} were not tried and "
                f"keep their last sync. Check the connection, then sync again. Before stopping: {text}"
            )
        by_status: dict[str, int] = {}
        for o in self.failures:
            by_status[o.status] = by_status.get(o.status, 0) + 1
        if by_status:
            text += ", " + ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in sorted(by_status.items()))
            text += " (see `ptlm-tui status`)"
        if self.skipped_monorepos:
            n = len(self.skipped_monorepos)
            text += f"; skipped {plural(n, 'monorepo family')} (name {'it' if n == 1 else 'them'} to sync)"
        return text


def plan_units(store: CacheStore, families: Sequence[str] | None = None) -> tuple[list[Unit], list[str]]:
    """Return the repositories to sync for ``families`` (all when None) and the monorepo families skipped.

    Families flagged as shared monorepos are synced only when named: their GitHub history is
    large and is not theirs alone.

    Raises:
        InputError: A named family is not in the cache.
    """
    fams = store.families(["family", "gh_repo", "monorepo"])
    variants = store.variants(["family", "model"]).filter(pl.col("family").is_not_null())
    known = set(fams["family"].to_list()) | set(variants["family"].to_list())
    skipped: list[str] = []
    if families:
        wanted = list(dict.fromkeys(families))
        missing = [f for f in wanted if f not in known]
        if missing:
            raise InputError(
                "Unknown family", ", ".join(missing[:5]), "`ptlm-tui status` lists the families; run discover first"
            )
        chosen = set(wanted)
    else:
        mono = fams.filter(pl.col("monorepo").fill_null(False))["family"].to_list()
        skipped = sorted(mono)
        chosen = known - set(mono)
    units: list[Unit] = []
    seen: set[tuple[str, str]] = set()
    # Ids are validated by the worker, so a bad one becomes a recorded failure, not a silent gap.
    for family, gh_repo, _ in fams.sort("family").iter_rows():
        if family in chosen and gh_repo and (GITHUB, gh_repo.lower()) not in seen:
            seen.add((GITHUB, gh_repo.lower()))
            units.append(Unit(GITHUB, gh_repo, family))
    for family, model in variants.sort("family", "model").iter_rows():
        if family in chosen and (HUGGINGFACE, model.lower()) not in seen:
            seen.add((HUGGINGFACE, model.lower()))
            units.append(Unit(HUGGINGFACE, model, family))
    return units, skipped


def _counts(store: CacheStore) -> dict[tuple[str, str], int]:
    lazy = store.commits(["platform", "repo"]).group_by("platform", "repo").len()
    return {(p, r): n for p, r, n in store.collect(lazy).iter_rows()}


def parse_shard(text: str) -> tuple[int, int]:
    """Parse ``I/N`` (1 ≤ I ≤ N) as given to ``sync --shard``.

    Raises:
        InputError: Not of that form.
    """
    index, sep, count = text.partition("/")
    if sep and index.strip().isdigit() and count.strip().isdigit() and 1 <= int(index) <= int(count):
        return int(index), int(count)
    raise InputError("Bad shard", repr(text)[:40], "give I/N with 1 <= I <= N, e.g. --shard 2/4")


def in_shard(platform: str, repo: str, shard: tuple[int, int]) -> bool:
    """True when the repository belongs to shard ``I/N``.

    The split hashes platform and repository (case-folded) with BLAKE2b, so every process and
    machine assigns a repository to the same shard, and N processes together cover every one.
    """
    import hashlib

    index, count = shard
    digest = hashlib.blake2b(f"{platform}/{repo.lower()}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count == index - 1


def _offline_report(store: CacheStore, units: list[Unit], skipped: list[str]) -> SyncReport:
    counts = _counts(store)
    report = SyncReport(skipped_monorepos=skipped, offline=True)
    for u in units:
        cached = counts.get((u.platform, u.repo), 0)
        report.outcomes.append(RepoOutcome(u.platform, u.repo, u.family, "offline", "not synced", commits=cached))
    return report


def sync(
    store: CacheStore,
    settings: Settings,
    families: Sequence[str] | None = None,
    *,
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    shard: tuple[int, int] | None = None,
) -> SyncReport:
    """Fetch new HF and GitHub commits of ``families`` (all non-monorepo families when None).

    Args:
        store: The cache.
        settings: Settings (endpoints, tokens, timeouts, workers, offline).
        families: Family ids to sync; monorepo families are synced only when named.
        on_progress: Receives counts and ETA, and a countdown while rate limited; it is called
            from worker threads too, one call at a time.
        cancel: Stops at the next checkpoint (git is killed); finished repositories are kept.
        shard: ``(I, N)``: only the I-th of N stable parts of the repositories (``in_shard``), so
            N processes or machines can sync one cache together.

    Returns:
        One outcome per repository; failures are outcomes, not exceptions.

    Raises:
        InputError: A named family is unknown.
        Cancelled: ``cancel`` was set (after writing what finished).
    """
    started = time.monotonic()
    units, skipped = plan_units(store, families)
    if shard is not None:
        units = [u for u in units if in_shard(u.platform, u.repo, shard)]
    if settings.offline:
        return _offline_report(store, units, skipped)
    # The workers watch a child of the caller's token: the run can stop itself (network down)
    # and still tell that apart from a stop the caller asked for.
    asked = cancel or CancelToken()
    cancel = asked.child()
    report = SyncReport(skipped_monorepos=skipped, planned=len(units))
    failed_in_a_row = [0]
    tracker = EtaTracker("sync", len(units))
    lock = threading.Lock()
    done = [0]

    def notify(progress: Progress) -> None:
        if on_progress is not None:
            with lock:
                on_progress(progress)

    def on_wait(left: float, what: str) -> None:
        notify(Progress("sync", done[0], len(units), f"rate limited by the Hub ({what})", waiting_seconds=left))

    work = _worker(store, settings, units, cancel, on_wait)
    secrets = _known_secrets(settings)
    writer = BatchWriter(store, report.outcomes)
    interrupted = False

    def on_result(unit: Unit, result: Fetched | BaseException) -> None:
        nonlocal interrupted
        if isinstance(result, Cancelled | KeyboardInterrupt):
            interrupted = interrupted or not report.stopped  # a repository cut short by the stop is not a result
            return
        fetched = result if isinstance(result, Fetched) else Fetched(_failure(unit, result, secrets))
        if report.stopped and fetched.outcome.status in NETWORK_STATUSES:
            return  # more of the same after the stop: the repository keeps its last sync, not a failure
        writer.add(fetched)
        done[0] += 1
        writer.maybe_flush()
        last = report.outcomes[-1]
        failed_in_a_row[0] = failed_in_a_row[0] + 1 if last.status in NETWORK_STATUSES else 0
        if failed_in_a_row[0] >= STOP_AFTER_NETWORK_FAILURES and not report.stopped:
            report.stopped = f"{STOP_AFTER_NETWORK_FAILURES} network failures in a row ({last.repo}: {last.detail})"
            cancel.cancel()
        notify(tracker.at(done[0], f"{last.repo}: {last.detail or last.status}"))

    notify(tracker.at(0, "starting"))
    try:
        finished = _run(units, work, on_result, settings.sync.workers, cancel, writer)
    except KeyboardInterrupt:
        from core.mining.git_run import kill_running

        cancel.cancel()
        kill_running()  # git runs in its own process group: Ctrl+C does not reach it
        writer.flush()
        raise
    writer.finish()
    if writer.touched:
        from core.drift.digest import refresh_drift_summary

        notify(tracker.at(done[0], "summarising drift"))
        refresh_drift_summary(store, sorted(writer.touched))
    if finished and not interrupted:
        store.compact_if_worthwhile()  # many small batches: fold them into one file per table
    report.elapsed = time.monotonic() - started
    if asked.cancelled or (interrupted and not report.stopped) or (not finished and not report.stopped):
        raise Cancelled()
    return report


def _run(
    units: list[Unit],
    work: Callable[[Unit], Fetched],
    on_result: Callable[[Unit, Fetched | BaseException], None],
    workers: int,
    cancel: CancelToken,
    writer: BatchWriter,
) -> bool:
    from core.mining.workpool import run_parallel

    return run_parallel(units, work, on_result, workers=workers, cancel=cancel, on_idle=writer.maybe_flush)


def _known_secrets(settings: Settings) -> tuple[str | None, ...]:
    hub_token = settings.hub.token.get_secret_value() if settings.hub.token is not None else None
    return (settings.github_token(), hub_token, os.environ.get("HF_TOKEN"), os.environ.get("HUGGING_FACE_HUB_TOKEN"))


def _failure(unit: Unit, exc: BaseException, secrets: tuple[str | None, ...]) -> RepoOutcome:
    if isinstance(exc, SourceFailure):
        return RepoOutcome(
            unit.platform, unit.repo, unit.family, exc.status, exc.detail, exc.hint, retry_after=exc.retry_after
        )
    detail = one_line(redact(f"{type(exc).__name__}: {exc}", secrets), 300)
    return RepoOutcome(unit.platform, unit.repo, unit.family, "error", detail, _log_bug(exc, secrets))


def _log_bug(exc: BaseException, secrets: tuple[str | None, ...]) -> str:
    """Append the traceback of an unexpected worker error to the log (redacted); return the hint."""
    import traceback

    from core import paths

    try:
        log = paths.log_dir() / "sync-errors.log"
        with log.open("a", encoding="utf-8") as handle:
            handle.write(redact("".join(traceback.format_exception(exc)), secrets) + "\n")
    except OSError:
        return "an internal error; please report it"
    return f"an internal error; please report it with {log}"


def _worker(
    store: CacheStore, settings: Settings, units: list[Unit], cancel: CancelToken, on_wait: WaitCallback
) -> Callable[[Unit], Fetched]:
    """Return the function a worker runs for one unit, with everything it shares prepared once."""
    from core.mining.git_clones import remote_url
    from core.mining.git_run import git_env
    from core.mining.hub import resolve_hf_token
    from core.paths import git_clone_dir

    states = read_states(store)
    hf_repos = [u.repo for u in units if u.platform == HUGGINGFACE]
    gh_heads = {
        u.repo: str(states[(GITHUB, u.repo)]["head"])
        for u in units
        if u.platform == GITHUB and states.get((GITHUB, u.repo), {}).get("head")
    }
    hf_known = store.collect(
        store.commits(["repo", "sha"], repos=hf_repos, platform=HUGGINGFACE).group_by("repo").agg("sha")
    )
    known_by_repo = {repo: frozenset(shas) for repo, shas in hf_known.iter_rows()}
    heads_present = store.collect(
        store.commits(["repo", "sha"], repos=list(gh_heads), platform=GITHUB).filter(
            pl.col("sha").is_in(list(gh_heads.values()))
        )
    )
    present = set(heads_present.iter_rows())
    # Repositories whose file changes the cache lacks (cached by an earlier release, or HF ones
    # synced with changed_files = none) are read whole once.
    whole = {(p, r) for p, r in store.file_histories(["platform", "repo"]).iter_rows()}
    read_hf_files = settings.sync.changed_files != "none"
    backfill = {
        (u.platform, u.repo)
        for u in units
        if (u.platform, u.repo) not in whole and (u.platform == GITHUB or read_hf_files)
    }
    gh_backfill = [(GITHUB, r) for p, r in backfill if p == GITHUB]
    gh_cached = (
        {
            r: int(n)
            for _, r, n in store.commit_counts(pl.DataFrame(gh_backfill, schema=_REPO, orient="row")).iter_rows()
        }
        if gh_backfill
        else {}
    )
    hub: list[HubClient] = []  # built on first use, so a GitHub-only sync never imports huggingface_hub
    hub_lock = threading.Lock()
    gh_token = settings.github_token()
    env = git_env(settings.github.base_url, gh_token)
    cache_root = settings.cache_dir

    def client() -> HubClient:
        with hub_lock:
            if not hub:
                from core.mining.hub import make_hub_client

                client = make_hub_client(settings, cancel=cancel, on_wait=on_wait)
                # A rate limit announced in an earlier run still holds: wait for it (or fail fast).
                resets = [
                    when
                    for (platform, _), row in states.items()
                    if platform == HUGGINGFACE and isinstance(when := row["retry_after"], dt.datetime)
                ]
                if resets:
                    client.polite.pause_until(max(resets))
                hub.append(client)
            return hub[0]

    hf_endpoint = settings.hf_endpoint()
    hf_secret: list[str | None] = []

    def hf_clone(unit: Unit) -> Callable[[], HubHistory]:
        def run() -> HubHistory:
            if not hf_secret:
                hf_secret.append(resolve_hf_token(settings))
            return clone_files(
                unit,
                url=remote_url(hf_endpoint, unit.repo),
                clone_path=git_clone_dir(cache_root, HUGGINGFACE, unit.repo.lower()),
                env=git_env(hf_endpoint, hf_secret[0], user="ptlm-tui"),
                timeout=settings.github.timeout,
                cancel=cancel,
                secrets=(hf_secret[0],),
            )

        return run

    def work(unit: Unit) -> Fetched:
        cancel.check()
        if not is_valid_repo_id(unit.repo):
            raise SourceFailure(
                "error",
                f"invalid repository id {one_line(unit.repo, 80)!r}: not fetched",
                "fix the link (`ptlm-tui link`) or remove the entry",
            )
        if unit.platform == HUGGINGFACE:
            return fetch_hf(
                unit,
                client(),
                known_by_repo.get(unit.repo, frozenset()),
                changed_files=settings.sync.changed_files,
                clone_files=hf_clone(unit),
                backfill=(unit.platform, unit.repo) in backfill,
            )
        head = gh_heads.get(unit.repo)
        return fetch_github(
            unit,
            clone_path=git_clone_dir(cache_root, GITHUB, unit.repo.lower()),
            url=remote_url(settings.github.base_url, unit.repo),
            env=env,
            timeout=settings.github.timeout,
            last_head=head if head is not None and (unit.repo, head) in present else None,
            cancel=cancel,
            secrets=(gh_token,),
            backfill=(unit.platform, unit.repo) in backfill,
            cached=gh_cached.get(unit.repo, 0),
        )

    return work

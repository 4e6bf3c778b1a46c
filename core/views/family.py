"""Provides family_overview(): one family's timeline and the explanation of its pattern, from one read.

The app's family screen shows this first and the commit list (``core.views.commits``) as it
lands; both are read by the same functions the tests call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from cache.store import CacheStore
from core.analysis.events import commit_events
from core.analysis.patterns import compute_patterns
from core.config import AnalysisSettings
from core.explain import Explanation, explain_pattern
from core.views.published import PublishedFamily, published_family, published_sentences
from core.views.timeline import Timeline, timeline_from_events, with_silent_repos


@dataclass(frozen=True)
class FamilyOverview:
    """A family's timeline, its pattern figures and their explanation."""

    timeline: Timeline
    pattern: dict[str, object]
    explanation: Explanation
    published: PublishedFamily | None = None  # the study's record of this family (import-study)

    def study_sentences(self) -> list[str]:
        """The published record beside our verdict, as sentences (empty without one)."""
        return published_sentences(self.published, self.pattern) if self.published else []


def family_overview(
    store: CacheStore,
    settings: AnalysisSettings,
    family: str,
    *,
    monorepo: bool = False,
    pattern: dict[str, object] | None = None,
    repos: Sequence[tuple[str, str]] = (),
) -> FamilyOverview:
    """Read ``family``'s commits once and return its timeline and the explanation of its pattern.

    Args:
        store: The cache.
        settings: The method's settings (bin length, HF day truncation, cut-off).
        family: The family id.
        monorepo: The family's GitHub repository is a known shared monorepo (adds a note).
        pattern: The family's ``compute_patterns`` row when already known (the app's families
            view holds it); computed from the commits otherwise.
        repos: ``(platform, repo)`` the cache knows for the family (its GitHub repository and
            variants): those without commits get an empty timeline row.
    """
    scan = store.family_commits(family, ["family", "platform", "repo", "authored_at"])
    events = store.collect(commit_events(scan, truncate_hf_to_day=settings.truncate_hf_to_day, until=settings.until))
    timeline = with_silent_repos(timeline_from_events(events, family, settings.bin_days), repos)
    row = pattern
    if row is None:
        patterns = compute_patterns(events.lazy(), settings.bin_days)
        row = patterns.row(0, named=True) if patterns.height else {"family": family, "status": "no commits"}
    first_hf = next(
        (b for b in range(timeline.n_bins) for r in timeline.rows if r.platform != "github" and r.active(b)), None
    )
    explanation = explain_pattern(row, bin_days=settings.bin_days, first_hf_bin=first_hf, monorepo=monorepo)
    return FamilyOverview(timeline, row, explanation, published_family(store, family))

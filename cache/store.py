"""Provides CacheStore: the cache, as named operations on Delta Lake tables under one root.

The root is a local directory or any URI deltalake supports (``s3://bucket/prefix`` with its
storage options). Each table is a Delta table written by appends, each append one transaction,
so a killed process leaves every table at its old or its new version and any number of
processes may write at once. Readers see the newest row per key. ``core`` names operations
(``append_commits``, ``record_labels``, ``family_commits`` ...); table names and write
mechanics stay in ``cache/``.

Operations (see each method's docstring):

- commits: ``commits``, ``family_commits``, ``commit_count``, ``commit_counts``, ``has_commits``,
  ``append_commits``, ``move_commits``; file changes: ``file_changes``, ``append_file_changes``
- labels: ``labels``, ``has_labels``, ``record_labels``, ``set_manual_label``,
  ``clear_manual_label``, ``manual_labels``
- families and variants: ``families``, ``variants``, ``upsert_families``, ``upsert_variants``,
  ``rename_families``, ``forget_families``; ``model_cards``, ``upsert_model_cards``
- sync: ``sync_states``, ``record_sync_outcomes``
- the study: ``published``, ``published_family``, ``published_transitions``,
  ``published_variants``, ``has_published``, ``replace_published``
- proposals: ``proposals``, ``record_proposals``
- drift: ``file_histories``, ``record_file_histories``, ``drift_summary``, ``has_drift_summary``,
  ``replace_drift_summary``
- change detection: ``versions``, ``commits_written_at``
- upkeep: ``check``, ``history``, ``restore``, ``restore_at``, ``compact``,
  ``compact_if_worthwhile``, ``leftovers``, ``clean_leftovers``, ``refuse_inside``
- queries: ``collect`` turns damage found while collecting a query into a ``CacheError``
"""

from __future__ import annotations

import datetime as dt

from cache.catalog_ops import CatalogOps
from cache.changes import ChangeDetection
from cache.drift_ops import DriftOps
from cache.files import atomic_write_bytes
from cache.label_ops import LabelOps
from cache.maintenance import Maintenance

__all__ = ["CacheStore", "atomic_write_bytes"]


class CacheStore(CatalogOps, DriftOps, LabelOps, Maintenance, ChangeDetection):
    """The cache: every named read and write ptlm-tui makes, and the cache's upkeep."""

    def is_empty(self) -> bool:
        """True if the cache holds no commits, no families and no published results."""
        return not (self.has_commits() or self.has_published() or self._exists("families"))

    def commits_written_at(self) -> dt.datetime | None:
        """When commits were last written (the app's "cache written" time), or None."""
        return self._written_at("commits")

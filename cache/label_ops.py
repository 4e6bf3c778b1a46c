"""Provides the named operations on labels: the classifiers' labels and the ones a person set.

Classifier labels are keyed by (platform, repo, commit key, source); a re-run appends only the
labels that changed, so labelling a large cache again costs a read, not a rewrite. Hand labels
live in their own small table keyed by (platform, repo, commit key): setting one is a one-row
append, clearing it a tombstone. ``labels()`` returns both, in the labels table's columns.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import polars as pl

from cache.access import TableAccess
from cache.commit_ops import repo_filter
from cache.schema import LABELS, conform

LABELS_TABLE = "labels"
MANUAL_TABLE = "manual_labels"
MANUAL = "manual"
_KEY = ["platform", "repo", "sha", "source"]
# What makes a label different; the time it was given does not.
_COMPARED = [c for c in LABELS if c != "labelled_at"]


class LabelOps(TableAccess):
    """Labels given by the rules, a model or a person."""

    def labels(
        self,
        columns: Sequence[str] | None = None,
        *,
        repos: Iterable[str] | None = None,
        platform: str | None = None,
        source: str | None = None,
    ) -> pl.LazyFrame:
        """Return every label (rule, llm and manual rows; ``core.labels`` picks the winner) as a LazyFrame.

        Args:
            columns: Columns of the labels table (default: all).
            repos: Only labels of commits in these repositories.
            platform: Only ``github`` or ``huggingface``.
            source: Only ``rule``, ``llm`` or ``manual`` labels.
        """
        wanted = list(columns) if columns is not None else list(LABELS)
        where = repo_filter(list(repos) if repos is not None else None, platform)
        parts = []
        if source in (None, MANUAL):
            parts.append(self._live(MANUAL_TABLE, wanted, where))
        if source != MANUAL:
            read = wanted if source is None or "source" in wanted else [*wanted, "source"]
            frame = self._live(LABELS_TABLE, read, where)
            if source is not None:
                frame = frame.filter(pl.col("source") == source).select(wanted)
            parts.append(frame)
        return pl.concat(parts, how="vertical") if len(parts) > 1 else parts[0]

    def has_labels(self) -> bool:
        """True once any label (by a classifier or a person) has been written."""
        return self._exists(LABELS_TABLE) or self._exists(MANUAL_TABLE)

    def record_labels(self, frame: pl.DataFrame, operation: str = "record labels") -> int:
        """Store labels (labels columns); a label with the same key replaces the stored one.

        Labels identical to the stored ones but for ``labelled_at`` are not written again, so
        re-running the rules appends nothing. Rows with source ``manual`` go to the hand labels.

        Returns:
            The number of labels given (written or already stored).
        """
        if frame.height == 0:
            return 0
        rows = conform(frame, LABELS)
        manual = rows.filter(pl.col("source") == MANUAL)
        if manual.height:
            self._append(MANUAL_TABLE, manual, operation)
        rows = rows.filter(pl.col("source").ne_missing(MANUAL)).unique(subset=_KEY, keep="last", maintain_order=True)
        if rows.height == 0:
            return manual.height
        if self._exists(LABELS_TABLE):
            signature = pl.struct(_COMPARED).hash().alias("__signature")
            pairs = rows.select("platform", "repo").unique()
            where = repo_filter(pairs=pairs)
            stored = self.collect(self._live(LABELS_TABLE, _COMPARED, where).select(*_KEY, signature))
            changed = rows.with_columns(signature).join(stored, on=[*_KEY, "__signature"], how="anti")
            changed = changed.drop("__signature")
        else:
            changed = rows
        self._append(LABELS_TABLE, changed, operation, unique=True)
        return rows.height + manual.height

    def set_manual_label(
        self,
        *,
        platform: str,
        repo: str,
        sha: str,
        label: str,
        linked_sha: str | None = None,
        reason: str = "set by hand",
        when: dt.datetime | None = None,
    ) -> None:
        """Record a person's label for one commit (``sha`` is its commit key); it wins from now on."""
        row = pl.DataFrame({"platform": [platform], "repo": [repo], "sha": [sha], "label": [label]})
        self._append(
            MANUAL_TABLE,
            conform(
                row,
                LABELS,
                source=MANUAL,
                confidence=1.0,
                model=MANUAL,
                labelled_at=when or dt.datetime.now(dt.UTC),
                reason=reason,
                linked_sha=linked_sha,
            ),
            "set manual label",
            unique=True,
        )

    def clear_manual_label(self, *, platform: str, repo: str, sha: str) -> bool:
        """Remove a person's label for one commit; True if there was one (the classifiers' shows again)."""
        key = pl.DataFrame({"platform": [platform], "repo": [repo], "sha": [sha]})
        present = self.collect(
            self._live(MANUAL_TABLE, ["platform", "repo", "sha"], repo_filter([repo], platform)).join(
                key.lazy(), on=["platform", "repo", "sha"], how="semi"
            )
        )
        if present.height == 0:
            return False
        self._append(MANUAL_TABLE, pl.DataFrame(schema=LABELS), "clear manual label", tombstones=key)
        return True

    def manual_labels(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Return the labels people set (labels columns, source ``manual``)."""
        return self._read(MANUAL_TABLE, columns)

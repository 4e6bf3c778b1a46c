"""Provides the named operations on the small tables (families, variants, cards, sync state, study, proposals).

These tables hold one row per family, model or repository. Writes are upserts appended as new
rows: a null never erases a stored value (``fill_only`` lets derived rows fill gaps only). The
study's published tables are replaced whole by ``import-study``, each in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cache.commit_ops import CommitOps
from cache.schema import FAMILIES, PROPOSALS, conform


class CatalogOps(CommitOps):
    """Families, variants, cards, sync state, published results, proposals."""

    # -- families and variants -----------------------------------------------------------------

    def families(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Return one row per family (families columns)."""
        return self._read("families", columns)

    def variants(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Return one row per HF model (variants columns); ``family`` is null for models without a link."""
        return self._read("variants", columns)

    def upsert_families(self, frame: pl.DataFrame, *, fill_only: bool = False) -> int:
        """Add or update families (families columns); ``fill_only``: the new values only fill gaps."""
        return self._upsert("families", frame, "upsert families", fill_only=fill_only)

    def upsert_variants(self, frame: pl.DataFrame, *, fill_only: bool = False) -> int:
        """Add or update HF models (variants columns); ``fill_only``: the new values only fill gaps."""
        return self._upsert("variants", frame, "upsert variants", fill_only=fill_only)

    def rename_families(self, renames: dict[str, str]) -> None:
        """Give families new ids everywhere they are named (families, variants, commits, sync state).

        Each table is one append; the commits are appended before the families change name, so
        a crash in between leaves the old names, which the next run renames again.
        """
        if not renames:
            return
        old = pl.Series(list(renames), dtype=pl.String).implode()
        self.rename_family_commits(renames)
        for name in ("sync_state", "variants"):
            rows = self._read(name).filter(pl.col("family").is_in(old))
            self._append(name, rows.with_columns(pl.col("family").replace(renames)), "rename families")
        if self._exists("drift_summary"):  # derived per family: moved under the new name
            rows = self._read("drift_summary").filter(pl.col("family").is_in(old))
            moved = rows.with_columns(pl.col("family").replace(renames))
            self._append("drift_summary", moved, "rename families", tombstones=rows.select("family", "hf_repo"))
        families = self.families().filter(pl.col("family").is_in(old))
        renamed = families.with_columns(pl.col("family").replace(renames))
        self._upsert("families", renamed, "rename families")
        gone = families.select("family").filter(~pl.col("family").is_in(renamed["family"].implode()))
        self._append("families", pl.DataFrame(schema=FAMILIES), "rename families", tombstones=gone)

    def forget_families(self, families: Sequence[str]) -> None:
        """Remove families and everything cached about them (variants, commits, sync state, drift summary)."""
        wanted = pl.Series(list(families), dtype=pl.String).implode()
        for name, key in (
            ("commits", ["platform", "repo", "sha", "authored_at", "title"]),
            ("sync_state", ["platform", "repo"]),
            ("variants", ["model"]),
            ("drift_summary", ["family", "hf_repo"]),
            ("families", ["family"]),
        ):
            if not self._exists(name):
                continue
            gone = self.collect(self._live(name, [*key, "family"]).filter(pl.col("family").is_in(wanted)))
            spec = self._spec(name)
            self._append(name, pl.DataFrame(schema=spec.columns), "forget families", tombstones=gone.select(key))

    # -- model cards ---------------------------------------------------------------------------

    def model_cards(self, models: Sequence[str] | None = None) -> pl.DataFrame:
        """Return the cached model cards (model, sha, card, card_data, fetched_at), all or for ``models``."""
        where = pl.col("model").is_in(pl.Series(list(models), dtype=pl.String).implode()) if models else None
        return self._read("model_cards", where=where)

    def upsert_model_cards(self, frame: pl.DataFrame) -> int:
        """Store model cards just read (model_cards columns), replacing older ones of the same model."""
        return self._upsert("model_cards", frame, "upsert model cards")

    # -- sync outcomes -------------------------------------------------------------------------

    def sync_states(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Return the last sync outcome of every repository sync touched (sync_state columns)."""
        return self._read("sync_state", columns)

    def record_sync_outcomes(self, frame: pl.DataFrame) -> int:
        """Store sync outcomes (sync_state columns).

        Status, detail, hint, last_attempt and retry_after take the new value; a failed attempt
        (null head, last_success, commits) keeps the last successful ones.
        """
        return self._upsert("sync_state", frame, "record sync outcomes")

    # -- the study's published results ---------------------------------------------------------

    def published(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Return the study's published per-family results (empty before import-study)."""
        return self._read("published", columns)

    def has_published(self) -> bool:
        """True once import-study has written the published results."""
        return self._exists("published")

    def published_family(self, family: str) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
        """Return one family's published row, variants and transitions (each possibly empty)."""
        one = pl.col("family") == family
        return (
            self._read("published").filter(one),
            self._read("published_variants").filter(one),
            self._read("published_transitions").filter(one),
        )

    def published_transitions(self) -> pl.DataFrame:
        """Return the study's published transitions."""
        return self._read("published_transitions")

    def published_variants(self) -> pl.DataFrame:
        """Return the study's published per-variant data."""
        return self._read("published_variants")

    def replace_published(self, published: pl.DataFrame, transitions: pl.DataFrame, variants: pl.DataFrame) -> None:
        """Replace the study's published tables (each replaced whole, in one transaction)."""
        self._overwrite("published", published, "import-study")
        self._overwrite("published_transitions", transitions, "import-study")
        self._overwrite("published_variants", variants, "import-study")

    # -- proposals -----------------------------------------------------------------------------

    def proposals(self, columns: Sequence[str] | None = None) -> pl.DataFrame:
        """Return every proposal (proposals columns), newest first."""
        frame = self._read("proposals")
        frame = frame.sort("created_at", descending=True, nulls_last=True)
        return frame.select(columns) if columns is not None else frame

    def record_proposals(self, frame: pl.DataFrame) -> int:
        """Store proposals (proposals columns); a row with a known ``proposal_id`` replaces it whole."""
        if frame.height == 0:
            return 0
        return self._append("proposals", conform(frame, PROPOSALS), "record proposals")

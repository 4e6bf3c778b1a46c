"""Provides the schema of every cache table; one place so readers and writers agree.

Columns are only ever added at the end (FORMATS.md), and CACHE_VERSION changes only when an
existing column changes meaning or type.
"""

from __future__ import annotations

from typing import Final

import polars as pl

CACHE_VERSION: Final = 1

UTC_TIME = pl.Datetime("us", "UTC")

TABLES: Final[dict[str, dict[str, pl.DataType]]] = {
    # One row per commit on either platform; the FORMATS.md commits table plus cache columns.
    "commits": {
        "family": pl.String(),
        "platform": pl.String(),
        "repo": pl.String(),
        "sha": pl.String(),
        "authored_at": UTC_TIME,
        "author": pl.String(),
        "title": pl.String(),
        "message": pl.String(),
        "files": pl.String(),
        "parents": pl.String(),  # space-separated parent ids when known; two or more = merge
        "source": pl.String(),  # import, sync, demo
    },
    # One row per family: the GitHub repository its HF variants link to.
    "families": {
        "family": pl.String(),
        "gh_repo": pl.String(),
        "monorepo": pl.Boolean(),
        "source": pl.String(),  # import, discover, watchlist, demo, study
        "added_at": UTC_TIME,
        "note": pl.String(),
    },
    # One row per HF model (variant) and the family it belongs to.
    "variants": {
        "family": pl.String(),
        "model": pl.String(),
        "downloads": pl.Int64(),
        "likes": pl.Int64(),
        "pipeline_tag": pl.String(),
        "created_at": UTC_TIME,
        "last_modified": UTC_TIME,
        "gh_link": pl.String(),  # owner/repo the variant links to (null: no link found)
        "link_source": pl.String(),  # card, metadata, config, watchlist, import, study
        "gated": pl.String(),
        "added_at": UTC_TIME,
    },
    # One row per labelled commit; see core.classify for the key and the precedence.
    "labels": {
        "platform": pl.String(),
        "repo": pl.String(),
        "sha": pl.String(),
        "label": pl.String(),
        "confidence": pl.Float64(),
        "source": pl.String(),  # rule, llm, manual
        "model": pl.String(),
        "model_digest": pl.String(),
        "prompt_version": pl.String(),
        "options": pl.String(),  # JSON of the generation options
        "labelled_at": UTC_TIME,
        "reason": pl.String(),
        "linked_sha": pl.String(),  # GitHub commit an HF auto-sync commit mirrors
        "input_hash": pl.String(),  # hash of what the classifier saw; a change re-asks
    },
    # One row per repository that sync has touched: its last outcome.
    "sync_state": {
        "platform": pl.String(),
        "repo": pl.String(),
        "family": pl.String(),
        # ok, rate_limited, server_error, timeout, unauthorized, gated, not_found, offline, network, error
        "status": pl.String(),
        "detail": pl.String(),
        "hint": pl.String(),
        "last_attempt": UTC_TIME,
        "last_success": UTC_TIME,
        "head": pl.String(),  # newest known commit id
        "commits": pl.Int64(),
        "retry_after": UTC_TIME,
    },
    # The study's published per-family results (ptlm-tui import-study).
    "published": {
        "family": pl.String(),
        "gh_repo": pl.String(),
        "lag": pl.String(),
        "sync": pl.String(),
        "intensity": pl.String(),
        "code": pl.String(),
        "pattern": pl.String(),
        "generated": pl.String(),
        "variants": pl.Int64(),
        "downloads": pl.Int64(),
        "first_commit": UTC_TIME,
        "last_commit": UTC_TIME,
        "age_days": pl.Float64(),
        "age_group": pl.String(),
        "jaccard": pl.Float64(),
        "early_pattern": pl.String(),
        "late_pattern": pl.String(),
        # Added by import-study; first_commit/last_commit above are the family's first and last
        # HF commit, downloads the sum over its variants, age_days the mean variant age.
        "owner": pl.String(),
        "likes": pl.Int64(),
        "pipeline_tag": pl.String(),
        "library": pl.String(),
        "early_lag": pl.String(),
        "late_lag": pl.String(),
        "early_code": pl.String(),
        "late_code": pl.String(),
        "note": pl.String(),  # what import-study normalised for this family, if anything
    },
    # The study's published transitions (ptlm-tui import-study).
    "published_transitions": {
        "family": pl.String(),
        "source": pl.String(),
        "target": pl.String(),
        "prev_commit": UTC_TIME,
        "next_commit": UTC_TIME,
        "days": pl.Int64(),
    },
    # The study's published per-variant data (complete_dataset.csv), kept apart from the
    # live variants table so that a later sync never overwrites what the study published.
    "published_variants": {
        "family": pl.String(),
        "model": pl.String(),
        "owner": pl.String(),
        "gh_repo": pl.String(),
        "downloads": pl.Int64(),
        "likes": pl.Int64(),
        "pipeline_tag": pl.String(),
        "library": pl.String(),
        "created_at": UTC_TIME,  # first_created
        "last_modified": UTC_TIME,
        "created_day": pl.Date(),  # created_at_main (M/D/YYYY), as published
        "modified_day": pl.Date(),  # last_modified_main (M/D/YYYY), as published
        "first_commit": UTC_TIME,  # first HF commit of the variant
        "last_commit": UTC_TIME,
        "age_days": pl.Float64(),  # age_days_individual_x
        "link_found_automatically": pl.Boolean(),  # has_github: Yes (automatic) / No (by hand)
    },
    # One row per model whose card discovery read: the text, so a second discover re-reads
    # only cards whose repository changed (``sha``), and links can be re-extracted offline.
    "model_cards": {
        "model": pl.String(),
        "sha": pl.String(),  # head commit of the model repo when the card was read
        "card": pl.String(),  # README.md text (cut at 200k characters); null: the repo has none
        "card_data": pl.String(),  # the Hub's parsed card metadata, as JSON
        "fetched_at": UTC_TIME,
    },
}


def empty(name: str) -> pl.DataFrame:
    """Return an empty frame with the schema of table ``name``."""
    return pl.DataFrame(schema=TABLES[name])

"""Published study rows for the app's tests: one family that agrees, one that differs, one study-only."""

from __future__ import annotations

import datetime as dt

import polars as pl

from cache.schema import TABLES
from cache.store import CacheStore

T = dt.datetime(2021, 3, 1, tzinfo=dt.UTC)


def write_published(store: CacheStore) -> None:
    """Write the published tables: acme_bert agrees (PSR), zeta_gpt differs (PSS), orbit_lm has no commits."""
    published = pl.DataFrame(
        [
            {
                "family": "acme_bert",
                "lag": "GitHub First",
                "sync": "PS",
                "intensity": "R",
                "code": "PSR",
                "pattern": "Sparse",
                "generated": "manual",
                "variants": 2,
                "age_days": 200.0,
                "age_group": "Recent",
                "jaccard": 0.5,
            },
            {
                "family": "zeta_gpt",
                "lag": "GitHub First",
                "sync": "PS",
                "intensity": "S",
                "code": "PSS",
                "pattern": "Disperse",
                "generated": "automatic",
                "variants": 3,
            },
            {
                "family": "orbit_lm",
                "lag": "Simultaneous",
                "sync": "CS",
                "intensity": "F",
                "code": "CSF",
                "pattern": "Frequent",
                "generated": "automatic",
                "variants": 1,
                "note": "name kept as published",
            },
        ],
        schema_overrides=TABLES["published"],
    )
    published = _fill(published, "published")
    variants = pl.DataFrame(
        {
            "family": ["orbit_lm"],
            "model": ["orbit/lm-7b"],
            "downloads": [12345],
            "first_commit": [T],
            "last_commit": [T + dt.timedelta(days=90)],
        },
    )
    variants = _fill(variants, "published_variants")
    transitions = pl.DataFrame(
        {
            "family": ["orbit_lm", "orbit_lm"],
            "source": ["GH", "HF"],
            "target": ["HF", "GH"],
            "prev_commit": [T, T + dt.timedelta(days=3)],
            "next_commit": [T + dt.timedelta(days=3), T + dt.timedelta(days=5)],
            "days": [3, 2],
        },
    )
    store.replace_published(published, _fill(transitions, "published_transitions"), variants)
    families = pl.DataFrame({"family": ["orbit_lm"], "gh_repo": ["orbit/lm"], "source": ["study"]})
    store.upsert_families(_fill(families, "families"))


def _fill(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    schema = TABLES[table]
    return (
        frame.with_columns([pl.lit(None, dtype=d).alias(c) for c, d in schema.items() if c not in frame.columns])
        .select(list(schema))
        .cast(schema)  # type: ignore[arg-type]
    )

"""The analysis codes family and repo once: codes in order of first appearance, names back exactly."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from core.analysis.coding import code_events


def _frame(families: list[str | None], repos: list[str | None]) -> pl.DataFrame:
    return pl.DataFrame(
        {"family": families, "repo": repos, "n": list(range(len(families)))},
        schema={"family": pl.String, "repo": pl.String, "n": pl.Int64},
    )


def test_codes_follow_first_appearance_whatever_was_coded_before() -> None:
    pl.Series(["zeta", "alpha", "org/x"]).cast(pl.Categorical)  # earlier coding in the process
    coded = code_events(_frame(["b", "b", "a", "b"], ["o/y", "o/x", "o/y", None]).lazy(), ["family", "repo"])
    assert coded.frame["family"].to_list() == [0, 0, 1, 0]
    assert coded.frame["repo"].to_list() == [0, 1, 0, None]  # a null stays null
    back = coded.decode(coded.frame, {"family": ["family"], "repo": ["repo"]})
    assert back.select("family", "repo").rows() == [("b", "o/y"), ("b", "o/x"), ("a", "o/y"), ("b", None)]


def test_an_empty_or_all_null_column_is_coded_too() -> None:
    empty = code_events(_frame([], []).lazy(), ["family", "repo"])
    assert empty.frame.schema["family"] == pl.UInt32 and empty.frame.height == 0
    nulls = code_events(_frame([None, None], ["o/a", "o/a"]).lazy(), ["family", "repo"])
    assert nulls.frame["family"].to_list() == [None, None] and nulls.frame["repo"].to_list() == [0, 0]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["f1", "f2", None]), st.sampled_from(["o/a", "o/b", None])), max_size=30))
def test_decoding_gives_back_every_row(rows: list[tuple[str | None, str | None]]) -> None:
    frame = _frame([f for f, _ in rows], [r for _, r in rows])
    coded = code_events(frame.lazy(), ["family", "repo"])
    first_seen = list(dict.fromkeys(f for f, _ in rows if f is not None))
    assert coded.frame["family"].to_list() == [None if f is None else first_seen.index(f) for f, _ in rows]
    assert coded.decode(coded.frame, {"family": ["family"], "repo": ["repo"]}).equals(frame)

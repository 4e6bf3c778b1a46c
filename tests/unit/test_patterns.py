"""Every branch of every rule of METHOD.md §3, with the edges the study's definitions hinge on."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from core.analysis.events import commit_events
from core.analysis.patterns import STATUS_NO_GH, STATUS_NO_HF, STATUS_OK, compute_patterns
from core.commits import parse_commit_rows
from tests.helpers import T0, commit, commits_frame, days, gh, hf


def verdict(rows: list[dict[str, object]], *, truncate: bool = True, bin_days: int = 14) -> dict[str, object]:
    frame = commits_frame(rows)
    result = compute_patterns(commit_events(frame.lazy(), truncate_hf_to_day=truncate), bin_days)
    assert result.height == 1
    return result.row(0, named=True)


def bins_of(rows: list[dict[str, object]], truncate: bool = True) -> list[int]:
    from core.analysis.patterns import bin_events

    events = commit_events(commits_frame(rows).lazy(), truncate_hf_to_day=truncate)
    return bin_events(events, 14).sort("t").collect()["bin"].to_list()


# -- the 14-day grid -------------------------------------------------------------------------


def test_exactly_14_days_after_origin_is_bin_1() -> None:
    assert bins_of([gh("f", T0), gh("f", T0 + days(14))]) == [0, 1]


def test_14_days_minus_one_second_is_still_bin_0() -> None:
    assert bins_of([gh("f", T0), gh("f", T0 + days(14) - dt.timedelta(seconds=1))]) == [0, 0]


def test_bins_count_whole_days_only() -> None:
    # 27 days 23 h is 27 whole days: bin 1; 28 days is bin 2.
    rows = [gh("f", T0), gh("f", T0 + days(28) - dt.timedelta(hours=1)), gh("f", T0 + days(28))]
    assert bins_of(rows) == [0, 1, 2]


def test_origin_is_earliest_commit_on_either_platform() -> None:
    rows = [hf("f", T0 - days(20)), gh("f", T0)]
    # HF day 2021-12-12 is the origin; the GH commit 20.5 days later falls in bin 1.
    assert bins_of(rows) == [0, 1]


def test_hf_times_are_truncated_to_the_utc_day() -> None:
    # GH at 12:00; HF 14 days and 1 hour later is bin 1 with full times, bin 0 once cut to its day.
    rows = [gh("f", T0), hf("f", T0 + days(14) + dt.timedelta(hours=1))]
    assert bins_of(rows, truncate=True) == [0, 0]
    assert bins_of(rows, truncate=False) == [0, 1]
    assert verdict(rows, truncate=True)["lag"] == "Simultaneous"
    assert verdict(rows, truncate=False)["lag"] == "GitHub First"


def test_gh_times_are_never_truncated() -> None:
    rows = [hf("f", T0), gh("f", T0 + days(14) - dt.timedelta(hours=13))]
    # HF origin is the day 2022-01-01 00:00; GH at 2022-01-14 23:00 is 13 days 23 h later: bin 0.
    assert bins_of(rows) == [0, 0]


def test_a_zone_can_move_a_commit_across_the_utc_day() -> None:
    raw = pl.DataFrame(
        {
            "family": ["f", "f"],
            "platform": ["github", "huggingface"],
            "repo": ["org/code", "org/model"],
            "sha": ["a", "b"],
            # 23:30 at -02:00 is 01:30 UTC the next day; the HF day is the UTC day.
            "authored_at": ["2022-01-01T12:00:00Z", "2022-01-14T23:30:00-02:00"],
        }
    )
    parsed = parse_commit_rows(raw)
    assert parsed.rejected.is_empty()
    when = parsed.good["authored_at"].to_list()[1]
    assert when == dt.datetime(2022, 1, 15, 1, 30, tzinfo=dt.UTC)
    events = commit_events(parsed.good.lazy()).collect()
    assert events["t"].to_list()[1] == dt.datetime(2022, 1, 15, tzinfo=dt.UTC)
    # 2022-01-15 00:00 is 13.5 days after 2022-01-01 12:00: bin 0, so both platforms share bin 0.
    assert compute_patterns(events.lazy())["lag"].to_list() == ["Simultaneous"]


# -- lag -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rows", "lag"),
    [
        ([gh("f", T0), hf("f", T0 + days(3))], "Simultaneous"),
        ([gh("f", T0), hf("f", T0 + days(15))], "GitHub First"),
        ([hf("f", T0), gh("f", T0 + days(15))], "Hugging Face First"),
        ([hf("f", T0), gh("f", T0 + days(13))], "Simultaneous"),
    ],
)
def test_lag_is_decided_by_the_first_bin_only(rows: list[dict[str, object]], lag: str) -> None:
    assert verdict(rows)["lag"] == lag


def test_lag_has_no_day_threshold() -> None:
    # One GH commit 13 days before HF still makes the first bin shared: Simultaneous, not GitHub First.
    assert verdict([gh("f", T0), hf("f", T0 + days(13) + dt.timedelta(hours=11))])["lag"] == "Simultaneous"


# -- synchronization type --------------------------------------------------------------------


def test_cs_when_every_variant_bin_is_a_gh_bin() -> None:
    rows = [gh("f", T0 + days(14 * b)) for b in (0, 1, 2)]
    rows += [hf("f", T0 + days(1), "o/a"), hf("f", T0 + days(29), "o/b")]
    assert verdict(rows)["sync"] == "CS"


def test_ps_when_some_but_not_all_variant_bins_meet_gh() -> None:
    rows = [gh("f", T0), hf("f", T0 + days(1), "o/a"), hf("f", T0 + days(40), "o/a")]
    result = verdict(rows)
    assert (result["sync"], result["shared_bins"], result["hf_bins_outside"]) == ("PS", 1, 1)


def test_ps_counts_overlap_of_the_union_of_variants() -> None:
    # Variant a shares bin 0, variant b is entirely outside: not CS (b), but PS (a overlaps).
    rows = [gh("f", T0), hf("f", T0 + days(1), "o/a"), hf("f", T0 + days(60), "o/b")]
    assert verdict(rows)["sync"] == "PS"


def _variant_driven(busy_bins: int) -> list[dict[str, object]]:
    rows = [gh("f", T0)]
    for b in range(1, busy_bins + 1):
        for v in ("o/a", "o/b", "o/c"):
            rows.append(hf("f", T0 + days(14 * b * 2), v))
    return rows


def test_vs_with_exactly_three_busy_bins() -> None:
    result = verdict(_variant_driven(3))
    assert (result["sync"], result["busy_bins"]) == ("VS", 3)


def test_two_busy_bins_are_not_vs_but_as() -> None:
    result = verdict(_variant_driven(2))
    assert (result["sync"], result["busy_bins"]) == ("AS", 2)


def test_a_busy_bin_needs_three_distinct_variants() -> None:
    rows = [gh("f", T0)]
    for b in (2, 4, 6):
        rows += [
            hf("f", T0 + days(14 * b), "o/a"),
            hf("f", T0 + days(14 * b) + days(1), "o/a"),
            hf("f", T0 + days(14 * b), "o/b"),
        ]
    assert verdict(rows)["sync"] == "AS"


def test_vs_is_only_tested_without_overlap() -> None:
    rows = _variant_driven(3) + [hf("f", T0 + days(1), "o/a")]
    assert verdict(rows)["sync"] == "PS"


# -- intensity -------------------------------------------------------------------------------


def _hf_bins(n: int, variant: str = "o/a") -> list[dict[str, object]]:
    # +1 day: HF days are truncated, so a commit at exactly 14 days would fall back into bin 0.
    return [hf("f", T0 + days(14 * (2 * b + 1) + 1), variant) for b in range(n)]


def test_three_hf_bins_are_rare() -> None:
    result = verdict([gh("f", T0)] + _hf_bins(3))
    assert (result["intensity"], result["max_variant_bins"]) == ("R", 3)


def test_four_hf_bins_are_not_rare() -> None:
    result = verdict([gh("f", T0)] + _hf_bins(4))
    assert (result["intensity"], result["max_variant_bins"]) == ("S", 4)


def test_rare_is_per_variant_not_per_family() -> None:
    # Two variants with 3 bins each: 6 HF bins in the family, yet every variant has ≤ 3.
    rows = [gh("f", T0)] + _hf_bins(3, "o/a") + [hf("f", T0 + days(14 * 2 * b + 2), "o/b") for b in (1, 2, 3)]
    result = verdict(rows)
    assert (result["intensity"], result["hf_bins"]) == ("R", 6)


def test_rare_ignores_gh_activity() -> None:
    rows = [gh("f", T0 + days(14 * b)) for b in range(20)] + _hf_bins(2)
    assert verdict(rows)["intensity"] == "R"


def _shared_run(bins: list[int], extra_hf_bins: list[int] = ()) -> list[dict[str, object]]:  # type: ignore[assignment]
    rows = [gh("f", T0 + days(14 * b)) for b in bins]
    rows += [hf("f", T0 + days(14 * b + 1)) for b in bins]
    rows += [hf("f", T0 + days(14 * b + 1)) for b in extra_hf_bins]
    return rows


def test_a_run_of_five_shared_bins_is_frequent() -> None:
    result = verdict(_shared_run([0, 1, 2, 3, 4]))
    assert (result["code"], result["pattern"], result["longest_shared_run"]) == ("CSF", "Frequent", 5)


def test_a_run_of_four_shared_bins_is_not_frequent() -> None:
    result = verdict(_shared_run([0, 1, 2, 3]))
    assert (result["code"], result["pattern"], result["longest_shared_run"]) == ("CSS", "Intermittent", 4)


def test_a_run_broken_by_a_gap_is_not_frequent() -> None:
    # Nine shared bins, but the longest consecutive run is 4 (0-3), then a gap at 4, then 5-8... is 4 too.
    result = verdict(_shared_run([0, 1, 2, 3, 5, 6, 7, 8]))
    assert (result["intensity"], result["longest_shared_run"]) == ("S", 4)


def test_run_needs_gh_activity_in_every_bin() -> None:
    # HF is active in bins 0-5 but GH skips bin 2: shared runs are 0-1 and 3-5.
    rows = [gh("f", T0 + days(14 * b)) for b in (0, 1, 3, 4, 5)]
    rows += [hf("f", T0 + days(14 * b + 1)) for b in range(6)]
    result = verdict(rows)
    assert (result["code"], result["longest_shared_run"]) == ("PSS", 3)


def test_run_must_belong_to_a_single_variant() -> None:
    # Bins 0-4 shared, but alternating between two variants: no single variant has a run of 5.
    rows = [gh("f", T0 + days(14 * b)) for b in range(5)]
    rows += [hf("f", T0 + days(14 * b + 1), "o/a" if b % 2 else "o/b") for b in range(5)]
    rows += [hf("f", T0 + days(14 * b + 2), "o/a" if b % 2 else "o/b") for b in range(5)]
    rows += [hf("f", T0 + days(14 * 9), "o/a"), hf("f", T0 + days(14 * 11), "o/a")]
    result = verdict(rows)
    assert result["intensity"] == "S"
    assert result["longest_shared_run"] == 1


def test_partial_with_a_run_of_five_is_dense() -> None:
    result = verdict(_shared_run([0, 1, 2, 3, 4], extra_hf_bins=[9]))
    assert (result["code"], result["pattern"]) == ("PSF", "Dense")


@pytest.mark.parametrize(
    ("code", "pattern"),
    [("PSS", "Disperse"), ("PSR", "Sparse"), ("CSR", "Rare"), ("ASS", "Sporadic Disjoint"), ("ASR", "Rare Disjoint")],
)
def test_pattern_names(code: str, pattern: str) -> None:
    rows: list[dict[str, object]] = [gh("f", T0)]
    if code.startswith("PS"):
        rows.append(hf("f", T0 + days(1)))
        rows += _hf_bins(4 if code.endswith("S") else 2)
    elif code.startswith("CS"):
        rows += [gh("f", T0 + days(14)), hf("f", T0 + days(15))]
    else:
        rows += _hf_bins(4 if code.endswith("S") else 2)
    result = verdict(rows)
    assert (result["code"], result["pattern"]) == (code, pattern)


# -- commits that count, and families that cannot be judged ----------------------------------


def test_merge_commits_are_counted() -> None:
    merge = commit("f", "github", "org/code", T0 + days(14 * 3 + 2), title="Merge pull request #7", files="")
    merge["parents"] = "a" * 40 + " " + "b" * 40
    rows = [gh("f", T0), merge, hf("f", T0 + days(14 * 3 + 3))]
    result = verdict(rows)
    assert (result["gh_commits"], result["gh_bins"], result["sync"]) == (2, 2, "CS")


def test_a_family_without_hf_commits_gets_a_row_but_no_pattern() -> None:
    result = verdict([gh("f", T0), gh("f", T0 + days(30))])
    assert result["status"] == STATUS_NO_HF
    assert (result["lag"], result["sync"], result["intensity"], result["code"], result["pattern"]) == (None,) * 5


def test_a_family_without_gh_commits_gets_a_row_but_no_pattern() -> None:
    result = verdict([hf("f", T0), hf("f", T0 + days(30))])
    assert result["status"] == STATUS_NO_GH
    assert result["pattern"] is None


def test_families_are_judged_independently_in_one_pass() -> None:
    rows = [gh("a", T0), hf("a", T0 + days(1)), hf("b", T0 - days(400)), gh("b", T0 + days(100))]
    frame = commits_frame(rows)
    result = compute_patterns(commit_events(frame.lazy()))
    assert result.select("family", "lag", "status").rows() == [
        ("a", "Simultaneous", STATUS_OK),
        ("b", "Hugging Face First", STATUS_OK),
    ]


def test_bin_length_is_a_setting() -> None:
    rows = [gh("f", T0), hf("f", T0 + days(10))]
    assert verdict(rows, bin_days=14)["lag"] == "Simultaneous"
    assert verdict(rows, bin_days=7)["lag"] == "GitHub First"

"""Provides plan_family(): the active 14-day bins of a demo family, chosen so its verdict is known in advance.

The study's rules (docs/method.md §3) only look at which bins are active on each side, so the demo
first decides those bins and only then writes commits into them. Each rule is satisfied by
construction:

* lag: bin 0 holds GitHub only (GitHub First), both (Simultaneous) or HF only (HF First);
* CS: every variant bin is a GitHub bin; PS: the lead variant has bins inside and outside;
  AS/VS: no variant bin is a GitHub bin, and VS adds ≥ 3 "batch" bins with ≥ 3 variants
  while AS never lets more than two variants share a bin;
* R: every variant has ≤ 3 bins; F: the lead variant shares a run of ≥ 5 consecutive bins
  with GitHub; S: the lead variant has ≥ 4 bins and shared bins are never adjacent, so no run
  reaches 5.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from core.demo.spec import GF, HFF, SIM, FamilySpec

RUN_LENGTH = 6  # the lead variant's shared run in F families (the rule needs ≥ 5)
BATCH_BINS = 3  # bins with ≥ 3 variants in VS families (the rule needs ≥ 3)


@dataclass(frozen=True)
class Plan:
    """Active bins of one family: GitHub's and each variant's (same order as the spec's variants)."""

    gh_bins: frozenset[int]
    variant_bins: tuple[tuple[int, ...], ...]
    gh_start: int  # first GitHub bin


def _gh_bins(spec: FamilySpec, rng: random.Random) -> tuple[set[int], int]:
    """Return GitHub's active bins as runs of activity separated by quiet gaps."""
    span = spec.span
    disjoint = spec.sync in ("AS", "VS")
    start = 0
    if spec.lag == HFF:  # the Hub opens the family; GitHub follows a few bins later, or much later
        start = span // 3 + rng.randint(0, 5) if disjoint else rng.randint(3, 7)
    # Disjoint families leave GitHub quiet for long stretches, where the Hub is active.
    end = span if not disjoint or spec.lag == HFF else span // 2 + rng.randint(0, 6)
    bins: set[int] = set()
    pos = start
    first = True
    while pos < end:
        if first and spec.intensity == "F":
            length = RUN_LENGTH + 2 + rng.randint(0, 3)  # room for the lead variant's run
        elif first:
            length = rng.randint(2, 5)
        else:
            length = rng.randint(1, 5)
        bins.update(range(pos, min(pos + length, end)))
        pos += length + (rng.randint(2, 6) if disjoint else rng.randint(1, 4))
        first = False
    return bins, start


def _spaced(pool: Iterable[int], k: int, rng: random.Random, must: Iterable[int] = ()) -> set[int]:
    """Pick up to ``k`` bins from ``pool`` (plus ``must``) with no two adjacent."""
    chosen = set(must)
    candidates = sorted(set(pool) - chosen)
    rng.shuffle(candidates)
    for b in candidates:
        if len(chosen) >= k:
            break
        if b - 1 not in chosen and b + 1 not in chosen:
            chosen.add(b)
    return chosen


def _capped(
    pool: Iterable[int], k: int, rng: random.Random, usage: Counter[int], cap: int = 2, must: Iterable[int] = ()
) -> set[int]:
    """Pick up to ``k`` bins used by fewer than ``cap`` variants so far (keeps AS from turning VS)."""
    chosen = set(must)
    candidates = sorted(b for b in set(pool) - chosen if usage[b] < cap)
    rng.shuffle(candidates)
    chosen.update(candidates[: max(0, k - len(chosen))])
    usage.update(chosen)
    return chosen


def _counts(spec: FamilySpec, rng: random.Random) -> list[int]:
    """Number of active bins per variant, by intensity; the lead variant is the busiest."""
    n = len(spec.variants)
    if spec.intensity == "R":
        lead = 2 if spec.sync == "PS" else rng.randint(1, 3)
        return [lead] + [rng.randint(1, 3) for _ in range(n - 1)]
    if spec.intensity == "S":
        return [rng.randint(5, 8)] + [rng.randint(1, 6) for _ in range(n - 1)]
    return [RUN_LENGTH] + [rng.randint(1, 4) for _ in range(n - 1)]


def plan_family(spec: FamilySpec, rng: random.Random) -> Plan:
    """Return the active bins of ``spec``'s family, meeting its intended lag, type and intensity."""
    if (spec.sync == "CS" and spec.lag == HFF) or (spec.sync in ("AS", "VS") and spec.lag == SIM):
        raise ValueError(f"{spec.family}: {spec.code} cannot have lag {spec.lag}")
    gh, gh_start = _gh_bins(spec, rng)
    span = range(spec.span)
    inside = sorted(b for b in gh if not (spec.lag == GF and b == 0))
    outside = sorted(set(span) - gh)
    counts = _counts(spec, rng)
    lead_must = {0} if spec.lag in (SIM, HFF) else set()
    variants: list[set[int]] = []

    if spec.sync in ("CS", "PS"):
        for i, k in enumerate(counts):
            must = lead_must if i == 0 else set()
            if i == 0 and spec.intensity == "F":
                first = 0 if spec.lag == SIM else gh_start + (1 if spec.lag == GF else 0)
                chosen = set(range(first, first + RUN_LENGTH)) | must
                if spec.sync == "PS":
                    chosen |= set(rng.sample([b for b in outside if b > 0], 1))
            elif spec.sync == "CS":
                chosen = _spaced(inside, k, rng, must)
            elif i == 0:
                # The lead variant of a PS family has bins inside and outside GitHub's.
                n_out = max(1, k // 2)
                chosen = _spaced(inside, k - n_out, rng, must & gh) | _spaced(outside, n_out, rng, must - gh)
                if not chosen & gh:
                    chosen |= _spaced(inside, 1, rng)
            else:
                n_in = rng.randint(0, k)
                chosen = _spaced(inside, n_in, rng) | _spaced(outside, k - n_in, rng)
            variants.append(chosen)
    else:
        usage: Counter[int] = Counter()
        batch: set[int] = set()
        members = 0
        if spec.sync == "VS":
            # Batch uploads: several variants released in the same fortnight, three times.
            pool = [b for b in outside if b != 0]
            batch = set(lead_must) | set(rng.sample(pool, BATCH_BINS - len(lead_must)))
            members = max(3, len(counts) - 1)
        for i, k in enumerate(counts):
            if i < members:
                extra = rng.randint(1, 3) if (i == 0 and spec.intensity == "S") else 0
                chosen = batch | _capped([b for b in outside if b not in batch], extra, rng, usage)
            else:
                must = lead_must if i == 0 else set()
                chosen = _capped(outside, k, rng, usage, must=must)
            variants.append(chosen)
    return Plan(frozenset(gh), tuple(tuple(sorted(v)) for v in variants), gh_start)

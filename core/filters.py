"""Provides the families filter language: parse what the user types after ``/`` into a polars expression.

Words are ANDed. A bare word matches the family id, its GitHub repository or a variant's
model id (case-insensitive substring). ``field:value`` narrows by a column::

    pattern:disperse   pattern name (exact, else prefix: ``pattern:rare`` is Rare, ``pattern:rare-d``
                       Rare Disjoint) or code (``pattern:pss``)
    code:PS            pattern code prefix (PSS, PSR, PSF)
    lag:gh|hf|sim      who moved first
    step:yes|partly|no in step with GitHub (complete, partial, or no overlap; core.models.IN_STEP)
    sync:CS  intensity:R   the two halves of the code
    stale:>90d         days since the last commit on either side (d, w, m = 30 d, y = 365 d)
    handoff:>30d       days since Hugging Face last followed GitHub
    synced:>7d         days since the family's last successful sync (never synced counts as old)
    variants:>5  gh:>100  hf:<10   counts (variants, GitHub and Hugging Face commits)
    repo:google  family:bert   substring of one column
    status:ok|no-hf|no-gh|none   families with or without a verdict
    study:disperse     the study's published pattern (after ``ptlm-tui import-study``)
    agree:yes|no       our pattern and lag equal the study's (families with both)
    behind:>0          GitHub commits the most-behind variant lacks (docs/method.md §8.1)
    files:>0           HF files behind or diverged from their GitHub version, all variants (§8.2)
    drift:behind       families with an HF file in that state: behind, diverged, ahead; sync (every
                       linked file in sync), never (a variant never updated), unknown (no file history)

A leading ``-`` negates a word (``-pattern:rare``); quotes keep spaces (``"sporadic disjoint"``).
Numbers take ``>``, ``>=``, ``<``, ``<=``, ``=`` (default ``=``) or a range ``a..b``.
A bad word raises ``InputError`` naming the word and what would work.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from cache.schema import UTC_TIME
from core.analysis.patterns import STATUS_NO_GH, STATUS_NO_HF, STATUS_OK
from core.errors import InputError
from core.models import (
    GITHUB_FIRST,
    HUGGINGFACE_FIRST,
    INTENSITIES,
    PATTERN_BY_CODE,
    PATTERNS,
    SIMULTANEOUS,
    SYNC_TYPES,
)

_NUMBER = re.compile(r"^(?P<op>>=|<=|>|<|=)?(?P<num>\d+(?:\.\d+)?)(?P<unit>[a-z]*)$")
_RANGE = re.compile(r"^(?P<lo>\d+(?:\.\d+)?)(?P<lo_unit>[a-z]*)\.\.(?P<hi>\d+(?:\.\d+)?)(?P<hi_unit>[a-z]*)$")
_DAY_UNITS = {"": 1, "d": 1, "w": 7, "m": 30, "y": 365}
_LAGS = {
    "gh": GITHUB_FIRST,
    "github": GITHUB_FIRST,
    "hf": HUGGINGFACE_FIRST,
    "huggingface": HUGGINGFACE_FIRST,
    "sim": SIMULTANEOUS,
    "simultaneous": SIMULTANEOUS,
    "both": SIMULTANEOUS,
}
_STATUSES = {"ok": [STATUS_OK], "no-hf": [STATUS_NO_HF], "no-gh": [STATUS_NO_GH]}
_STEPS = {"yes": ["CS"], "partly": ["PS"], "no": ["AS", "VS"]}  # core.models.IN_STEP, by answer


@dataclass(frozen=True)
class FilterField:
    """One ``field:value`` word: what it filters and how its value is read."""

    name: str
    help: str
    build: Callable[[str, str], pl.Expr]  # (value, word) -> expression


def _bad(word: str, why: str, hint: str) -> InputError:
    return InputError(f"Bad filter '{word}'", why, hint)


def _text_match(columns: tuple[str, ...]) -> Callable[[str, str], pl.Expr]:
    def build(value: str, word: str) -> pl.Expr:
        needle = value.lower()
        parts = [pl.col(c).fill_null("").str.to_lowercase().str.contains(needle, literal=True) for c in columns]
        expr = parts[0]
        for part in parts[1:]:
            expr = expr | part
        return expr

    return build


def _number(column: str, *, days: bool) -> Callable[[str, str], pl.Expr]:
    example = f"{column}:>90d" if days else f"{column}:>5"

    def parse(num: str, unit: str, word: str) -> float:
        if days:
            if unit not in _DAY_UNITS:
                raise _bad(word, f"unknown unit '{unit}'", f"use d, w, m or y, e.g. {example}")
            return float(num) * _DAY_UNITS[unit]
        if unit:
            raise _bad(word, f"'{column}' takes a plain number", f"e.g. {example}")
        return float(num)

    def build(value: str, word: str) -> pl.Expr:
        col = pl.col(column)
        text = value.replace(" ", "").lower()
        if ranged := _RANGE.match(text):
            lo = parse(ranged["lo"], ranged["lo_unit"], word)
            hi = parse(ranged["hi"], ranged["hi_unit"], word)
            return col.is_between(lo, hi).fill_null(False)
        match = _NUMBER.match(text)
        if not match:
            raise _bad(word, f"'{value}' is not a number", f"e.g. {example}, {column}:<=10 or {column}:3..8")
        number = parse(match["num"], match["unit"], word)
        op = match["op"] or "="
        compare = {">": col > number, ">=": col >= number, "<": col < number, "<=": col <= number, "=": col == number}
        return compare[op].fill_null(False)

    return build


def _choice(column: str, choices: dict[str, list[str]], what: str) -> Callable[[str, str], pl.Expr]:
    def build(value: str, word: str) -> pl.Expr:
        key = value.lower()
        wanted = choices.get(key) or [v for k, vals in choices.items() if k.startswith(key) for v in vals]
        if not key or not wanted:
            raise _bad(word, f"unknown {what} '{value}'", "use one of " + ", ".join(sorted(choices)))
        return pl.col(column).is_in(sorted(set(wanted))).fill_null(False)

    return build


def _pattern_in(pattern_column: str, code_column: str) -> Callable[[str, str], pl.Expr]:
    def build(value: str, word: str) -> pl.Expr:
        key = " ".join(value.lower().replace("-", " ").replace("_", " ").split())
        names = [p for p in PATTERNS if p.lower() == key] or [p for p in PATTERNS if p.lower().startswith(key)]
        codes = [c for c in PATTERN_BY_CODE if c.lower() == key.replace(" ", "")]
        if not key or not (names or codes):
            close = difflib.get_close_matches(key, [p.lower() for p in PATTERNS], n=1)
            hint = f"did you mean '{close[0]}'?" if close else "patterns: " + ", ".join(p.lower() for p in PATTERNS)
            raise _bad(word, f"unknown pattern '{value}'", hint)
        return (pl.col(pattern_column).is_in(names) | pl.col(code_column).is_in(codes)).fill_null(False)

    return build


_pattern = _pattern_in("pattern", "code")


def _agree(value: str, word: str) -> pl.Expr:
    key = value.lower()
    if key in ("yes", "y", "true"):
        return pl.col("study_agrees").fill_null(False)
    if key in ("no", "n", "false"):
        return (~pl.col("study_agrees")).fill_null(False)
    raise _bad(word, f"'{value}' is not yes or no", "agree:yes or agree:no (families with a published verdict)")


def _code(value: str, word: str) -> pl.Expr:
    key = value.upper()
    if not key or not any(code.startswith(key) for code in PATTERN_BY_CODE):
        raise _bad(word, f"no pattern code starts with '{value}'", "codes: " + ", ".join(sorted(PATTERN_BY_CODE)))
    return pl.col("code").fill_null("").str.starts_with(key)


def _status(value: str, word: str) -> pl.Expr:
    key = value.lower()
    if key == "none":
        return pl.col("pattern").is_null()
    return _choice("status", _STATUSES, "status")(value, word)


# drift:VALUE, by the families' HF files (docs/method.md §8.2) and variants (§8.1).
_DRIFT: dict[str, Callable[[], pl.Expr]] = {
    "behind": lambda: pl.col("files_behind") > 0,  # an HF file holds an older GitHub version
    "diverged": lambda: pl.col("files_diverged") > 0,  # both sides changed a file since they shared it
    "ahead": lambda: pl.col("files_ahead") > 0,  # HF changed a file GitHub still has the old version of
    "sync": lambda: (pl.col("files_linked") > 0) & (pl.col("files_in_sync") == pl.col("files_linked")),
    "never": lambda: pl.col("never_updated") > 0,  # a variant without any HF commit
    "unknown": lambda: pl.col("files").is_null(),  # no file history cached (sync it)
}


def _drift(value: str, word: str) -> pl.Expr:
    key = value.lower().replace("_", "-").removeprefix("hf-").removeprefix("in-")
    found = [name for name in _DRIFT if name == key] or [name for name in _DRIFT if name.startswith(key)]
    if not key or len(found) != 1:
        close = difflib.get_close_matches(key, list(_DRIFT), n=1)
        hint = f"did you mean '{close[0]}'?" if close else "use one of " + ", ".join(_DRIFT)
        raise _bad(word, f"unknown drift state '{value}'", hint)
    expr = _DRIFT[found[0]]()
    return expr if found[0] == "unknown" else expr.fill_null(False)


def _fields() -> dict[str, FilterField]:
    fields = [
        FilterField("pattern", "pattern name or code (prefix)", _pattern),
        FilterField("code", "pattern code prefix, e.g. PS", _code),
        FilterField("lag", "gh, hf or sim", _choice("lag", {k: [v] for k, v in _LAGS.items()}, "lag")),
        FilterField("step", "in step: yes, partly or no", _choice("sync", _STEPS, "answer")),
        FilterField("sync", "CS, PS, VS or AS", _choice("sync", {s.lower(): [s] for s in SYNC_TYPES}, "sync type")),
        FilterField("intensity", "R, S or F", _choice("intensity", {i.lower(): [i] for i in INTENSITIES}, "intensity")),
        FilterField("stale", "days since the last commit, e.g. >90d", _number("idle_days", days=True)),
        FilterField("handoff", "days since HF last followed GH, e.g. >30d", _number("handoff_days", days=True)),
        FilterField("synced", "days since the last sync, e.g. >7d", _number("synced_days", days=True)),
        FilterField("variants", "number of HF variants, e.g. >5", _number("variants", days=False)),
        FilterField("gh", "number of GitHub commits", _number("gh_commits", days=False)),
        FilterField("hf", "number of Hugging Face commits", _number("hf_commits", days=False)),
        FilterField("repo", "GitHub repository substring", _text_match(("gh_repo",))),
        FilterField("family", "family id substring", _text_match(("family",))),
        FilterField("model", "variant model id substring", _text_match(("models",))),
        FilterField("status", "ok, no-hf, no-gh or none", _status),
        FilterField(
            "study", "the study's published pattern (after import-study)", _pattern_in("study_pattern", "study_code")
        ),
        FilterField("agree", "yes/no: our verdict equals the study's", _agree),
        FilterField("behind", "GitHub commits the most-behind variant lacks, e.g. >0", _number("behind", days=False)),
        FilterField("files", "HF files behind or diverged (all variants), e.g. >0", _number("files", days=False)),
        FilterField("drift", "behind, diverged, ahead, sync, never or unknown", _drift),
    ]
    return {f.name: f for f in fields}


FIELDS = _fields()
SEARCH_COLUMN = "search"
_FREE_TEXT_COLUMNS = ("family", "gh_repo", "models")


def search_column(view: pl.DataFrame) -> pl.DataFrame:
    """Return ``view`` with a lower-cased ``search`` column of the names free text matches.

    Computed once per view, so a keystroke is one substring scan of one column instead of
    lower-casing three columns again.
    """
    parts = [pl.col(c).fill_null("").str.to_lowercase() for c in _FREE_TEXT_COLUMNS]
    return view.with_columns(pl.concat_str(parts, separator="\x1f").alias(SEARCH_COLUMN))


def _free_text(value: str, word: str) -> pl.Expr:
    # Uses the precomputed column when the view has it (see search_column); "\x1f" never
    # appears in a typed word, so a match cannot straddle two names.
    return pl.col(SEARCH_COLUMN).str.contains(value.lower(), literal=True)


@dataclass(frozen=True)
class ParsedFilter:
    """A parsed filter: the expression to apply (None: keep everything) and the words it came from."""

    text: str
    expr: pl.Expr | None
    words: tuple[str, ...]

    def apply(self, view: pl.DataFrame, now: dt.datetime | None = None) -> pl.DataFrame:
        """Return the rows of the families ``view`` that pass (in the view's order)."""
        if self.expr is None:
            return view
        if SEARCH_COLUMN not in view.columns and SEARCH_COLUMN in self.expr.meta.root_names():
            return self.apply(search_column(view), now).drop(SEARCH_COLUMN)
        if "synced_days" not in self.expr.meta.root_names():
            return view.filter(self.expr)
        now = now or dt.datetime.now(dt.UTC)
        # Never synced counts as old as can be, so "synced:>7d" finds it.
        age = (pl.lit(now, dtype=UTC_TIME) - pl.col("synced_at")).dt.total_days().fill_null(10**9)
        return view.with_columns(age.alias("synced_days")).filter(self.expr).drop("synced_days")


def _split(text: str) -> list[str]:
    try:
        return shlex.split(text)
    except ValueError:
        # An unclosed quote while typing: read it as if it were closed.
        try:
            return shlex.split(text + '"')
        except ValueError:
            return shlex.split(text + "'")


def parse_filter(text: str) -> ParsedFilter:
    """Parse the filter ``text`` into an expression over the families view.

    Raises:
        InputError: A word names an unknown field or has a value that field cannot take.
    """
    words = _split(text)
    exprs: list[pl.Expr] = []
    for raw in words:
        negate = raw.startswith("-") and len(raw) > 1
        word = raw[1:] if negate else raw
        name, sep, value = word.partition(":")
        if sep and name.isidentifier():
            field = FIELDS.get(name.lower())
            if field is None:
                close = difflib.get_close_matches(name.lower(), list(FIELDS), n=1)
                hint = f"did you mean '{close[0]}:'?" if close else "fields: " + ", ".join(FIELDS)
                raise _bad(raw, f"unknown field '{name}'", hint)
            if not value:
                raise _bad(raw, f"'{name}:' needs a value", f"{name}: {field.help}")
            expr = field.build(value, raw)
        else:
            expr = _free_text(word, raw)
        exprs.append(~expr if negate else expr)
    combined: pl.Expr | None = None
    for expr in exprs:
        combined = expr if combined is None else combined & expr
    return ParsedFilter(text, combined, tuple(words))


def filter_help() -> list[tuple[str, str]]:
    """Return ``(field, what it takes)`` for the help screen and the filter bar's hint."""
    return [(f"{f.name}:", f.help) for f in FIELDS.values()]

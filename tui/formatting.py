"""Provides short, fixed-width renderings of ages, counts, dates, lags and pattern badges for cells."""

from __future__ import annotations

import datetime as dt
from typing import Any

from rich.style import Style
from rich.text import Text

from core.models import GITHUB_FIRST, HUGGINGFACE_FIRST, SIMULTANEOUS

NONE = "—"
LAG_SHORT = {GITHUB_FIRST: "GH", HUGGINGFACE_FIRST: "HF", SIMULTANEOUS: "sim"}
# Badge component class per synchronization type: complete, partial, disjoint.
BADGE_CLASSES = {"CS": "badge--complete", "PS": "badge--partial", "AS": "badge--disjoint", "VS": "badge--disjoint"}


def age(days: int | float | None) -> str:
    """Return a whole-day age compactly: ``today``, ``12d``, ``5w``, ``4mo``, ``2.5y``."""
    if days is None:
        return NONE
    days = int(days)
    if days < 1:
        return "today"
    if days < 28:
        return f"{days}d"
    if days < 90:
        return f"{days // 7}w"
    if days < 730:
        return f"{days // 30}mo"
    return f"{days / 365:.1f}y"


def age_since(when: dt.datetime | None, now: dt.datetime) -> str:
    """Return the age of ``when`` at ``now``."""
    return NONE if when is None else age(max((now - when).total_seconds(), 0) / 86_400)


def count(n: int | None) -> str:
    """Return a count in at most four characters: ``999``, ``1.2k``, ``12k``, ``123k``, ``1.2M``."""
    if n is None:
        return NONE
    if n < 1000:
        return str(n)
    if n < 10_000:
        return f"{n // 100 / 10:.1f}k"  # floor: 9,999 is 9.9k, never a five-character 10.0k
    if n < 1_000_000:
        return f"{n // 1000}k"
    return f"{n // 100_000 / 10:.1f}M"


def date(when: dt.datetime | None) -> str:
    """Return the UTC day of ``when``."""
    return NONE if when is None else when.strftime("%Y-%m-%d")


def lag_short(lag: str | None) -> str:
    """Return ``GH``, ``HF`` or ``sim`` for a lag."""
    return LAG_SHORT.get(lag or "", NONE)


def badge(code: str | None, pattern: str | None, styles: dict[str, Style], status: str | None = None) -> Text:
    """Return the pattern badge: the code on a coloured ground (readable without colour), then the name."""
    if not code:
        short = (status or NONE).replace("Hugging Face", "HF").replace("GitHub", "GH")
        return Text(short, style=styles.get("badge--none", ""), end="")
    style = styles.get(BADGE_CLASSES.get(code[:2], ""), Style())
    return Text.assemble((code, style), " ", (pattern or "", ""), end="")


def sync_problem_text(row: dict[str, Any], now: dt.datetime, stale_after_days: int | None = None) -> str:
    """Return why a family is marked ``!``: its last failed sync and what to do, or that it is stale.

    Empty when its sync is fine (or ``stale_after_days`` is None and nothing failed).
    """
    if row.get("sync_problem"):
        tried = row.get("sync_tried_at")
        ago = age_since(tried, now) if tried is not None else ""
        when = " today" if ago == "today" else f" {ago} ago" if ago else ""
        text = f"! Last sync failed{when} ({str(row['sync_problem']).replace('_', ' ')})"
        if row.get("sync_detail"):
            text += f": {row['sync_detail']}"
        if row.get("sync_hint"):
            text += f". What to do: {row['sync_hint']}"
        return text
    synced = row.get("synced_at")
    if stale_after_days is not None and synced is not None and (now - synced).days > stale_after_days:
        return (
            f"! Last synced {age_since(synced, now)} ago, more than {stale_after_days} days "
            "(cache.stale_after_days): s syncs it"
        )
    return ""

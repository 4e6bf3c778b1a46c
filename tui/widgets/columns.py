"""Provides Column and column_widths(): what a FrameTable column shows and how wide it gets.

The widths rule, for any terminal width: flexible columns (``min_width`` set) shrink toward
their minimum; ``overflow`` columns, the least important, join while the others keep a
comfortable width and give way first, and otherwise wait past the right edge (the table
scrolls sideways to them). Spare room goes to the widest flexible column.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rich.text import Text

Formatter = Callable[[Any, dict[str, Any]], Text]


@dataclass(frozen=True)
class Column:
    """A column: which frame column it shows, its title and how wide it likes to be."""

    key: str
    title: str
    width: int
    min_width: int = 0  # it may shrink to this when the table is narrow (0: never shrinks)
    align: Literal["left", "right"] = "left"
    format: Formatter | None = None
    tooltip: str = ""
    overflow: bool = False  # when space is short it keeps its width past the right edge (scroll to see it)
    max_width: int = 0  # spare room widens it up to this (0: its preferred width is its widest)
    hotkey: str = ""  # the key that sorts by it, shown in the header before the title
    sortable: bool = True  # False: ``o`` on it sorts by another column (its header never shows an arrow)

    @property
    def header_width(self) -> int:
        """Cells its title needs: the title and one for the sort key or the sort arrow."""
        return len(self.title) + (1 if self.title and (self.sortable or self.hotkey) else 0)


def column_widths(columns: Sequence[Column], width: int) -> list[int]:
    """Return each column's width for a table ``width`` cells wide.

    Flexible columns shrink towards their minimum. ``overflow`` columns (last in the
    table) join, in order, while the others keep a comfortable width; the rest
    keep their width beyond the right edge, reachable by scrolling sideways.
    """
    visible = list(range(len(columns)))
    if not visible:
        return []
    main = [i for i in visible if not columns[i].overflow]
    extra = [i for i in visible if columns[i].overflow]

    def minimum(i: int) -> int:
        column = columns[i]
        return max(column.min_width or column.width, column.header_width)

    def widest(i: int) -> int:
        column = columns[i]
        return max(column.max_width, column.width) if column.min_width else column.width

    def fit(indices: list[int], room: int) -> list[int]:
        wanted = [max(columns[i].width, minimum(i)) for i in indices]
        excess = sum(wanted) + len(wanted) - 1 - room
        # Overflow columns give way first: they are the least important ones.
        for n, i in enumerate(indices):
            if excess > 0 and columns[i].overflow:
                give = min(excess, wanted[n] - minimum(i))
                wanted[n] -= give
                excess -= give
        if excess > 0:
            slack = [wanted[n] - minimum(i) for n, i in enumerate(indices)]
            total = sum(slack)
            if total:
                cut = min(excess, total)
                for n, s in enumerate(slack):
                    wanted[n] -= cut * s // total
                # Rounding leaves a cell or two: take them from the columns with most slack left.
                left = sum(wanted) + len(wanted) - 1 - room
                for n in sorted(range(len(indices)), key=lambda n: minimum(indices[n]) - wanted[n]):
                    if left <= 0:
                        break
                    if wanted[n] > minimum(indices[n]):
                        wanted[n] -= 1
                        left -= 1
        elif excess < 0 and indices:
            # Spare room goes to flexible columns, up to their widest (names and titles read
            # better); what is left stays blank on the right rather than stretching one column.
            spare = -excess
            for n in sorted(range(len(indices)), key=lambda n: -wanted[n]):
                i = indices[n]
                if columns[i].min_width and spare > 0:
                    grow = min(spare, max(widest(i) - wanted[n], 0))
                    wanted[n] += grow
                    spare -= grow
        return wanted

    # Overflow columns join, in order, while the others keep at least a comfortable width
    # (halfway between their minimum and their preferred width).
    used = sum((max(columns[i].width, minimum(i)) + minimum(i)) // 2 for i in main) + len(main) - 1
    shown = list(main)
    for i in extra:
        used += minimum(i) + 1
        if used > width:
            break
        shown.append(i)
    if len(shown) == len(visible):
        return fit(visible, width)
    widths = dict(zip(shown, fit(shown, width), strict=True))
    widths.update({i: max(columns[i].width, minimum(i)) for i in visible if i not in widths})
    return [widths[i] for i in visible]

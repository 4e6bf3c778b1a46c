"""Provides TimelineView: the study's timeline figure, live: one row for GitHub and one per HF variant.

Each column is one bin of the rules' grid (or several, zoomed out; or a bin spans several
columns, zoomed in). Only the columns on screen are drawn, so a ten-year, fifty-variant
family costs what fits in the window. Glyphs carry the meaning without colour:
``█`` a bin shared by GitHub and Hugging Face, ``▒`` activity on one side only, ``·`` none.
A bin cursor (h/l) moves through time; ``describe_cursor`` says what is in it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from core.models import GITHUB
from core.views.timeline import Timeline, TimelineRow
from core.views.variant_names import common_prefix, short_names
from tui.safe import clean

SHARED, ACTIVE, EMPTY = "█", "▒", "·"
# (columns per bin, bins per column), from the most detailed to the widest view.
SCALES: tuple[tuple[int, int], ...] = ((4, 1), (2, 1), (1, 1), (1, 2), (1, 4), (1, 8), (1, 16), (1, 32))
MIN_LABEL_WIDTH = 12


def label_width(labels: list[str], width: int) -> int:
    """Return the label column's width: as wide as the longest label, at most a third of ``width``."""
    longest = max((len(label) for label in labels), default=0)
    return max(MIN_LABEL_WIDTH, min(longest, max(width // 3, 16)))


class TimelineView(ScrollView, can_focus=False):
    """Rows of repositories × columns of bins, windowed to the visible columns."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "timeline--label",
        "timeline--silent",
        "timeline--ruler",
        "timeline--shared",
        "timeline--active",
        "timeline--empty",
        "timeline--cursor",
    }
    DEFAULT_CSS = """
    TimelineView { background: $surface; overflow-x: hidden; }
    TimelineView > .timeline--label { color: $text; }
    TimelineView > .timeline--silent { color: $text-muted; text-style: italic; }
    TimelineView > .timeline--ruler { color: $text-muted; }
    TimelineView > .timeline--shared { color: $mark-shared; text-style: bold; }
    TimelineView > .timeline--active { color: $mark-active; text-style: bold; }
    TimelineView > .timeline--empty { color: $mark-empty; }
    TimelineView > .timeline--cursor { background: $accent 40%; }
    """

    scale: reactive[int] = reactive(2, init=False)
    cursor: reactive[int] = reactive(0, init=False)

    @dataclass
    class CursorMoved(Message):
        """The bin cursor moved: it now covers bins ``first``..``last`` starting ``start``."""

        view: TimelineView
        first: int
        last: int
        start: dt.datetime | None
        end: dt.datetime | None

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline: Timeline | None = None
        self.window_start = 0  # first visible column
        self.names: dict[str, str] = {}  # repository → the label drawn (the family's common prefix dropped)
        self.prefix = ""  # what the labels drop, shown above them
        self.fitted = True  # the scale was chosen to show the whole history (kept while it fits)

    # -- model --------------------------------------------------------------------------------

    def set_timeline(self, timeline: Timeline, *, keep_cursor: bool = False) -> None:
        """Show ``timeline``: pick the scale that fits it, put the cursor on the latest bin (or keep it)."""
        old_cursor, old_scale = self.cursor, self.scale
        self.timeline = timeline
        hf = [row.repo for row in timeline.rows if row.platform != GITHUB]
        gh = next((row.repo for row in timeline.rows if row.platform == GITHUB), None)
        self.names = short_names(hf, gh)
        if gh is not None:
            self.names[gh] = gh.rpartition("/")[2] or gh
        prefix = common_prefix(hf, gh)
        self.prefix = prefix.rpartition("/")[2] if prefix else ""
        self.virtual_size = Size(self.size.width, len(timeline.rows) + 1)
        if keep_cursor and old_scale < len(SCALES) and self.columns():
            self.set_reactive(TimelineView.scale, old_scale)
            self.cursor = min(old_cursor, max(self.columns() - 1, 0))
        else:
            self._fit_scale()
            self.cursor = max(self.columns() - 1, 0)
        self.refresh()

    def _fit_scale(self) -> None:
        """Pick the most detailed scale that shows the whole history in the plot's width."""
        width = self._plot_width()
        fitting = [i for i, (cpb, bpc) in enumerate(SCALES) if self._columns_at(i) <= width]
        self.set_reactive(TimelineView.scale, fitting[0] if fitting else len(SCALES) - 1)
        self.fitted = True

    def labels(self) -> list[str]:
        """The row labels as drawn: side, then the short name."""
        if self.timeline is None:
            return []
        return [
            f"{'GH' if row.platform == GITHUB else 'HF'} {self.names.get(row.repo, row.repo)}"
            for row in self.timeline.rows
        ]

    def label_width(self) -> int:
        """Width of the label column now (it grows with the terminal, up to the longest label)."""
        return label_width(self.labels(), self.scrollable_content_region.width or self.size.width)

    def _columns_at(self, scale: int) -> int:
        if self.timeline is None or not self.timeline.n_bins:
            return 0
        per_bin, bins_per = SCALES[scale]
        return -(-self.timeline.n_bins // bins_per) * per_bin

    def columns(self) -> int:
        """Number of columns of the whole history at the current scale."""
        return self._columns_at(self.scale)

    def bins_of(self, column: int) -> range:
        """Return the bins column ``column`` covers."""
        per_bin, bins_per = SCALES[self.scale]
        first = column // per_bin * bins_per
        last = min(first + bins_per, self.timeline.n_bins if self.timeline else 0)
        return range(first, last)

    def _plot_width(self) -> int:
        return max((self.scrollable_content_region.width or self.size.width) - self.label_width() - 1, 1)

    # -- actions ------------------------------------------------------------------------------

    def move(self, delta: int) -> None:
        """Move the cursor by ``delta`` steps: a bin when zoomed in, a column otherwise."""
        if self.columns():
            per_bin = SCALES[self.scale][0]
            start = self.cursor - self.cursor % per_bin  # the bin's first column
            self.cursor = max(0, min(start + delta * per_bin, self.columns() - 1))

    def zoom(self, step: int) -> None:
        """Zoom in (``step`` > 0: fewer bins per column) or out, keeping the cursor's bin."""
        if self.timeline is None:
            return
        new = max(0, min(self.scale - step, len(SCALES) - 1))
        if new == self.scale:
            return
        first_bin = self.bins_of(self.cursor).start
        self.scale = new
        self.fitted = False  # the user chose this scale: keep it when the terminal is resized
        per_bin, bins_per = SCALES[new]
        self.cursor = min(first_bin // bins_per * per_bin, max(self.columns() - 1, 0))

    def watch_scale(self) -> None:
        self.refresh()

    def watch_cursor(self, cursor: int) -> None:
        width = self._plot_width()
        if cursor < self.window_start:
            self.window_start = cursor
        elif cursor >= self.window_start + width:
            self.window_start = cursor - width + 1
        self.window_start = max(0, min(self.window_start, max(self.columns() - width, 0)))
        self.refresh()
        if self.timeline is not None and self.timeline.n_bins:
            bins = self.bins_of(cursor)
            end = self.timeline.bin_start(bins.stop)
            self.post_message(
                self.CursorMoved(self, bins.start, bins.stop - 1, self.timeline.bin_start(bins.start), end)
            )

    def on_resize(self, event: events.Resize) -> None:
        if self.fitted and self.timeline is not None and self.timeline.n_bins:
            # Still showing the whole history: refit to the new width, keeping the cursor's bin.
            first_bin = self.bins_of(self.cursor).start
            self._fit_scale()
            per_bin, bins_per = SCALES[self.scale]
            self.set_reactive(TimelineView.cursor, min(first_bin // bins_per * per_bin, max(self.columns() - 1, 0)))
        self.watch_cursor(self.cursor)

    def on_click(self, event: events.Click) -> None:
        labels = self.label_width()
        if event.x > labels and self.columns():
            self.cursor = max(0, min(self.window_start + event.x - labels - 1, self.columns() - 1))

    # -- text ---------------------------------------------------------------------------------

    def scale_text(self) -> str:
        """Return the zoom level in words, e.g. ``1 column = 2 bins (28 days)``."""
        if self.timeline is None:
            return ""
        per_bin, bins_per = SCALES[self.scale]
        days = self.timeline.bin_days
        if per_bin > 1:
            return f"{per_bin} columns = 1 bin ({days} days)"
        return f"1 column = {bins_per} bin{'s' if bins_per > 1 else ''} ({bins_per * days} days)"

    def describe_cursor(self) -> str:
        """Return what the cursor's bins hold: dates, commits per repository, shared or not."""
        timeline = self.timeline
        if timeline is None or not timeline.n_bins:
            return "No commits to draw."
        bins = self.bins_of(self.cursor)
        start, end = timeline.bin_start(bins.start), timeline.bin_start(bins.stop)
        when = f"{start:%Y-%m-%d} → {end:%Y-%m-%d}" if start and end else ""
        label = f"bin {bins.start}" if len(bins) == 1 else f"bins {bins.start}–{bins.stop - 1}"
        gh = sum(sum(row.counts[b] for b in bins) for row in timeline.rows if row.platform == GITHUB)
        variants = sorted(
            (
                (sum(row.counts[b] for b in bins), self._short_name(row))
                for row in timeline.rows
                if row.platform != GITHUB
            ),
            key=lambda item: -item[0],
        )
        variants = [(n, name) for n, name in variants if n]
        parts = [f"{label}: {when}", f"GH {gh}"]
        if variants:
            hf = sum(n for n, _ in variants)
            names = ", ".join(f"{name} {n}" for n, name in variants[:3]) + (", …" if len(variants) > 3 else "")
            many = f"{len(variants)} variants: " if len(variants) > 1 else ""
            parts.append(f"HF {hf} ({many}{names})")
        else:
            parts.append("HF 0")
        if any(b in timeline.shared for b in bins):
            parts.append("shared")
        return clean(" · ".join(parts), single_line=True)

    def _short_name(self, row: TimelineRow) -> str:
        return self.names.get(row.repo, row.repo)

    # -- rendering ----------------------------------------------------------------------------

    def _glyph(self, row: TimelineRow, bins: range) -> tuple[str, str]:
        assert self.timeline is not None
        active = [b for b in bins if row.active(b)]
        if not active:
            return EMPTY, "timeline--empty"
        if any(b in self.timeline.shared for b in active):
            return SHARED, "timeline--shared"
        return ACTIVE, "timeline--active"

    def _ruler(self, width: int) -> list[Segment]:
        assert self.timeline is not None
        style = self.get_component_rich_style("timeline--ruler")
        cells = [" "] * width
        column = self.window_start
        while column < self.window_start + width and column < self.columns():
            start = self.timeline.bin_start(self.bins_of(column).start)
            label = f"{start:%Y-%m}" if start else ""
            pos = column - self.window_start
            if pos + len(label) <= width:
                cells[pos : pos + len(label)] = list(label)
            column += len(label) + 3
        labels = self.label_width()
        # Above the labels: what they leave out ("aurora-bert-…"), else the bin length.
        title = f"HF {self.prefix}…" if self.prefix else f"{self.timeline.bin_days}-day bins"
        title = clean(title, single_line=True)
        title = (title[: labels - 1] + "…" if len(title) > labels else title.ljust(labels)) + " "
        return [Segment(title, style), Segment("".join(cells), style)]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width or self.size.width
        base = self.rich_style
        timeline = self.timeline
        if timeline is None or not timeline.rows:
            text = "Loading…" if timeline is None else "No commits in this family yet."
            return Strip([Segment(text.ljust(width)[:width], base)]) if y == 0 else Strip.blank(width, base)
        plot = self._plot_width()
        if y == 0:
            return Strip(self._ruler(plot)).extend_cell_length(width).apply_style(base)
        index = int(self.scroll_y) + y - 1
        if index >= len(timeline.rows):
            return Strip.blank(width, base)
        row = timeline.rows[index]
        side = "GH" if row.platform == GITHUB else "HF"
        labels = self.label_width()
        label = clean(f"{side} {self._short_name(row)}", single_line=True)
        label = (label[: labels - 1] + "…") if len(label) > labels else label.ljust(labels)
        # A repository the cache knows but holds no commits of: its row is drawn, muted.
        label_class = "timeline--label" if row.commits else "timeline--silent"
        segments = [Segment(label + " ", self.get_component_rich_style(label_class))]
        cursor_style = self.get_component_rich_style("timeline--cursor")
        styles: dict[str, Style] = {}
        last = min(self.window_start + plot, self.columns())
        for column in range(self.window_start, last):
            glyph, cls = self._glyph(row, self.bins_of(column))
            style = styles.get(cls) or styles.setdefault(cls, self.get_component_rich_style(cls))
            if column == self.cursor:
                style = style + cursor_style
            segments.append(Segment(glyph, style))
        return Strip(segments).extend_cell_length(width).apply_style(base)

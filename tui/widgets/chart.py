"""Provides Chart: the one chart widget, a plotext figure sized to the widget and coloured by the theme.

plotext keeps one global figure, so each draw starts with ``clear_figure()`` and runs on the UI
thread (never two at once). The figure is rebuilt when the widget is resized or the theme
changes, and cached otherwise. Series differ by glyph as well as colour (``█ ▒ ░ ▓``), so a
chart still reads on a 16-colour or monochrome terminal; the legend is drawn below the plot
rather than by plotext, which would paint it over the bars.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import ClassVar, Literal

from rich.text import Text
from textual.color import Color
from textual.widget import Widget

MARKERS = ("█", "▒", "░", "▓", "#", "=", "+", "o")
PALETTE_VARIABLES = ("primary", "warning", "success", "error", "accent", "secondary", "foreground", "panel-lighten-3")


@dataclass(frozen=True)
class Series:
    """One set of values, one per label."""

    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class ChartSpec:
    """What to draw: labels (categories), series, and how (bars side by side, stacked, or one series)."""

    title: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    kind: Literal["bar", "grouped", "stacked"] = "bar"
    xlabel: str = ""
    empty: str = "No data yet."


def nice_ticks(values: list[list[float]], *, stacked: bool) -> list[float]:
    """Round ticks from 0 (steps of 1, 2 or 5 times a power of ten, about five of them).

    plotext would label 0.0, 1.8, 3.5, ... or 6.1, 12.2, ...; whole counts get whole steps.
    """
    flat = [v for series in values for v in series]
    if not flat:
        return []
    top = max((sum(col) for col in zip(*values, strict=True)) if stacked else flat)
    if top <= 0:
        return []
    rough = top / 5
    power = 10 ** math.floor(math.log10(rough))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= rough)
    if all(v == int(v) for v in flat):
        step = max(step, 1)
    count = math.ceil(top / step - 1e-9)
    ticks = [round(i * step, 10) for i in range(count + 1)]
    return [int(t) if t == int(t) else t for t in ticks]  # "5", not "5.0"


class Chart(Widget):
    """A plotext chart that fills the widget."""

    DEFAULT_CSS = "Chart { height: 1fr; width: 1fr; }"
    _cache: ClassVar[dict[tuple[object, ...], Text]] = {}

    def __init__(self, spec: ChartSpec | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.spec = spec

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.refresh())

    def set_spec(self, spec: ChartSpec) -> None:
        """Draw ``spec``."""
        self.spec = spec
        self.refresh()

    def colours(self) -> list[tuple[int, int, int]]:
        """Series colours from the theme's variables."""
        variables = self.app.theme_variables
        out = []
        for name in PALETTE_VARIABLES:
            value = variables.get(name)
            if value:
                out.append(Color.parse(value).rgb)
        return out or [(128, 128, 128)]

    def render(self) -> Text:
        spec = self.spec
        width, height = self.size.width, self.size.height
        if spec is None or not spec.labels or not any(any(s.values) for s in spec.series):
            return Text(spec.empty if spec else "", style="italic")
        if width < 20 or height < 6:
            return Text("Too small for a chart; press t for the table.")
        key = (spec, width, height, self.app.theme)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._draw(spec, width, height)
            if len(self._cache) > 32:
                self._cache.clear()
            self._cache[key] = cached
        return cached

    def _draw(self, spec: ChartSpec, width: int, height: int) -> Text:
        import plotext as plt

        grouped = spec.kind == "grouped" and len(spec.series) > 1
        # Every bar gets exactly one terminal row and every category one spacer row: the y axis
        # counts rows (1 unit = 1 row), so plotext never rounds a bar onto a neighbour's row.
        per_label = (len(spec.series) if grouped else 1) + 1
        chrome = 3 + (1 if spec.title else 0) + (1 if spec.xlabel else 0)  # two borders, x ticks
        legend_lines = 1 if len(spec.series) > 1 or len(spec.labels) * per_label > height - chrome else 0
        room = max((height - chrome - legend_lines) // per_label, 1)
        hidden = max(len(spec.labels) - room, 0)
        if hidden:
            spec = ChartSpec(
                spec.title,
                spec.labels[:room],
                tuple(Series(s.name, s.values[:room]) for s in spec.series),
                spec.kind,
                spec.xlabel,
                spec.empty,
            )
        colours = self.colours()
        foreground = Color.parse(self.app.theme_variables.get("foreground", "#c0c0c0")).rgb
        legend = len(spec.series) > 1 or bool(hidden)
        # Rows are numbered from 0 at the bottom: the first category's first bar on the top row,
        # the last category's spacer on row 0.
        top = len(spec.labels) * per_label - 1
        plt.clear_figure()
        plt.limitsize(False, False)  # the widget, not plotext's idea of the terminal, sets the size
        plt.plotsize(width, top + 1 + chrome)
        plt.theme("clear")
        plt.ticks_color(foreground)
        plt.axes_color("default")
        plt.canvas_color("default")
        rows = [top - i * per_label for i in range(len(spec.labels))]  # first category on top
        values = [list(s.values) for s in spec.series]
        markers = [MARKERS[i % len(MARKERS)] for i in range(len(values))]
        series_colours = [colours[i % len(colours)] for i in range(len(values))]

        def draw_bars(positions: list[int], lengths: list[float], series: int) -> None:
            # Zero bars are left out: plotext paints a blank cell for one, cutting into a bar drawn
            # before it. plotext scales the width by the mean gap between positions; dividing by
            # that gap makes every bar 0.8 of a row thick, which always rounds to exactly one row.
            shown = [(at, length) for at, length in zip(positions, lengths, strict=True) if length > 0]
            if not shown:
                return
            gap = (shown[-1][0] - shown[0][0]) / (len(shown) - 1) if len(shown) > 1 else 1
            plt.bar(
                [at for at, _ in shown],
                [length for _, length in shown],
                orientation="horizontal",
                color=series_colours[series],
                marker=markers[series],
                width=0.8 / abs(gap),
            )

        if grouped:
            for i, series_values in enumerate(values):
                draw_bars([row - i for row in rows], series_values, i)
        elif spec.kind == "stacked" and len(values) > 1:
            # Each segment is a bar from 0 to its running total, longest first, so shorter ones
            # paint over its start; an empty segment draws nothing.
            columns = list(zip(*values, strict=True))
            totals = [list(itertools.accumulate(column)) for column in columns]
            for i in reversed(range(len(values))):
                draw_bars(
                    rows, [total[i] if column[i] > 0 else 0 for total, column in zip(totals, columns, strict=True)], i
                )
        else:
            draw_bars(rows, values[0], 0)
        plt.ylim(0, top)
        plt.yticks(rows, list(spec.labels))
        ticks = nice_ticks(values, stacked=spec.kind == "stacked")
        if ticks:
            plt.xticks(ticks)
        if spec.title:
            # plotext drops a title wider than the plot; a cut one still says what the chart is.
            plt.title(spec.title if len(spec.title) <= width - 4 else spec.title[: width - 5] + "…")
        if spec.xlabel:
            plt.xlabel(spec.xlabel)
        text = Text.from_ansi(plt.build().rstrip("\n"), no_wrap=True, end="")
        if legend or hidden:
            text.append("\n")
        if legend:
            for i, series in enumerate(spec.series):
                text.append(f"{markers[i] * 2} ", style=f"rgb{series_colours[i]}".replace(" ", ""))
                text.append(f"{series.name}   ")
        if hidden:
            text.append(f"+{hidden} more (t shows every row)", style="italic")
        return text

"""Provides Chart: the one chart widget, a plotext figure sized to the widget and coloured by the theme.

plotext keeps one global figure, so each draw starts with ``clear_figure()`` and runs on the UI
thread (never two at once). The figure is rebuilt when the widget is resized or the theme
changes, and cached otherwise. Series differ by glyph as well as colour (``█ ▒ ░ ▓``), so a
chart still reads on a 16-colour or monochrome terminal; the legend is drawn below the plot
rather than by plotext, which would paint it over the bars.
"""

from __future__ import annotations

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


def integer_ticks(values: list[list[float]], *, stacked: bool) -> list[int]:
    """Whole-number ticks for count data (plotext would label 0.25, 0.5, ... for small counts)."""
    flat = [v for series in values for v in series]
    if not flat or any(v != int(v) for v in flat):
        return []
    top = int(max((sum(col) for col in zip(*values, strict=True)) if stacked else flat))
    step = max(1, -(-top // 5))
    return list(range(0, top + step, step))


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

        # Side-by-side bars need a row each and a spacer per label: keep the first labels
        # (the specs list them by importance) that fit, and say how many are left out.
        per_label = len(spec.series) + 1 if spec.kind == "grouped" else 2
        room = max((height - 6) // per_label, 1)
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
        # Slim bars: about one row per bar and a spacer per category, not the whole height.
        bars = len(spec.labels) * (1 if spec.kind in ("bar", "stacked") else len(spec.series))
        wanted = bars + len(spec.labels) + 4 + (1 if spec.xlabel else 0)
        plot_height = max(min(height - (1 if legend else 0), max(wanted, 8)), 6)
        plt.clear_figure()
        plt.plotsize(width, plot_height)
        plt.theme("clear")
        plt.ticks_color(foreground)
        plt.axes_color("default")
        plt.canvas_color("default")
        # plotext draws the first category at the bottom; the reader expects it on top.
        labels = list(reversed(spec.labels))
        values = [list(reversed(s.values)) for s in spec.series]
        markers = [MARKERS[i % len(MARKERS)] for i in range(len(values))]
        series_colours = [colours[i % len(colours)] for i in range(len(values))]
        # Thin bars stay on their label's row; plotext's default width smears them over neighbours.
        if spec.kind == "bar" or len(values) == 1:
            plt.bar(labels, values[0], orientation="horizontal", color=series_colours[0], marker=markers[0], width=0.4)
        elif spec.kind == "stacked":
            plt.stacked_bar(labels, values, orientation="horizontal", color=series_colours, marker=markers, width=0.4)
        else:
            plt.multiple_bar(labels, values, orientation="horizontal", color=series_colours, marker=markers, width=0.6)
        ticks = integer_ticks(values, stacked=spec.kind == "stacked")
        if ticks:
            plt.xticks(ticks)
        if spec.title:
            plt.title(spec.title)
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

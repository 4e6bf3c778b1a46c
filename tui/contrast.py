"""Provides the app's mark colours for any theme, each checked for contrast (WCAG) against its background.

Themes pick their success/warning/muted colours for text on a panel, not for single-cell
marks on a surface: on the light theme the timeline's "one side" mark had 1.2:1 while "no
activity" had 5.4:1. ``mark_variables`` derives CSS variables (``$mark-shared``,
``$mark-active``, ``$mark-empty``, ``$badge-…``, ``$scrollbar-thumb`` …) from the theme's own
colours, moved toward black or white just enough to reach the ratio, and keeps "nothing
happened" quieter than activity. Ratios hold in colour and in the greyscale Textual draws
with ``NO_COLOR``. ANSI themes (16 colours) get palette colours that read on the terminal's
default background in common palettes.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.color import Color

MARK = 3.0  # WCAG 2.1 non-text contrast: marks, glyphs, borders
TEXT = 4.5  # WCAG 2.1 text contrast
ACTIVITY = 4.5  # timeline activity marks: well above the "no activity" dot

BLACK, WHITE = Color(0, 0, 0), Color(255, 255, 255)

# Bright grounds with black text (red: white on red) read in the common palettes, on dark and
# light terminals, and in NO_COLOR's greyscale.
_ANSI_BADGES = {
    "badge-complete": "ansi_bright_green",
    "badge-complete-text": "ansi_black",
    "badge-partial": "ansi_bright_yellow",
    "badge-partial-text": "ansi_black",
    "badge-disjoint": "ansi_red",
    "badge-disjoint-text": "ansi_bright_white",
    "demo-badge": "ansi_bright_yellow",
    "demo-badge-text": "ansi_black",
}
# ANSI palette names per background for the 16-colour themes: dark ones on a light
# terminal, bright ones on a dark terminal (the terminal decides the exact shades).
_ANSI: dict[bool, dict[str, str]] = {
    True: {  # dark
        "mark-shared": "ansi_bright_green",
        "mark-active": "ansi_bright_yellow",
        "mark-empty": "ansi_bright_black",
        "mark-warning": "ansi_bright_yellow",
        "mark-error": "ansi_yellow",  # red is too dark in greyscale (NO_COLOR) on common dark palettes
        "mark-accent": "ansi_bright_cyan",
        **_ANSI_BADGES,
        "scrollbar-thumb": "ansi_bright_white",
        "scrollbar-thumb-hover": "ansi_bright_cyan",
        "scrollbar-thumb-active": "ansi_bright_cyan",
    },
    False: {  # light
        "mark-shared": "ansi_blue",
        "mark-active": "ansi_magenta",
        "mark-empty": "ansi_bright_black",
        "mark-warning": "ansi_magenta",
        "mark-error": "ansi_red",
        "mark-accent": "ansi_blue",
        **_ANSI_BADGES,
        "scrollbar-thumb": "ansi_black",
        "scrollbar-thumb-hover": "ansi_blue",
        "scrollbar-thumb-active": "ansi_blue",
    },
}


def luminance(color: Color) -> float:
    """Return the WCAG relative luminance of ``color`` (0 black … 1 white)."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = color.rgb
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def ratio(foreground: Color, background: Color) -> float:
    """Return the WCAG contrast ratio of two opaque colours (1 … 21)."""
    a, b = luminance(foreground), luminance(background)
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def eight_bit(color: Color) -> Color:
    """Return ``color`` as a 256-colour terminal draws it (over SSH without COLORTERM): the nearest entry."""
    from rich.color import ColorSystem

    return Color(*color.rich_color.downgrade(ColorSystem.EIGHT_BIT).get_truecolor())


def seen_ratio(foreground: Color, background: Color) -> float:
    """Return the lowest contrast as drawn: in true colour, in 256 colours, and in NO_COLOR's greyscale."""
    return min(
        ratio(foreground, background),
        ratio(eight_bit(foreground), eight_bit(background)),
        ratio(foreground.monochrome, background.monochrome),
    )


def readable(foreground: Color, background: Color, minimum: float) -> Color:
    """Return ``foreground``, moved toward black or white until it reaches ``minimum`` against ``background``."""
    if seen_ratio(foreground, background) >= minimum:
        return foreground
    target = WHITE if ratio(WHITE, background) >= ratio(BLACK, background) else BLACK
    for step in range(1, 41):
        moved = foreground.blend(target, step / 40)
        if seen_ratio(moved, background) >= minimum:
            return moved
    return target


def quieter(foreground: Color, background: Color, minimum: float, maximum: float) -> Color:
    """Return ``foreground`` with its contrast brought into ``[minimum, maximum]`` (blending toward the background)."""
    color = readable(foreground, background, minimum)
    for step in range(1, 41):
        if seen_ratio(color, background) <= maximum:
            return color
        candidate = foreground.blend(background, step / 40)
        if seen_ratio(candidate, background) < minimum:
            return color
        color = candidate
    return color


def text_on(background: Color) -> Color:
    """Return black or white, whichever reads better on ``background``."""
    return WHITE if seen_ratio(WHITE, background) >= seen_ratio(BLACK, background) else BLACK


def _opaque(value: str, under: Color) -> Color:
    """Parse a theme colour (possibly with alpha, "#rrggbbaa" or "name 50%") as drawn over ``under``."""
    text, _, percent = value.partition(" ")
    color = Color.parse(text)
    if percent.endswith("%"):
        color = color.with_alpha(float(percent[:-1]) / 100)
    return under + color if color.a < 1 else color


def mark_variables(variables: Mapping[str, str], *, dark: bool, ansi: bool) -> dict[str, str]:
    """Return the app's contrast-checked CSS variables for a theme's resolved ``variables``."""
    if ansi:
        return dict(_ANSI[dark])
    background = _opaque(variables["background"], BLACK if dark else WHITE)
    surface = _opaque(variables["surface"], background)
    panel = _opaque(variables["panel"], background)
    foreground = _opaque(variables["foreground"], surface)
    shared = readable(_opaque(variables["success"], surface), surface, ACTIVITY)
    active = readable(_opaque(variables["warning"], surface), surface, ACTIVITY)
    loudest = min(seen_ratio(shared, surface), seen_ratio(active, surface))
    # "No activity" is a mark too (3:1), but never louder than activity.
    empty = quieter(foreground.blend(surface, 0.45), surface, MARK, max(loudest - 1.0, MARK))
    out = {
        "mark-shared": shared.hex,
        "mark-active": active.hex,
        "mark-empty": empty.hex,
        "mark-warning": readable(_opaque(variables["warning"], panel), panel, TEXT).hex,
        "mark-error": readable(_opaque(variables["error"], panel), panel, TEXT).hex,
        "mark-accent": readable(_opaque(variables["accent"], panel), panel, TEXT).hex,
    }
    for name, base in (("complete", "success"), ("partial", "warning"), ("disjoint", "error")):
        ground = _opaque(variables[base], surface).blend(surface, 0.35)
        ground = readable(ground, surface, MARK) if seen_ratio(ground, surface) < 1.5 else ground
        out[f"badge-{name}"] = ground.hex
        out[f"badge-{name}-text"] = text_on(ground).hex
    demo = _opaque(variables["warning"], panel)
    out["demo-badge"] = demo.hex
    out["demo-badge-text"] = text_on(demo).hex
    track = _opaque(variables["scrollbar-background"], background)
    out["scrollbar-thumb"] = readable(_opaque(variables["scrollbar"], track), track, MARK).hex
    out["scrollbar-thumb-hover"] = readable(_opaque(variables["scrollbar-hover"], track), track, MARK).hex
    out["scrollbar-thumb-active"] = readable(_opaque(variables["scrollbar-active"], track), track, MARK).hex
    return out

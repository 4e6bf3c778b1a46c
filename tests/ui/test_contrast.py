"""Every mark the app draws reaches 3:1 against its background, in every theme, and in NO_COLOR's greyscale.

Computed from the styles the widgets really render with (component classes after the theme's
CSS is applied), over every theme Textual offers: dark, light and the two 16-colour ANSI
themes (ANSI colours as Textual shows them: its own dark and light terminal palettes).
"""

from __future__ import annotations

from pathlib import Path

from rich.color import Color as RichColor
from rich.style import Style
from textual.color import Color
from textual.widget import Widget

from tests.ui.support import settle, test_app
from tui.app import PtlmApp
from tui.contrast import MARK, eight_bit, ratio
from tui.screens.families import FamiliesTable
from tui.widgets.frame_table import FrameTable
from tui.widgets.status_bar import StatusBar
from tui.widgets.timeline import TimelineView
from tui.widgets.title_bar import TitleBar


def rgb(app: PtlmApp, color: RichColor | None, *, background: bool) -> Color:
    """A Rich colour as the terminal shows it (ANSI colours through Textual's palette for the theme)."""
    palette = app.ansi_theme
    if color is None or color.is_default:
        triplet = palette.background_color if background else palette.foreground_color
        return Color(*triplet)
    return Color(*color.get_truecolor(palette, foreground=not background))


def pair(app: PtlmApp, widget: Widget, style: Style) -> tuple[Color, Color]:
    """(foreground, background) of a component style drawn on ``widget``."""
    base = widget.rich_style
    fg = rgb(app, style.color or base.color, background=False)
    bg = rgb(app, style.bgcolor or base.bgcolor, background=True)
    if style.reverse:
        fg, bg = bg, fg
    return fg, bg


def worst(fg: Color, bg: Color, *, ansi: bool = False) -> float:
    """The lowest contrast as drawn: true colour, 256 colours (not for ANSI themes: their colours are
    sent as ANSI codes) and NO_COLOR's greyscale."""
    value = min(ratio(fg, bg), ratio(fg.monochrome, bg.monochrome))
    return value if ansi else min(value, ratio(eight_bit(fg), eight_bit(bg)))


async def test_every_mark_reaches_3_to_1_in_every_theme(tmp_path: Path) -> None:
    app = test_app(tmp_path)
    app.demo = True  # the DEMO DATA badges too
    failures: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert len(app.available_themes) >= 20
        for theme in sorted(app.available_themes):
            app.theme = theme
            await pilot.pause()
            family = app.screen
            timeline = family.query_one(TimelineView)
            marks: dict[str, tuple[Color, Color]] = {}
            for name in ("timeline--shared", "timeline--active", "timeline--empty", "timeline--label"):
                marks[name] = pair(app, timeline, timeline.get_component_rich_style(name))
            status = family.query_one(StatusBar)
            for name in ("status-bar--demo", "status-bar--stale", "status-bar--offline", "status-bar--task"):
                marks[name] = pair(app, status, status.get_component_rich_style(name))
            title = family.query_one(TitleBar)
            marks["title-bar--demo"] = pair(app, title, title.get_component_rich_style("title-bar--demo"))
            table = family.query_one("#commits", FrameTable)
            thumb = table.styles.scrollbar_color
            track = table.styles.scrollbar_background
            marks["scrollbar thumb"] = (track + thumb, track) if thumb.a < 1 else (thumb, track)
            families = app.screen_stack[0]
            list_table = families.query_one(FamiliesTable)
            for name in ("badge--complete", "badge--partial", "badge--disjoint", "families--stale"):
                marks[name] = pair(app, list_table, list_table.get_component_rich_style(name))
            # Lines that say what went wrong: why a family is marked "!", a filter that did not parse.
            for where, selector in ((families, "#row-note"), (families, "#filter-error"), (family, "#sync-note")):
                note = where.query_one(selector)
                marks[selector] = pair(app, note, Style())
            for name, (fg, bg) in marks.items():
                if app.current_theme.ansi and name == "scrollbar thumb":
                    fg, bg = rgb(app, fg.rich_color, background=False), rgb(app, bg.rich_color, background=True)
                value = worst(fg, bg, ansi=app.current_theme.ansi)
                if value < MARK:
                    failures.append(f"{theme}: {name} {fg.hex} on {bg.hex} = {value:.2f}:1")
            # Nothing happening is never louder than activity (it was 5.39:1 against 1.20:1).
            ansi = app.current_theme.ansi
            empty = worst(*marks["timeline--empty"], ansi=ansi)
            for active in ("timeline--shared", "timeline--active"):
                if worst(*marks[active], ansi=ansi) < empty:
                    failures.append(f"{theme}: {active} is fainter than timeline--empty")
    assert not failures, "\n".join(failures)

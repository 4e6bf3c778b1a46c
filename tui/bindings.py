"""Provides the binding registry: every command of the app as data, feeding BINDINGS, palette, help and README.

A command has a stable kebab-case ``id`` (users remap it in ``[ui.keymap]`` of the config file),
default keys, the Textual action it runs, a description and a tooltip. ``scopes`` say where
it is bound: ``app`` (everywhere), a screen (``families``, ``family``, ``commit``,
``dashboard``, ``help``) or a widget (``table``, ``text``). Nothing here imports textual at
module level, so ``ptlm-tui keys`` stays fast.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from textual.binding import Binding


@dataclass(frozen=True)
class Command:
    """One thing the user can do, with its default keys."""

    id: str  # stable; the key in [ui.keymap]
    keys: str  # Textual key names, comma-separated alternatives: "j,down"
    action: str  # a Textual action of the node the scope names
    description: str  # short, for the footer
    tooltip: str = ""  # one sentence, for help, palette and footer tooltips
    scopes: tuple[str, ...] = ("app",)
    show: bool = False  # shown in the footer
    palette: bool = True  # offered in the command palette (pure navigation is not)


# Where commands apply, in the order help and the README list them.
SCOPES: dict[str, str] = {
    "app": "Everywhere",
    "families": "Families",
    "family": "Family",
    "drift": "Drift view",
    "diff": "Diff",
    "propose": "Proposal",
    "commit": "Commit",
    "dashboard": "Dashboard",
    "table": "Lists",
    "text": "Long text",
    "help": "Help",
}

# One key per sortable column of the families list: the header shows it before the title
# (the sorted column shows its direction there instead); again reverses.
SORT_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("family", "1", "Family"),
    ("variants", "2", "Var (variants)"),
    ("gh_commits", "3", "GH (GitHub commits)"),
    ("hf_commits", "4", "HF (Hugging Face commits)"),
    ("last_gh", "5", "GH ago (last GitHub commit)"),
    ("last_hf", "6", "HF ago (last Hugging Face commit)"),
    ("handoff_days", "7", "GH→HF (since HF last followed GitHub)"),
    ("pattern", "8", "Pattern (in step first)"),
    ("lag", "9", "Lag (who moves first)"),
    ("study_code", "0", "Study (the study's pattern)"),
    # Drift (docs/method.md §8): the digits are taken; b for Behind, F for Files (f goes to the families list).
    ("behind", "b", "Behind (GitHub commits the most-behind variant lacks)"),
    ("files", "F", "Files (HF files behind or diverged from GitHub)"),
)
SORT_COMMANDS: tuple[Command, ...] = tuple(
    Command(
        f"sort-{column.replace('_', '-')}",
        key,
        f"sort_by('{column}')",
        f"Sort: {title.split(' (')[0]}",
        f"Sort by {title}; again to reverse",
        ("families",),
    )
    for column, key, title in SORT_COLUMNS
)
# The dashboard's tabs, one key each (their order is tui.screens.dashboard_charts.figures').
CHART_TABS: tuple[str, ...] = ("Patterns", "Lag", "Change types", "Delays", "Age groups", "Study")
CHART_COMMANDS: tuple[Command, ...] = tuple(
    Command(
        "chart-" + title.lower().replace(" ", "-"),
        str(n),
        f"show_chart({n - 1})",
        title,
        f"Show the {title} chart" + (" (the study's published patterns, after import-study)" if n == 6 else ""),
        ("dashboard",),
        palette=True,
    )
    for n, title in enumerate(CHART_TABS, start=1)
)

COMMANDS: tuple[Command, ...] = (
    # -- everywhere ---------------------------------------------------------------------------
    Command("quit", "q,ctrl+q", "quit", "Quit", "Leave ptlm-tui", show=True),
    Command("help", "question_mark,f1", "help", "Help", "Show every key and the filter language", show=True),
    Command("command-palette", "ctrl+p", "command_palette", "Commands", "Search every action by name"),
    Command("show-families", "f", "show_families", "Families", "Go to the families list"),
    Command("show-dashboard", "d", "show_dashboard", "Dashboard", "The study's charts for the families in the cache"),
    Command("sync-all", "S", "sync_all", "Sync all", "Fetch new commits of every family from the Hub and GitHub"),
    Command("discover", "N", "discover", "Discover", "Find new model families on the Hub (with their GitHub links)"),
    Command("classify-all", "C", "classify_all", "Classify all", "Label the change type of every unlabelled commit"),
    Command("cancel-task", "x", "cancel_task", "Cancel", "Stop the running background work; what is done is kept"),
    Command("reload", "ctrl+r", "reload", "Reload", "Read the cache again (after a headless sync or import)"),
    # The id predates the picker; kept so remapped keys keep working.
    Command("toggle-theme", "T", "choose_theme", "Theme", "Pick a theme (light, dark, 16 colours…) with a preview"),
    # -- families list ------------------------------------------------------------------------
    Command("open-family", "enter", "open_family", "Open", "Open the highlighted family", ("families",), True),
    Command(
        "filter",
        "slash",
        "focus_filter",
        "Filter",
        "Filter by name or field, e.g. pattern:disperse lag:gh",
        ("families",),
        True,
    ),
    Command(
        "clear-filter", "escape", "clear_filter", "Clear", "Clear the filter and go back to the list", ("families",)
    ),
    Command("sort", "o", "sort", "Sort", "Sort by the highlighted column; again to reverse", ("families",), True),
    *SORT_COMMANDS,
    Command(
        "only-with-pattern",
        "a",
        "toggle_with_pattern",
        "With pattern",
        "Show only families that have a pattern (status:ok); again to show all",
        ("families",),
    ),
    Command(
        "column-left",
        "h,left",
        "column_left",
        "Column ←",
        "Highlight the column to the left",
        ("families",),
        palette=False,
    ),
    Command(
        "column-right",
        "l,right",
        "column_right",
        "Column →",
        "Highlight the column to the right",
        ("families",),
        palette=False,
    ),
    Command(
        "sync-family", "s", "sync_family", "Sync", "Fetch new commits of this family", ("families", "family"), True
    ),
    Command(
        "classify-family",
        "c",
        "classify_family",
        "Classify",
        "Label this family's unlabelled commits",
        ("families", "family"),
    ),
    # -- one family ---------------------------------------------------------------------------
    Command(
        "back",
        "escape",
        "back",
        "Back",
        "Go back to the previous screen (on a family, Esc first clears a commit search)",
        ("family", "commit", "dashboard", "help", "diff"),
        True,
    ),
    Command("open-commit", "enter", "open_commit", "Open", "Open the highlighted commit", ("family",), True),
    Command(
        "earlier",
        "h,left",
        "scroll_time(-1)",
        "Earlier",
        "Scroll the timeline back in time",
        ("family",),
        palette=False,
    ),
    Command(
        "later", "l,right", "scroll_time(1)", "Later", "Scroll the timeline forward in time", ("family",), palette=False
    ),
    Command(
        "page-earlier",
        "H",
        "scroll_time(-10)",
        "Page earlier",
        "Scroll the timeline back a page",
        ("family",),
        palette=False,
    ),
    Command(
        "page-later",
        "L",
        "scroll_time(10)",
        "Page later",
        "Scroll the timeline forward a page",
        ("family",),
        palette=False,
    ),
    Command("zoom-in", "plus,equals_sign", "zoom(1)", "Zoom in", "Fewer bins per column: more detail", ("family",)),
    Command("zoom-out", "minus", "zoom(-1)", "Zoom out", "More bins per column: the whole history", ("family",)),
    Command(
        "rows-down", "J", "scroll_rows(1)", "Rows ↓", "Scroll the timeline's variants down", ("family",), palette=False
    ),
    Command(
        "rows-up", "K", "scroll_rows(-1)", "Rows ↑", "Scroll the timeline's variants up", ("family",), palette=False
    ),
    Command(
        "platform",
        "p",
        "cycle_platform",
        "Platform",
        "Show commits of both platforms, GitHub only or HF only",
        ("family",),
    ),
    Command("toggle-why", "w", "toggle_why", "Why", "Show or hide the 'why this pattern' panel", ("family",)),
    Command(
        "toggle-drift",
        "D",
        "toggle_drift",
        "Drift",
        "Show what each variant is missing from GitHub, file by file, instead of the commits; again: the commits",
        ("family",),
        True,
    ),
    # -- the Drift view (the family screen's lower half) --------------------------------------
    Command(
        "drift-open",
        "enter",
        "open_selected",
        "Open",
        "On a variant: its files; on a file: its diff (HF → GitHub); on a commit: the commit",
        ("drift",),
        True,
    ),
    Command(
        "drift-back",
        "escape",
        "drift_back",
        "Back",
        "In a variant's files or commits: back to the variants; on the variants: back to the families",
        ("drift",),
        True,
        palette=False,
    ),
    Command(
        "search-commits",
        "slash",
        "focus_search",
        "Search",
        "Search the commits by title, sha, change type or variant; Esc clears it",
        ("family",),
        True,
    ),
    Command(
        "propose",
        "p",
        "propose",
        "Propose",
        "Propose what the highlighted variant (or file) lacks from GitHub as a Hub pull request, or a patch for "
        "GitHub of a file HF is ahead of; shows the plan and asks first",
        ("drift",),
        True,
    ),
    Command(
        "propose-commit",
        "P",
        "propose",
        "Propose",
        "Propose the files the highlighted commit's variant lacks from GitHub (a Hub pull request, asks first)",
        ("family",),
    ),
    # -- a proposal (the dialog) --------------------------------------------------------------
    Command(
        "propose-send",
        "o",
        "send",
        "Open PR",
        "Open the pull request (or write the patch): asks for a yes first",
        ("propose",),
        True,
    ),
    Command("propose-yes", "y", "answer(True)", "Yes", "Yes: open the pull request now", ("propose",), True),
    Command("propose-no", "n", "answer(False)", "No", "No: back to the plan, nothing is sent", ("propose",)),
    Command(
        "propose-direction",
        "t",
        "toggle_direction",
        "Direction",
        "Switch between a Hub pull request and a patch for GitHub (the files HF is ahead of)",
        ("propose",),
        True,
    ),
    Command(
        "propose-diverged",
        "D",
        "toggle_diverged",
        "Diverged",
        "Propose diverged files too (GitHub's version replaces HF's changes); again: without",
        ("propose",),
    ),
    Command(
        "propose-again",
        "F",
        "force",
        "Again",
        "Propose files an open pull request already brings (propose --force)",
        ("propose",),
    ),
    Command(
        "propose-cancel",
        "escape",
        "cancel",
        "Close",
        "Close without sending (while asking: back to the plan)",
        ("propose",),
        True,
    ),
    # -- one commit ---------------------------------------------------------------------------
    Command(
        "open-browser", "o", "open_browser", "Browser", "Open the commit's page in the web browser", ("commit",), True
    ),
    Command("copy-sha", "y", "copy_sha", "Copy sha", "Copy the commit id (OSC 52 over SSH)", ("commit",)),
    Command("copy-url", "Y", "copy_url", "Copy URL", "Copy the commit's web address (OSC 52 over SSH)", ("commit",)),
    Command(
        "relabel",
        "e",
        "relabel",
        "Label",
        "Set the change type by hand; it wins over the classifier",
        ("commit",),
        True,
    ),
    Command(
        "follow-link",
        "enter",
        "follow_link",
        "Linked",
        "Open the matching commit on the other platform",
        ("commit",),
        True,
    ),
    # -- dashboard ----------------------------------------------------------------------------
    Command("next-chart", "l,right,tab", "next_chart", "Next", "Show the next chart", ("dashboard",), True),
    Command(
        "previous-chart", "h,left,shift+tab", "previous_chart", "Previous", "Show the previous chart", ("dashboard",)
    ),
    Command(
        "toggle-table", "t", "toggle_table", "Table", "Switch between the chart and its numbers", ("dashboard",), True
    ),
    *CHART_COMMANDS,
    # -- lists and long text ------------------------------------------------------------------
    Command("cursor-down", "j,down", "cursor_down", "Down", "Next row", ("table",), palette=False),
    Command("cursor-up", "k,up", "cursor_up", "Up", "Previous row", ("table",), palette=False),
    Command(
        "page-down", "ctrl+d,pagedown", "page_down", "Page down", "Next page of rows", ("table", "text"), palette=False
    ),
    Command(
        "page-up", "ctrl+u,pageup", "page_up", "Page up", "Previous page of rows", ("table", "text"), palette=False
    ),
    Command("first-row", "g,home", "first", "First", "First row", ("table", "text"), palette=False),
    Command("last-row", "G,end", "last", "Last", "Last row", ("table", "text"), palette=False),
    Command("scroll-down", "j,down", "scroll_down", "Down", "Scroll down a line", ("text",), palette=False),
    Command("scroll-up", "k,up", "scroll_up", "Up", "Scroll up a line", ("text",), palette=False),
)

BY_ID: dict[str, Command] = {c.id: c for c in COMMANDS}

_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "plus": "+",
    "minus": "-",
    "equals_sign": "=",
    "escape": "Esc",
    "enter": "Enter",
    "left": "←",
    "right": "→",
    "up": "↑",
    "down": "↓",
    "pagedown": "PgDn",
    "pageup": "PgUp",
    "home": "Home",
    "end": "End",
    "tab": "Tab",
    "shift+tab": "Shift+Tab",
    "f1": "F1",
}


def commands_for(scope: str) -> list[Command]:
    """Return the commands bound in ``scope``, in registry order."""
    return [c for c in COMMANDS if scope in c.scopes]


def effective_keys(command: Command, keymap: Mapping[str, str] | None = None) -> str:
    """Return ``command``'s keys after the user's keymap."""
    return (keymap or {}).get(command.id, command.keys)


def key_display(keys: str) -> str:
    """Return keys for people: ``"j,down"`` → ``"j/↓"``, ``"ctrl+p"`` → ``"Ctrl+P"``."""
    out = []
    for key in (k.strip() for k in keys.split(",") if k.strip()):
        if key in _KEY_NAMES:
            out.append(_KEY_NAMES[key])
        elif "+" in key and len(key) > 1:
            *mods, last = key.split("+")
            out.append("+".join([m.capitalize() for m in mods] + [_KEY_NAMES.get(last, last.upper())]))
        else:
            out.append(key)
    return "/".join(out)


def as_bindings(commands: Iterable[Command]) -> list[Binding]:
    """Return Textual bindings for ``commands``, with ids so the keymap can remap them."""
    from textual.binding import Binding

    return [
        Binding(
            c.keys,
            c.action,
            c.description,
            show=c.show,
            tooltip=c.tooltip,
            id=c.id,
            key_display=key_display(c.keys.split(",")[0]),  # the footer shows one key; help shows all
            priority=c.id in PRIORITY,
        )
        for c in commands
    ]


# Checked before the key reaches the focused widget. For "/" that matters when keys arrive
# in one burst (fast typing, pasting, tmux send-keys): the focus must move to the filter box
# before the next key is handed out, or it would go to the list.
PRIORITY = frozenset({"command-palette", "filter"})


def unknown_keymap_ids(keymap: Mapping[str, str]) -> list[str]:
    """Return the ids in a user keymap that name no command (reported, then ignored)."""
    return sorted(k for k in keymap if k not in BY_ID)

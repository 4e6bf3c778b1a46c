"""Provides RegistryCommands: the command palette's entries, one per registry command of the current screen.

Titles read "category: action (key)" and run the same action as the key, on the App for
app-wide commands and on the screen for the screen's own.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

from tui.bindings import SCOPES, Command, commands_for, effective_keys, key_display


class RegistryCommands(Provider):
    """Every action of the app and of the screen the palette was opened on."""

    def _entries(self) -> list[tuple[str, Command, Callable[[], object]]]:
        scope = getattr(self.screen, "SCOPE", "")
        keymap = getattr(getattr(self.app, "settings", None), "ui", None)
        user_keys = dict(keymap.keymap) if keymap is not None else {}
        entries: list[tuple[str, Command, Callable[[], object]]] = []
        for where, target in ((scope, self.screen), ("app", self.app)):
            if not where:
                continue
            for command in commands_for(where):
                if not command.palette or (where == "app" and scope in command.scopes):
                    continue
                keys = key_display(effective_keys(command, user_keys))
                title = f"{SCOPES[where]}: {command.description} ({keys})"
                entries.append((title, command, partial(target.run_action, command.action)))
        return entries

    async def discover(self) -> Hits:
        for title, command, run in self._entries():
            yield DiscoveryHit(title, run, help=command.tooltip)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, command, run in self._entries():
            score = max(matcher.match(title), matcher.match(command.tooltip) * 0.5)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, help=command.tooltip)

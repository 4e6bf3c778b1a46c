"""Provides PtlmApp, the terminal app, and make_app(), its factory."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from cache.store import CacheStore
from core.config import Settings


class PtlmApp(App[int]):
    """Families of Hugging Face models and their GitHub repository, side by side."""

    TITLE = "ptlm-tui"
    BINDINGS = [Binding("q", "quit", "Quit", id="quit")]

    def __init__(self, settings: Settings, store: CacheStore, demo: bool = False) -> None:
        super().__init__()
        self.settings = settings
        self.store = store
        self.demo = demo  # the store is the built-in demo cache

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(id="families", cursor_type="row")
        yield Static(id="empty", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        from rich.text import Text

        from core.analysis import service

        table = self.query_one(DataTable)
        table.add_columns("Family", "GitHub repo", "Variants", "Lag", "Pattern")
        patterns = service.patterns(self.store, self.settings.analysis)
        families = self.store.read("families", ["family", "gh_repo"])
        rows = patterns.join(families, on="family", how="left")
        for row in rows.iter_rows(named=True):
            table.add_row(
                *(Text(str(row[c] or "")) for c in ("family", "gh_repo", "variants", "lag", "pattern")),
                key=row["family"],
            )
        empty = self.query_one("#empty", Static)
        empty.display = rows.is_empty()
        empty.update(f"No families in {self.store.root}. Run `ptlm-tui import FILE` or `ptlm-tui --demo`.")


def make_app(settings: Settings, store: CacheStore, demo: bool = False) -> PtlmApp:
    """Return the app wired to its services (tests pass their own)."""
    return PtlmApp(settings=settings, store=store, demo=demo)

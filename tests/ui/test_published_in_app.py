"""The study's published verdicts in the app: a Study column with agreement, and the family's record."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tests.app_data import build_cache
from tests.app_published import write_published
from tests.ui.support import app_on, screen_text, settle
from tui.screens.families import FamiliesTable
from tui.screens.family import FamilyScreen


async def test_study_column_marks_agreement(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    write_published(store)
    app = app_on(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "Study" in text
        # The family id leads its row (after a "!" when its sync is stale).
        lines = {line.split()[0].lstrip("!"): line for line in text.splitlines() if line.strip()}
        assert "PSR =" in lines["acme_bert"]
        assert "PSS ≠" in lines["zeta_gpt"]
        assert "CSF" in lines["orbit_lm"] and "from the study" in lines["orbit_lm"]


async def test_study_only_family_shows_the_published_record(tmp_path: Path) -> None:
    store = build_cache(tmp_path / "c")
    write_published(store)
    app = app_on(store)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"orbit", "enter", "enter")
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen) and app.screen.family == "orbit_lm"
        assert app.screen.query_one("#family-top").has_class("no-timeline")
        why = str(app.screen.query_one("#why-text", Static).render())
        assert "Published by the study (arXiv 2508.10157): CSF Frequent, Simultaneous" in why
        assert "orbit/lm-7b: 12,345" in why


async def test_no_study_column_without_published_results(tmp_path: Path) -> None:
    app = app_on(build_cache(tmp_path / "c"))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        assert "Study" not in [c.title for c in app.screen.query_one(FamiliesTable).columns]


async def test_family_panel_lists_its_change_types_and_jaccard(tmp_path: Path) -> None:
    app = app_on(build_cache(tmp_path / "c"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")  # acme_bert, the first family
        await settle(pilot)
        assert isinstance(app.screen, FamilyScreen)
        why = str(app.screen.query_one("#why-text", Static).render())
        assert "Change types" in why
        assert "GitHub: preprocessing 1" in why and "Hugging Face: external documentation 1" in why
        assert "Jaccard similarity of the two sides' types: 0.00" in why
        assert "6 commits not labelled yet." in why

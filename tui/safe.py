"""Provides plain() and plain_content(): the one way untrusted text reaches the screen.

Commit messages, file names, author, repository and model names, model card text, server
messages and classifier output come from strangers. Two steps make them inert: the core
sanitiser drops terminal escapes, control characters and bidi overrides
(``core.text.clean_display_text``), then the text is wrapped as ``rich.text.Text`` or
``textual.content.Content`` directly, which never parses markup, so ``[@click=app.quit]``
stays those characters and cannot become an action or a link (STYLE.md §11).
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.content import Content

from core.text import clean_display_text, one_line


def clean(text: object, *, single_line: bool = False, limit: int = 0) -> str:
    """Return ``text`` as a sanitised ``str`` (one line, cut to ``limit`` characters, if asked)."""
    raw = "" if text is None else str(text)
    if single_line or limit:
        return one_line(raw, limit)
    return clean_display_text(raw)


def plain(
    text: object, style: str | Style = "", *, single_line: bool = True, limit: int = 0, no_wrap: bool = True
) -> Text:
    """Return untrusted ``text`` as a Rich ``Text`` for table cells and labels, markup never parsed."""
    return Text(clean(text, single_line=single_line, limit=limit), style=style, no_wrap=no_wrap, end="")


def plain_content(text: object, *, single_line: bool = False, limit: int = 0) -> Content:
    """Return untrusted ``text`` as Textual ``Content`` for Static, Label and notify, markup never parsed."""
    return Content(clean(text, single_line=single_line, limit=limit))

"""Provides report_failure(): the one place a failed worker or action becomes something the user sees.

A ``PtlmError`` is a failure the user can act on: its title, detail and hint go into a modal.
Anything else is a bug: the traceback goes to the log directory and the modal says where,
never a crash and never a traceback on screen.
"""

from __future__ import annotations

import traceback
from typing import TYPE_CHECKING, Any

from core.errors import PtlmError, save_traceback
from core.text import one_line
from tui.messages import ErrorReported
from tui.widgets.error_modal import ErrorModal

if TYPE_CHECKING:
    from textual.app import App


def report_failure(app: App[Any], exc: BaseException, context: str = "") -> None:
    """Show ``exc`` to the user in a modal; log bugs with their traceback."""
    if isinstance(exc, PtlmError):
        title, detail, hint, known = exc.title, exc.detail, exc.hint, True
    else:
        where = save_traceback(exc)
        app.log.error("".join(traceback.format_exception(exc)))
        title = "Something went wrong" + (f" during {context}" if context else "")
        detail = f"{type(exc).__name__}: {one_line(str(exc), 300)}"
        hint = (f"the traceback is in {where}; " if where else "") + "please report it. Your cache is unchanged."
        known = False
    app.post_message(ErrorReported(title, detail, hint, known))
    app.push_screen(ErrorModal(title, detail, hint))

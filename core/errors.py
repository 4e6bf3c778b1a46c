"""Provides PtlmError, the one exception type that user-facing failures travel in."""

from __future__ import annotations


class PtlmError(Exception):
    """A failure the user can act on: what went wrong, where, and what to do.

    The CLI prints it as one line and the app shows it in a modal, so every field must read
    well on its own. ``detail`` names the thing (file, line, repository); ``hint`` is the
    action that fixes it.
    """

    def __init__(self, title: str, detail: str = "", hint: str = "") -> None:
        super().__init__(title)
        self.title = title
        self.detail = detail
        self.hint = hint

    def one_line(self) -> str:
        """Return the error as a single line: ``title: detail (hint)``."""
        text = self.title
        if self.detail:
            text += f": {self.detail}"
        if self.hint:
            text += f" — {self.hint}"
        return " ".join(text.split())

    def __str__(self) -> str:
        return self.one_line()


class CacheError(PtlmError):
    """The cache cannot be read or written (corrupt table, newer schema, disk full)."""


class InputError(PtlmError):
    """A file or argument given by the user cannot be used."""


class ConfigError(PtlmError):
    """The configuration file or an environment variable holds an invalid setting."""


class UsageError(PtlmError):
    """The command line asks for something incomplete or contradictory (exit status 2, like argparse's errors)."""


class NetworkError(PtlmError):
    """A remote service failed in a way the user has to know about."""


def save_traceback(exc: BaseException) -> str:
    """Write ``exc``'s traceback to the log directory and return the file's path ('' if it cannot).

    Bugs get a short message on screen; the traceback goes here for the bug report.
    """
    import traceback

    from core import paths

    try:
        log = paths.log_dir() / "last-error.txt"
        log.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
        return str(log)
    except OSError:
        return ""


class Cancelled(Exception):
    """Raised inside long work when the user asked to stop; the work keeps what it finished."""

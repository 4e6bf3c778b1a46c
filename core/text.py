"""Provides clean_display_text(), the sanitiser for untrusted strings shown in a terminal.

Commit messages, model cards, author and repository names come from strangers. Rich and
Textual strip only a handful of control characters, so ESC sequences would reach the
terminal (cursor moves, OSC 8 links, OSC 52 clipboard writes). We keep raw text in the cache
and clean it at display time.
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), and other two-byte ESC sequences;
# also their 8-bit C1 forms (0x9b CSI, 0x9d OSC).
_ANSI = re.compile(
    r"""
    (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]              # CSI ... final byte
  | (?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c)        # OSC ... BEL or ST
  | \x1b[PX^_].*?(?:\x1b\\|\x9c)                  # DCS, SOS, PM, APC ... ST
  | \x1b[ -/]*[0-~]                               # other ESC sequences
    """,
    re.VERBOSE | re.DOTALL,
)
# C0 controls except tab and newline, DEL, C1 controls, and a lone ESC left over.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Bidi embeddings, overrides and isolates can make text display in a misleading order
# ("Trojan Source"); marks (LRM/RLM) are harmless and kept.
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069]")


def clean_display_text(text: str | None, *, keep_newlines: bool = True) -> str:
    r"""Return ``text`` safe to hand to a terminal: no escape sequences or control characters.

    Args:
        text: Untrusted text; ``None`` becomes the empty string.
        keep_newlines: Keep ``\\n`` (and turn ``\\r\\n`` into ``\\n``); otherwise newlines and
            tabs become single spaces, for one-line cells.

    Returns:
        The cleaned text. Printable characters, including right-to-left scripts, are kept.
    """
    if not text:
        return ""
    text = text.replace("\r\n", "\n")
    text = _ANSI.sub("", text)
    text = _BIDI.sub("", text)
    text = _CONTROLS.sub("", text) if keep_newlines else _CONTROLS.sub(" ", text)
    if not keep_newlines:
        text = " ".join(text.replace("\t", " ").split("\n"))
    return text


def one_line(text: str | None, limit: int = 0) -> str:
    """Return cleaned ``text`` on one line, cut to ``limit`` characters with an ellipsis if set."""
    flat = " ".join(clean_display_text(text, keep_newlines=False).split())
    if limit and len(flat) > limit:
        return flat[: max(limit - 1, 0)] + "…"
    return flat


# What a terminal may act on: C0 controls (newline and tab excepted), DEL, C1 controls, the
# line/paragraph separators and bidi embeddings, overrides and isolates.
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str, *, json_style: bool = False) -> str:
    r"""Return ``text`` with every character a terminal could act on written as a visible escape.

    For machine-readable output (CSV, JSON, markdown) sent to a terminal: an ESC becomes the four
    characters ``\x1b`` and a right-to-left override ``\u202e``, so the reader sees that they
    are there and the terminal does nothing. Newlines and tabs are kept. Files and pipes get the
    exact text instead; this is only for a screen.

    Args:
        text: The output.
        json_style: Write every escape as ``\uXXXX``, which JSON strings read back as the
            character itself (the output stays valid JSON).
    """

    def visible(match: re.Match[str]) -> str:
        code = ord(match.group())
        return f"\\u{code:04x}" if json_style or code > 0xFF else f"\\x{code:02x}"

    return _TERMINAL_UNSAFE.sub(visible, text)

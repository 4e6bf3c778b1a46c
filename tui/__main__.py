"""Provides ``python -m tui``, the same as the ``ptlm-tui`` command."""

from tui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())

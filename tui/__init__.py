"""Provides the ptlm-tui terminal app and its command line; the only package that imports textual."""

# Kept equal to pyproject.toml's version by tests/unit/test_cli_registry.py; read without
# importlib.metadata, which costs more than the rest of `ptlm-tui --version` together.
__version__ = "0.1.0"

"""Provides the ptlm-tui terminal app and its command line; the only package that imports textual."""

"""Provides the built-in demo: thirty invented families generated deterministically, nothing downloaded.

``ptlm-tui --demo`` (and ``ptlm-tui`` on an empty cache) opens the app on this cache, so a new
user sees every pattern, lag and change type before syncing anything.
"""

from core.demo.build import build_demo_cache, demo_tables, demo_version, is_demo_cache
from core.demo.cast import FAMILIES
from core.demo.spec import DEMO_VERSION, REFERENCE

__all__ = [
    "DEMO_VERSION",
    "FAMILIES",
    "REFERENCE",
    "build_demo_cache",
    "demo_tables",
    "demo_version",
    "is_demo_cache",
]

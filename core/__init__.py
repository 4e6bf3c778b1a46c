"""Provides ptlm-tui's headless logic: settings, analysis, mining and classification, free of any UI."""

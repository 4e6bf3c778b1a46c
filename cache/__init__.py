"""Provides persistence: the Parquet cache that ptlm-tui browses offline."""

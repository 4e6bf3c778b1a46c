"""Provides the study's analysis (METHOD.md §3–§6), vectorised over all families with polars."""

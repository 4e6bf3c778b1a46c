"""Provides the study's analysis (docs/method.md §3–§6), vectorised over all families with polars."""

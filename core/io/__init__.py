"""Provides reading and writing of user-facing tables (CSV, JSON, Parquet) and the commit importer."""

"""Provides drift (docs/method.md §8): what each Hugging Face variant is missing from its GitHub repository.

One concept per module: ``events`` (file changes to first-parent events), ``chain`` (the
first-parent order from parents), ``pairs`` (linked pairs and their states), ``family`` (the
cache-facing entry point), ``behind`` (§8.1 commits since a variant last moved), ``summary``
(the per-variant rule), ``repos`` and ``adhoc`` (reading any two git repositories), ``diff``.
"""

"""Provides drift (docs/method.md §8): what each Hugging Face variant is missing from its GitHub repository.

One concept per module: ``events`` (file changes to first-parent events), ``chain`` (the
first-parent order from parents), ``pairs`` (linked pairs and their states), ``family`` (one
family's table from frames), ``stored`` (the same from the cache's tables, no git run),
``behind`` (§8.1 commits since a variant last moved), ``summary`` (the per-variant rule),
``digest`` (the per-variant figures the cache keeps for the families list), ``repos`` and
``compare`` (reading any two git repositories), ``diff`` (two versions of a file).
"""

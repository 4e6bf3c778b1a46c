"""Provides mining: finding model families on the Hub and reading both platforms' histories into the cache.

Read it in the order the data flows:

- Finding families: ``discover`` (the Hub's listing or the watchlist) → ``links`` (a model's
  GitHub link from its card) → ``families`` (models grouped by repository, written to the
  families and variants tables); ``repo_ids`` checks every untrusted repository id.
- Reading histories: ``sync`` (plans the repositories and runs them on ``workpool``) → ``fetch``
  (one repository's new commits and file changes) → ``writer`` (the batches the cache gets) and
  ``outcomes`` (every repository's last result, the ``sync_state`` table).
- The sources they talk to: the Hub's API (``hub``, ``hub_payloads``, ``polite`` for rate
  limits) and git (``git_run`` runs it, ``git_clones`` keeps the partial clones, ``git_log``
  reads a history with blob ids, ``git_blobs`` reads file contents, ``hub_git`` a model's clone).
  ``failures`` turns what went wrong into a per-repository outcome.
"""

"""Proposals: bring GitHub's version of the files a variant lacks to the Hub (a pull request), or HF's back (a patch).

``plan.plan_proposal`` works out what would change and the message; ``send.send_proposal`` opens
the Hub pull request; ``patch.write_patch`` writes the ``git am`` patch for GitHub; ``record``
keeps every proposal sent or failed in the cache. The drift pairs come through
``source.variant_drift`` alone.
"""

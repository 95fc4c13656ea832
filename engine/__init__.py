"""What every task runs on, and none of it a task.

- ``context``: ``SyncContext``, the small serialisable value a run hands each task.
- ``resources``: a shop's connectors, built once per process from its blocks.
- ``policy``: the retry policy of every I/O task (what a retry can fix, back-off, no caching).
- ``prefect_bucket`` + ``shared_budget``: one shop's Shopify API budget kept by the Prefect server, so several
  worker processes share it.
- ``shared_token``: with that sharing on, a Dev Dashboard app's token is shared the same way (a Secret block
  and a one-slot limit), so the shop's processes make one grant between them.

Layering: ``domain`` ← ``connectors`` ← ``blocks`` ← ``engine`` ← ``tasks`` ← ``flows``.
"""

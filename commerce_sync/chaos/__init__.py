"""Crash and wire-fault injection for the sync flows: the proof that a sync loses and duplicates nothing.

- ``kills``: the kill points (task boundaries, requests, applied writes, state writes, the cursor commit) and
  the injector that kills a flow run at one of them.
- ``shops``: a seeded shop on the ``sql`` or ``pohoda`` adapter, wired to a live Shopify emulator.
- ``snapshot``: canonical snapshots of ERP, shop and sync state, and their diff (lost / duplicated / changed).
- ``trials``: a shop's day (every flow once), run clean, with crashes, or with wire faults, and compared.

``bench/chaos.py`` runs hundreds of trials; ``tests/chaos`` a lean sample of the same harness.
"""

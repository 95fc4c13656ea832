"""Crash and wire-fault injection for the sync flows: the proof that a sync loses and duplicates nothing.

- ``kills``: the kill points (task boundaries, requests, applied writes, state writes, the cursor commit) and
  the injector that kills a flow run at one of them.
- ``shops``: a seeded shop on the ``sql`` or ``pohoda`` adapter, wired to a live Shopify emulator.
- ``snapshot``: canonical snapshots of ERP, shop and sync state, and their diff (lost / duplicated / changed).
- ``trials``: a shop's day (every flow once), run clean, with crashes, or with wire faults, and compared.

``bench/chaos.py`` runs hundreds of trials; ``tests/chaos`` a lean sample of the same harness.

Real deaths, on the real stack (``commerce_sync.serve.LocalStack``), for ``bench/chaos_real.py`` and
``tests/e2e/test_real_deaths.py``:

- ``real``: a day of deployments on the stack, flow-run processes SIGKILLed at a uniform moment or at a kill point.
- ``selfkill``: the ``kills`` injector armed in a flow-run process by its environment, dying of SIGKILL.
- ``disrupt``: the Prefect server, the ERP database's connections, mServer and the worker taken down mid-run.
- ``stack_ops``: the stack's processes killed and started again alike, flow-run processes found by run id.
- ``remote``: snapshots of the emulators running as processes.
"""

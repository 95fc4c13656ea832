"""Reconcile: ``reads`` (both sides, in bulk, shared), ``checks`` (one per kind of record), ``repair`` (re-sends
through the syncs' writers), ``publish`` (the drift report). What counts as drift is ``domain.drift``; each
check's compare is ``domain.reconcile``."""

"""The ground floor: records both sides agree on and the pure rules every layer consults.

``models`` (products, orders, stock, …), ``report`` (what a run did), ``drift`` (ERP ⇄ shop differences),
``reconcile`` (each reconcile check's compare, the drift report), ``schedule`` + ``wall_clock`` (due dates and
sync periods), ``categories`` (queue categories, lock and budget names). Nothing here imports another package of
the project, and nothing here does I/O.
"""

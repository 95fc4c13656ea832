"""Run at interpreter start when this folder leads ``PYTHONPATH``: arms the chaos harness's kill point in a
flow-run process of the real stack (:mod:`commerce_sync.chaos.selfkill`). Nothing else ever puts it there."""

from commerce_sync.chaos.selfkill import install_from_env

install_from_env()

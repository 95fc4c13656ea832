"""Flows explain themselves in the UI: every flow has a description, and every deployment carries it."""

from __future__ import annotations

import pytest

from commerce_sync.runner import flow_and_params
from deployments.builder import ShopsFile, available_sync_types, render_deployments

SHOPS = ShopsFile.model_validate(
    {
        "shops": [
            {
                "name": "acme",
                "erp": "sql",
                "schedule": {"selectedFrequency": "Daily", "startDate": "2025-01-01", "syncHour": 2},
            }
        ]
    }
)


@pytest.mark.parametrize("sync_type", available_sync_types())
def test_every_flow_has_a_description_prefect_shows(sync_type):
    flow_fn, _ = flow_and_params(sync_type)
    assert flow_fn.description and len(flow_fn.description.split()) >= 8
    assert "``" not in flow_fn.description  # the UI renders markdown, not reStructuredText


def test_every_deployment_describes_its_flow_and_names_its_shop():
    for deployment in render_deployments(SHOPS, available_sync_types()):
        sync_type = deployment["entrypoint"].rsplit(":", 1)[1]
        flow_fn, _ = flow_and_params(sync_type)
        assert deployment["description"].startswith("acme (sql ERP), ")
        assert deployment["description"].endswith(" ".join(flow_fn.description.split()))

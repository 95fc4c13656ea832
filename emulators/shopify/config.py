"""Configuration of one emulator instance: who may call it, how big its rate-limit bucket is, what goes wrong.

Faults are plain shares (0.0–1.0) drawn from a seeded ``random.Random``, so a test that asks for "20 % 5xx"
sees the same sequence every run; a script makes the N-th request fail exactly (see :mod:`emulators.faults`).
They can be swapped at runtime (``Emulator.set_faults`` or ``POST /_emulator/faults``) because tests change
them between calls.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from emulators import faults
from emulators.faults import Share
from emulators.shopify.access import DEFAULT_SCOPES

from .webhooks import WebhookConfig

DEFAULT_TOKEN = "shpat_emulator_token"
API_VERSION = "2026-04"

API_VERSION_FORMAT = re.compile(r"^(\d{4}-(01|04|07|10)|unstable)$")
"""A quarterly release (or ``unstable``); any other path segment is not an API version and gets a 404."""


class FaultConfig(faults.FaultConfig):
    """What share of GraphQL requests fail, and how. Each request draws once per kind, in this order:
    ``latency`` (always added), ``timeout``, ``error_5xx``, ``rate_429``, ``throttled``; then, for mutations
    that ran, ``drop_after_apply``. ``script`` and ``token_revoked``: see :mod:`emulators.faults` (a revoked
    token gets Shopify's 401 ``Invalid API key or access token``).
    """

    rate_429: Share = Field(0.0, ge=0, le=1, description="HTTP 429 with Retry-After, without executing")
    throttled: Share = Field(0.0, ge=0, le=1, description="HTTP 200 THROTTLED body, as an empty bucket does")
    timeout: Share = Field(0.0, ge=0, le=1, description="hang timeout_seconds, then execute and answer")
    bulk_fail: Share = Field(0.0, ge=0, le=1, description="share of bulk operations that end FAILED")
    bulk_error_code: str = Field("INTERNAL_SERVER_ERROR", pattern="^(ACCESS_DENIED|INTERNAL_SERVER_ERROR|TIMEOUT)$")
    media_failed: Share = Field(
        0.0, ge=0, le=1, description="share of media whose processing ends FAILED (drawn per media and attempt)"
    )


class EmulatorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shop_name: str = "commerce-sync-demo"
    tokens: list[SecretStr] = Field(default_factory=lambda: [SecretStr(DEFAULT_TOKEN)], min_length=1)
    client_credentials: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="client_id → client_secret of Dev Dashboard apps that may take a token by the client-credentials "
        "grant (POST /admin/oauth/access_token, see oauth.py)",
    )
    token_ttl_seconds: int = Field(
        86399, gt=0, description="expires_in of a granted token (Shopify: 86399); it expires on the emulator's clock"
    )
    api_version: str = API_VERSION
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    bucket_size: int = Field(2000, gt=0, description="throttleStatus.maximumAvailable (Standard plan)")
    restore_rate: float = Field(100.0, gt=0, description="throttleStatus.restoreRate, points per second")
    max_query_cost: int = Field(1000, gt=0, description="single-query cap; above it MAX_COST_EXCEEDED")
    max_page_size: int = Field(250, gt=0)
    max_input_array: int = Field(250, gt=0)
    unique_skus: bool = Field(True, description="refuse a SKU already used by another variant")
    bulk_concurrency: int = Field(5, gt=0, description="running bulk queries allowed at once (2026-01+: 5)")
    bulk_running_polls: int = Field(0, ge=0, description="polls that still see RUNNING before COMPLETED")
    media_processing_reads: int = Field(
        1, ge=0, description="reads of a new media's status that still see PROCESSING before READY or FAILED"
    )
    media_processing_seconds: float = Field(
        0.0, ge=0, description="seconds (emulator clock) a new media stays PROCESSING, besides the reads"
    )
    cost_model: Literal["calibrated", "pessimistic"] = Field(
        "calibrated",
        description="calibrated: Shopify's measured requestedQueryCost; pessimistic: the linear 2 + first × node "
        "rule (5-20x dearer), for tests of a shop whose pages must stay small (see cost.py)",
    )
    supported_api_versions: list[str] = Field(
        default_factory=lambda: [API_VERSION],
        min_length=1,
        description="versions served as asked; any other well-formed version falls forward to the oldest of "
        "these, named in X-Shopify-API-Version (https://shopify.dev/docs/api/usage/versioning)",
    )
    job_polls: int = Field(1, ge=0, description="job(id:) reads that still see done: false (see jobs.py)")
    job_seconds: float = Field(5.0, ge=0, description="seconds of the emulator's clock a job takes; 0: at once")
    scopes: list[str] = Field(
        default_factory=lambda: list(DEFAULT_SCOPES),
        description="granted access scopes; without read_all_orders only 60 days of orders show (access.py)",
    )
    search_lag_seconds: float = Field(
        2.0, ge=0, description="how long after a write query: searches still miss it (search_index.py)"
    )
    faults: FaultConfig = Field(default_factory=FaultConfig)
    webhooks: WebhookConfig = Field(default_factory=WebhookConfig)
    record_dir: Path | None = Field(default_factory=lambda: _env_path("COMMERCE_SYNC_RECORD_DIR"))

    @field_validator("tokens", mode="before")
    @classmethod
    def _wrap_tokens(cls, value: object) -> object:
        if isinstance(value, str):
            return [value]
        return value

    @field_validator("supported_api_versions")
    @classmethod
    def _check_versions(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if not API_VERSION_FORMAT.match(v) or v == "unstable"]
        if bad:
            raise ValueError(f"supported versions are stable releases like 2026-04, got {bad}")
        return sorted(set(value))

    def served_version(self, requested: str) -> str | None:
        """The version Shopify answers a request for ``requested`` with: itself when supported, the oldest
        supported stable version when not ("fall forward"), None when it is no version at all (404)."""
        if not API_VERSION_FORMAT.match(requested):
            return None
        return requested if requested in self.supported_api_versions else self.supported_api_versions[0]

    def token_values(self) -> set[str]:
        return {t.get_secret_value() for t in self.tokens}

    @property
    def domain(self) -> str:
        return f"{self.shop_name}.myshopify.com"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None

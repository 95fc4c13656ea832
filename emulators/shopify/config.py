"""Configuration of one emulator instance: who may call it, how big its rate-limit bucket is, what goes wrong.

Faults are plain shares (0.0–1.0) drawn from a seeded ``random.Random``, so a test that asks for "20 % 5xx"
sees the same sequence every run; a script makes the N-th request fail exactly (see :mod:`emulators.faults`).
They can be swapped at runtime (``Emulator.set_faults`` or ``POST /_emulator/faults``) because tests change
them between calls.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from emulators import faults
from emulators.faults import Share
from emulators.shopify.access import DEFAULT_SCOPES

DEFAULT_TOKEN = "shpat_emulator_token"
API_VERSION = "2026-04"


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


class EmulatorConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shop_name: str = "commerce-sync-demo"
    tokens: list[SecretStr] = Field(default_factory=lambda: [SecretStr(DEFAULT_TOKEN)], min_length=1)
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
    record_dir: Path | None = Field(default_factory=lambda: _env_path("COMMERCE_SYNC_RECORD_DIR"))

    @field_validator("tokens", mode="before")
    @classmethod
    def _wrap_tokens(cls, value: object) -> object:
        if isinstance(value, str):
            return [value]
        return value

    def token_values(self) -> set[str]:
        return {t.get_secret_value() for t in self.tokens}

    @property
    def domain(self) -> str:
        return f"{self.shop_name}.myshopify.com"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value) if value else None

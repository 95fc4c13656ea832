"""Fault injection both emulators share: seeded shares of failing requests, plus a script of exact failures.

Two ways to make a request fail:

- **shares** (``error_5xx: 0.2``): each request draws from a ``random.Random`` seeded with ``seed``, so a test
  asking for "20 % 5xx" sees the same sequence every run. Each emulator decides which kinds it draws and in
  which order (``_roll``); the order is part of the sequence, so a new kind is drawn after the existing ones.
- **a script** (``script: [{"request": 3, "fault": "timeout"}]``): the N-th request fails exactly so — a status,
  a hang past the client's timeout, an answer lost after the write was applied — or the credentials are
  revoked there (``revoke``): that request and every later one answer 401, as the real system does once an
  app is uninstalled (Shopify) or a user's password changed (POHODA). A scripted request still draws its
  shares, so adding a script does not move the random faults of the other requests.

Requests are counted from the moment the config is set (``POST /_emulator/faults`` sets it too): replacing
the config restarts both the count and the random sequence. ``token_revoked`` can also be set directly and
stays set until a config turns it off.
"""

from __future__ import annotations

import random
import threading
from abc import ABC, abstractmethod
from dataclasses import dataclass, replace
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

Share = float


class ScriptedFault(BaseModel):
    """The ``request``-th request (1 = the first after the config was set) fails with ``fault``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    request: int = Field(ge=1)
    fault: Literal["status", "timeout", "lost_answer", "revoke"]
    status: int = Field(503, description="a 'status' fault's answer: 429 or a 5xx")

    @field_validator("status")
    @classmethod
    def _failure_status(cls, value: int) -> int:
        if value != 429 and not 500 <= value <= 599:
            raise ValueError(f"a scripted status is 429 or 5xx, got {value}")
        return value


class FaultConfig(BaseModel):
    """What both emulators can do wrong; each emulator's ``FaultConfig`` adds its own kinds."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    seed: int = 0
    latency: float = Field(0.0, ge=0, description="seconds added to every request")
    error_5xx: Share = Field(0.0, ge=0, le=1, description="answer 500/502/503 without applying anything")
    error_5xx_statuses: list[int] = Field(default_factory=lambda: [500, 502, 503])
    drop_after_apply: Share = Field(0.0, ge=0, le=1, description="apply the request, then answer 502 without it")
    timeout_seconds: float = Field(30.0, ge=0, description="how long a timeout fault hangs before going on")
    script: list[ScriptedFault] = Field(default_factory=list, description="exact failures by request number")
    token_revoked: bool = Field(False, description="every request answers 401, as with revoked credentials")


@dataclass(frozen=True)
class FaultDecision:
    """What to do with one request; the emulator's endpoint acts on it in the order of the fields."""

    latency: float = 0.0
    unauthorized: bool = False  # answer 401 as for revoked credentials
    hang: float = 0.0  # seconds to wait before executing (a client timeout fires meanwhile)
    status: int | None = None  # 5xx or 429: answer this instead of executing
    throttled: bool = False  # Shopify: a 200 THROTTLED body, as an empty bucket answers
    busy: bool = False  # POHODA: 503 busy
    drop_after_apply: bool = False  # the share: lose the answer of a request that applied a write
    lost_answer: bool = False  # the script: lose the answer of this request, whatever it did


C = TypeVar("C", bound=FaultConfig)


class SeededFaults(ABC, Generic[C]):
    """The config, its seeded random sequence, the request count and the script, behind one lock (the
    emulators answer requests on several threads)."""

    def __init__(self, config: C) -> None:
        self._lock = threading.Lock()
        self.set(config)

    @property
    def config(self) -> C:
        return self._config

    @property
    def requests(self) -> int:
        """Requests drawn for since the config was set."""
        return self._count

    @property
    def token_revoked(self) -> bool:
        return self._config.token_revoked

    def set(self, config: C) -> None:
        with self._lock:
            self._config = config
            self._rng = random.Random(config.seed)
            self._count = 0

    def update(self, config: C | None = None, **changes: Any) -> C:
        """Replace the config (or change some of its fields); count and random sequence restart."""
        base = config or self._config
        merged = type(base)(**{**base.model_dump(), **changes})
        self.set(merged)
        return merged

    def draw(self) -> FaultDecision:
        """One decision per request: the shares first (always, so the sequence does not depend on the
        script), then the scripted fault of this request number, if any."""
        with self._lock:
            self._count += 1
            decision = self._roll(self._config, self._rng)
            if self._config.token_revoked:
                return replace(decision, unauthorized=True)
            scripted = next((s for s in self._config.script if s.request == self._count), None)
            if scripted is None:
                return decision
            if scripted.fault == "revoke":
                # stays revoked for later requests; not a new config, so count and sequence go on
                self._config = self._config.model_copy(update={"token_revoked": True})
                return replace(decision, unauthorized=True)
            plain = FaultDecision(latency=decision.latency)
            if scripted.fault == "status":
                return replace(plain, status=scripted.status)
            if scripted.fault == "timeout":
                return replace(plain, hang=self._config.timeout_seconds)
            return replace(plain, lost_answer=True)

    def chance(self, share: Share) -> bool:
        """One more draw from the sequence (e.g. whether a bulk operation fails)."""
        with self._lock:
            return bool(share) and self._rng.random() < share

    @abstractmethod
    def _roll(self, config: C, rng: random.Random) -> FaultDecision:
        """The emulator's shares for one request, drawn in a fixed order."""


async def faults_endpoint(request: Request) -> Response:
    """``GET|POST /_emulator/faults``: read the config, or merge a partial JSON config into it."""
    emulator = request.app.state.emulator
    if request.method == "POST":
        try:
            emulator.set_faults(**(await request.json()))
        except (ValueError, TypeError, ValidationError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=422)
    return JSONResponse(emulator.faults.config.model_dump())

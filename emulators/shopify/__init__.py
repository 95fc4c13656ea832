"""A local Shopify Admin GraphQL API (2026-04 subset): stateful, cost-limited, fault-injecting.

See ``emulators/shopify/README.md`` for what is emulated and the admin endpoints.
"""

from .app import Emulator, create_app
from .clock import Clock, FakeClock, SystemClock
from .config import API_VERSION, DEFAULT_TOKEN, EmulatorConfig, FaultConfig
from .cost import actual_cost, requested_cost
from .schema import SDL_PATH, executable_schema
from .server import emulator_client, emulator_of, running_emulator, serve
from .state import ShopState

__all__ = [
    "API_VERSION",
    "DEFAULT_TOKEN",
    "SDL_PATH",
    "Clock",
    "Emulator",
    "EmulatorConfig",
    "FakeClock",
    "FaultConfig",
    "ShopState",
    "SystemClock",
    "actual_cost",
    "create_app",
    "emulator_client",
    "emulator_of",
    "executable_schema",
    "requested_cost",
    "running_emulator",
    "serve",
]

"""A local STORMWARE POHODA mServer: stateful, XSD-checked, one request at a time, fault-injecting.

See ``emulators/pohoda/README.md`` for what is emulated, where it differs from the real mServer, and the admin
endpoints.
"""

from .app import PohodaEmulator, create_app
from .clock import Clock, FakeClock, SystemClock
from .config import DEFAULT_ICO, DEFAULT_PASSWORD, DEFAULT_USER, FaultConfig, PohodaEmulatorConfig
from .processor import IMPORTS, LISTS
from .seeding import ITEM_KEY_PARAMETER, PRICE_LEVEL_COMPARE_AT, SeedReport
from .server import emulator_client, emulator_of, running_emulator, serve
from .state import PohodaState
from .xml import NS

__all__ = [
    "DEFAULT_ICO",
    "DEFAULT_PASSWORD",
    "DEFAULT_USER",
    "IMPORTS",
    "ITEM_KEY_PARAMETER",
    "LISTS",
    "NS",
    "PRICE_LEVEL_COMPARE_AT",
    "Clock",
    "FakeClock",
    "FaultConfig",
    "PohodaEmulator",
    "PohodaEmulatorConfig",
    "PohodaState",
    "SeedReport",
    "SystemClock",
    "create_app",
    "emulator_client",
    "emulator_of",
    "running_emulator",
    "serve",
]

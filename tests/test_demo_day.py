"""``demo --serve`` runs a shop's day in order, and its UI port survives a restart."""

from __future__ import annotations

import socket
from types import SimpleNamespace

from commerce_sync.processes import free_port
from commerce_sync.serve import Deployment, run_a_day


class FakeStack:
    """Deployments in prefect.yaml's order (a shop's categories interleaved with another's); records what ran."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self._wired = [
            Deployment(f"{sync}/{shop}", shop, sync, category, f"{shop}-{category}")
            for shop in ("a", "b")
            for sync, category in (
                ("maintenance", "maintenance"),
                ("sync-orders", "orders"),
                ("sync-products", "catalog"),
            )
        ]

    def wired(self) -> list[Deployment]:
        return self._wired

    def trigger(self, name: str) -> str:
        self.events.append(f"trigger {name}")
        return name

    def wait_for(self, ids: list[str], timeout: float) -> dict:
        self.events.append("wait")
        state = SimpleNamespace(name="Completed", message="")
        return {run_id: SimpleNamespace(state=state) for run_id in ids}


def test_the_catalogue_runs_first_then_orders_then_maintenance_each_waited_for():
    stack = FakeStack()

    states = run_a_day(stack)

    assert stack.events == [
        "trigger sync-products/a",
        "trigger sync-products/b",
        "wait",
        "trigger sync-orders/a",
        "trigger sync-orders/b",
        "wait",
        "trigger maintenance/a",
        "trigger maintenance/b",
        "wait",
    ]
    assert set(states.values()) == {"Completed"}


def test_a_port_whose_server_just_stopped_is_free_again():
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.listen()
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server side closes first: its end of the connection waits in TIME_WAIT
    client.close()
    server.close()

    assert free_port(preferred=port) == port


def test_a_port_something_listens_on_is_not_handed_out():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        assert free_port(preferred=port) != port

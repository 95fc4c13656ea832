"""The fault injector both emulators share: seeded shares, and a script of exact failures by request number."""

from __future__ import annotations

import random

import pytest
from pydantic import Field, ValidationError

from emulators.faults import FaultConfig, FaultDecision, ScriptedFault, SeededFaults


class OneShareConfig(FaultConfig):
    flaky: float = Field(0.0, ge=0, le=1)


class OneShareInjector(SeededFaults[OneShareConfig]):
    """The smallest emulator: one share, drawn as a 503."""

    def _roll(self, config: OneShareConfig, rng: random.Random) -> FaultDecision:
        return FaultDecision(latency=config.latency, status=503 if rng.random() < config.flaky else None)


def _statuses(injector: OneShareInjector, count: int) -> list[int | None]:
    return [injector.draw().status for _ in range(count)]


def test_a_scripted_request_fails_exactly_and_leaves_the_others_random_sequence_alone():
    plain = OneShareInjector(OneShareConfig(seed=5, flaky=0.3))
    scripted = OneShareInjector(
        OneShareConfig(seed=5, flaky=0.3, script=[ScriptedFault(request=4, fault="status", status=502)])
    )

    expected = _statuses(plain, 12)
    got = _statuses(scripted, 12)

    assert got[3] == 502
    assert got[:3] + got[4:] == expected[:3] + expected[4:]
    assert 503 in expected  # the share did fire somewhere: the comparison above is not between empty sequences


def test_each_scripted_kind_gives_its_decision_at_its_request():
    script = [
        ScriptedFault(request=1, fault="timeout"),
        ScriptedFault(request=2, fault="lost_answer"),
        ScriptedFault(request=3, fault="status", status=429),
    ]
    injector = OneShareInjector(OneShareConfig(timeout_seconds=4.5, latency=0.25, script=script))

    first, second, third, fourth = (injector.draw() for _ in range(4))

    assert (first.hang, first.status, first.lost_answer) == (4.5, None, False)
    assert (second.lost_answer, second.hang) == (True, 0.0)
    assert third.status == 429
    assert fourth == FaultDecision(latency=0.25)
    assert {d.latency for d in (first, second, third)} == {0.25}  # latency is added to scripted requests too


def test_a_scripted_revocation_holds_for_every_later_request_until_a_config_lifts_it():
    injector = OneShareInjector(OneShareConfig(script=[ScriptedFault(request=2, fault="revoke")]))

    decisions = [injector.draw() for _ in range(4)]

    assert [d.unauthorized for d in decisions] == [False, True, True, True]
    assert injector.token_revoked and injector.config.token_revoked  # GET /_emulator/faults shows it
    assert injector.requests == 4  # revoking did not restart the count
    injector.update(token_revoked=False, script=[])
    assert not injector.draw().unauthorized


def test_setting_a_config_restarts_the_request_count_of_the_script():
    injector = OneShareInjector(OneShareConfig(script=[ScriptedFault(request=2, fault="status")]))
    assert _statuses(injector, 3) == [None, 503, None]

    injector.update(seed=1)  # a partial change is a new config: request 2 comes again

    assert _statuses(injector, 2) == [None, 503]


@pytest.mark.parametrize("status", [200, 401, 404, 600])
def test_a_scripted_status_is_a_429_or_a_5xx(status):
    with pytest.raises(ValidationError, match="429 or 5xx"):
        ScriptedFault(request=1, fault="status", status=status)


def test_a_script_entry_with_an_unknown_fault_or_request_zero_is_refused():
    with pytest.raises(ValidationError):
        ScriptedFault(request=1, fault="explode")
    with pytest.raises(ValidationError):
        ScriptedFault(request=0, fault="timeout")

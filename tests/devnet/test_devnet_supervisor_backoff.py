"""The supervisor's backoff: a process that keeps dying is retried later and later, and each restart is said.

The network here is a stand-in whose node "exits" as soon as it is started, and the clock is the test's:
what is tested is the supervisor's bookkeeping, not time. tests/devnet/test_devnet_supervision.py runs the
supervisor on a real network with real processes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from origo_devnet.network import Network
from origo_devnet.supervisor import Supervisor, describe_exit


class _Exited:
    """A process that has exited with ``code``."""

    def __init__(self, code: int) -> None:
        self.code = code

    def poll(self) -> int:
        return self.code


@dataclass
class _Member:
    process: _Exited | None


@dataclass
class _Network:
    """What the supervisor uses of a Network: members' processes, stop_node/start_node, an optional anvil
    or Clique chain."""

    clock: list[float]
    members: dict[str, _Member] = field(default_factory=dict)
    anvil: Any = None
    clique: Any = None
    starts: list[float] = field(default_factory=list)
    stays_up_from: int = 99  # the start (counted from 0) from which the node keeps running

    def stop_node(self, code: str) -> None:
        self.members[code].process = None

    def start_node(self, code: str) -> None:
        self.starts.append(self.clock[0])
        running = len(self.starts) > self.stays_up_from
        self.members[code].process = None if running else _Exited(3)


def run(network: _Network, supervisor: Supervisor, until: float, step: float = 0.1) -> None:
    while network.clock[0] < until:
        supervisor.check()
        network.clock[0] = round(network.clock[0] + step, 3)


def test_exit_codes_in_words() -> None:
    assert describe_exit(-9) == "exit code -9, killed by SIGKILL"
    assert describe_exit(3) == "exit code 3"


def test_a_process_that_keeps_dying_is_restarted_with_growing_delays_then_settles() -> None:
    clock = [0.0]
    network = _Network(clock, members={"VN": _Member(_Exited(-9))}, stays_up_from=4)
    said: list[str] = []
    supervisor = Supervisor(
        cast(Network, network),
        say=said.append,
        first_backoff_s=1.0,
        max_backoff_s=4.0,
        clock=lambda: clock[0],
    )
    network.members["VN"].process = _Exited(-9)
    run(network, supervisor, until=30.0)
    # At once, then 1, 2, 4 (the cap), 4 seconds after each exit is noticed (at the next pass, 0.1 s after
    # the start); the fifth start stays up and nothing more happens.
    assert network.starts == [0.0, 1.1, 3.2, 7.3, 11.4]
    assert said[0] == "VN's node stopped (exit code -9, killed by SIGKILL); restarted it (restart 1)"
    assert said[1] == "VN's node stopped again (exit code 3); restarting it in 1 s"
    assert said[2] == "VN's node stopped (exit code 3); restarted it (restart 2)"
    assert said[-1] == "VN's node stopped (exit code 3); restarted it (restart 5)"
    assert supervisor.restarts("VN") == 5


def test_the_new_process_is_saved_before_the_restart_is_said() -> None:
    """Whoever reads "restarted it" (a person, a script, the supervision test) must find the new pid saved."""
    clock = [0.0]
    network = _Network(clock, members={"VN": _Member(_Exited(-9))}, stays_up_from=0)
    events: list[str] = []
    supervisor = Supervisor(
        cast(Network, network),
        say=lambda line: events.append("said"),
        on_restart=lambda: events.append("saved"),
        clock=lambda: clock[0],
    )
    supervisor.check()
    assert events == ["saved", "said"]

"""The supervisor's backoff: a process that keeps dying is retried later and later, and each restart is said.

The network here is a stand-in holding real processes that exit at once (``python -c 'exit(3)'``): what is
tested is the supervisor's bookkeeping; tests/devnet/test_devnet_supervision.py runs it on a real network.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import Any, cast

from origo_devnet.network import Network
from origo_devnet.supervisor import Supervisor, describe_exit


@dataclass
class _Member:
    process: subprocess.Popen[bytes] | None


@dataclass
class _Network:
    """What the supervisor uses of a Network: members' processes, stop_node/start_node, an optional anvil."""

    members: dict[str, _Member] = field(default_factory=dict)
    anvil: Any = None
    starts: list[float] = field(default_factory=list)

    def stop_node(self, code: str) -> None:
        self.members[code].process = None

    def start_node(self, code: str) -> None:
        self.starts.append(time.monotonic())
        self.members[code].process = subprocess.Popen([sys.executable, "-c", "exit(3)"])
        self.members[code].process.wait()


def test_exit_codes_in_words() -> None:
    assert describe_exit(-9) == "exit code -9, killed by SIGKILL"
    assert describe_exit(3) == "exit code 3"


def test_a_process_that_keeps_dying_is_restarted_with_growing_delays() -> None:
    network = _Network(members={"VN": _Member(None)})
    network.start_node("VN")
    network.starts.clear()
    said: list[str] = []
    supervisor = Supervisor(
        cast(Network, network), say=said.append, first_backoff_s=0.2, max_backoff_s=0.4, poll_s=0.01
    )
    deadline = time.monotonic() + 3
    while len(network.starts) < 4 and time.monotonic() < deadline:
        supervisor.check()
        time.sleep(0.01)
    assert len(network.starts) == 4
    gaps = [b - a for a, b in zip(network.starts, network.starts[1:], strict=False)]
    assert gaps[0] >= 0.2 and gaps[1] >= 0.4 and gaps[2] >= 0.4, gaps  # 0.2, then capped at 0.4
    assert gaps[2] < 0.8, gaps
    assert said[0] == "VN's node stopped (exit code 3); restarted it (restart 1)"
    assert said[1] == "VN's node stopped again (exit code 3); restarting it in 0 s"
    assert said[2] == "VN's node stopped (exit code 3); restarted it (restart 2)"
    assert supervisor.restarts("VN") == 4

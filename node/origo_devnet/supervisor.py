"""Keeps a local consortium running: a node or the chain that dies is started again, with backoff.

``make up`` runs for hours on a developer's machine; a node that crashed (or that the kernel killed for
memory) used to stay down until someone noticed. The supervisor polls the processes it started, restarts
one that exited, and says so in plain words ("VN's node stopped (exit code -9, killed by SIGKILL);
restarted it (restart 1)"). A process that keeps dying is retried after 1, 2, 4 ... up to 30 seconds, so a
node that cannot start (a broken setting) does not spin; one that stayed up a minute starts again at 1 s.

Production nodes are supervised by systemd instead (docs/deploy/origo-node.service).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from origo_devnet.network import Network

#: The chain's row in the supervisor's books (member codes are two letters, so this cannot clash).
CHAIN = "chain"


def chain_node(code: str) -> str:
    """The row of member ``code``'s own chain node (a Clique sealer)."""
    return f"chain-{code}"


def describe_exit(code: int) -> str:
    """``-9`` -> "exit code -9, killed by SIGKILL"; a process's own exit code as is."""
    if code < 0:
        try:
            return f"exit code {code}, killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"exit code {code}"
    return f"exit code {code}"


@dataclass
class _Watched:
    label: str  # "VN's node", "the chain (anvil)"
    restarts: int = 0
    failures_in_a_row: int = 0
    started_at: float = 0.0
    retry_at: float | None = None  # when it is down: when to try again
    last_exit: str = ""


class Supervisor:
    """Restarts the network's processes that exit, until ``stop`` is set; ``check()`` is one pass."""

    def __init__(
        self,
        network: Network,
        *,
        say: Callable[[str], None],
        first_backoff_s: float = 1.0,
        max_backoff_s: float = 30.0,
        stable_after_s: float = 60.0,
        poll_s: float = 0.5,
        on_restart: Callable[[], object] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.network = network
        self._say = say
        self._first_backoff = first_backoff_s
        self._max_backoff = max_backoff_s
        self._stable_after = stable_after_s
        self._poll = poll_s
        self._on_restart = on_restart
        self._clock = clock
        now = clock()
        self._watched: dict[str, _Watched] = {
            code: _Watched(f"{code}'s node", started_at=now)
            for code, node in network.members.items()
            if node.process is not None
        }
        if network.anvil is not None:
            self._watched[CHAIN] = _Watched("the chain (anvil)", started_at=now)
        if network.clique is not None:
            for code in network.clique.codes():
                self._watched[chain_node(code)] = _Watched(f"{code}'s chain node (geth)", started_at=now)

    def restarts(self, name: str) -> int:
        """How many times ``name`` (a member code, or ``CHAIN``) was restarted."""
        return self._watched[name].restarts

    def run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.check(stop)
            stop.wait(self._poll)

    def check(self, stop: threading.Event | None = None) -> None:
        """One pass: notices exits, restarts what is due. The chain first: nodes need it to start."""
        for name in sorted(self._watched, key=lambda n: not n.startswith(CHAIN)):
            if stop is not None and stop.is_set():
                return
            watched = self._watched[name]
            now = self._clock()
            if watched.retry_at is None:
                code = self._exit_code(name)
                if code is None:
                    if now - watched.started_at >= self._stable_after:
                        watched.failures_in_a_row = 0
                    continue
                watched.last_exit = describe_exit(code)
                watched.retry_at = now + self._delay(watched)
                if watched.failures_in_a_row > 0:
                    # It died again soon after a restart: say that it waits, then the restart says the rest.
                    self._say(
                        f"{watched.label} stopped again ({watched.last_exit}); "
                        f"restarting it in {watched.retry_at - now:.0f} s"
                    )
            if watched.retry_at is not None and now >= watched.retry_at:
                self._restart(name, watched)

    def _delay(self, watched: _Watched) -> float:
        if watched.failures_in_a_row == 0:
            return 0.0
        return float(min(self._first_backoff * 2 ** (watched.failures_in_a_row - 1), self._max_backoff))

    def _exit_code(self, name: str) -> int | None:
        if name == CHAIN:
            anvil = self.network.anvil
            return anvil.exit_code() if anvil is not None else None
        if name.startswith(CHAIN):
            clique = self.network.clique
            return clique.exit_code(name.removeprefix("chain-")) if clique is not None else None
        process = self.network.members[name].process
        return process.poll() if process is not None else None

    def _restart(self, name: str, watched: _Watched) -> None:
        watched.restarts += 1
        watched.failures_in_a_row += 1
        try:
            if name == CHAIN:
                anvil = self.network.anvil
                assert anvil is not None
                anvil.stop()
                anvil.start()
                what = "restarted it from its last saved state"
            elif name.startswith(CHAIN):
                clique = self.network.clique
                assert clique is not None
                clique.restart(name.removeprefix("chain-"))
                what = "restarted it; it caught up with its peers and seals again"
            else:
                self.network.stop_node(name)  # cleans up: the log file, worker processes left behind
                self.network.start_node(name)
                what = "restarted it"
        except Exception as exc:  # it failed to start: report, back off and try again
            delay = self._delay(watched)
            watched.retry_at = self._clock() + delay
            self._say(
                f"{watched.label} stopped ({watched.last_exit}) and did not start again: {exc}; "
                f"trying again in {delay:.0f} s (restart {watched.restarts})"
            )
            return
        watched.retry_at = None
        watched.started_at = self._clock()
        # Saved before it is said: whoever reads the message (a person, a script) finds the new process id.
        if self._on_restart is not None:
            self._on_restart()
        self._say(f"{watched.label} stopped ({watched.last_exit}); {what} (restart {watched.restarts})")

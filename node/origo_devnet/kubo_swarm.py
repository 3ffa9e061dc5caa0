"""kubo daemons joined in a private swarm: one per member, reachable only by each other.

What makes the swarm private, and why each setting is there:

- a shared ``swarm.key`` (libp2p pre-shared key, ``/key/swarm/psk/1.0.0/``) in every repository, and
  ``LIBP2P_FORCE_PNET=1`` in every daemon's environment, so that a daemon without the key refuses to start
  rather than silently join the public network;
- the bootstrap list and ``Peering.Peers`` set to the other members only (peering keeps reconnecting to them,
  so a restarted daemon finds the swarm again); no public DHT (``Routing.Type = none``: blocks are found by
  asking connected members over bitswap), no autoconf, no mDNS, no relays, no NAT port mapping;
- TCP only (libp2p's private networks do not support QUIC and WebTransport), RPC API, gateway and swarm on
  127.0.0.1.

Part of the dev harness: used by ``make up IPFS=kubo``, the end-to-end tests and the payload conformance
suite.
A production member configures its own daemon the same way (see ``configure``), with its real addresses.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from origo_network.anvil import free_port
from origo_node.errors import PayloadError

REPO_ROOT = Path(__file__).resolve().parents[2]
#: Where ``make kubo`` builds the pinned kubo (see the Makefile).
PROJECT_IPFS = REPO_ROOT / ".tools" / "bin" / "ipfs"
SWARM_KEY_HEADER = "/key/swarm/psk/1.0.0/\n/base16/\n"


class KuboNotInstalled(PayloadError):
    pass


def ipfs_binary() -> Path:
    """The kubo binary: ``ORIGO_IPFS_BIN``, else the project's own build, else ``ipfs`` on PATH."""
    named = os.environ.get("ORIGO_IPFS_BIN")
    if named:
        if not Path(named).is_file():
            raise KuboNotInstalled(f"ORIGO_IPFS_BIN names {named}, which is not a file")
        return Path(named)
    if PROJECT_IPFS.exists():
        return PROJECT_IPFS
    found = shutil.which("ipfs")
    if found is None:
        raise KuboNotInstalled(
            f"no kubo binary: run `make kubo` (builds it into {PROJECT_IPFS}) or set ORIGO_IPFS_BIN"
        )
    return Path(found)


def new_swarm_key() -> str:
    """A fresh pre-shared key in the format kubo reads from ``<repo>/swarm.key``."""
    return SWARM_KEY_HEADER + secrets.token_hex(32) + "\n"


def configure(config: dict[str, Any], *, api_port: int, gateway_port: int, swarm_port: int) -> None:
    """Turns a freshly initialised kubo config into a private-swarm member's, listening on loopback."""
    config["Addresses"].update(
        API=f"/ip4/127.0.0.1/tcp/{api_port}",
        Gateway=f"/ip4/127.0.0.1/tcp/{gateway_port}",
        Swarm=[f"/ip4/127.0.0.1/tcp/{swarm_port}"],
        Announce=[],
        AppendAnnounce=[],
        NoAnnounce=[],
    )
    config["Bootstrap"] = []
    config["AutoConf"] = {"Enabled": False}
    config["Routing"] = {"Type": "none"}
    config.setdefault("Discovery", {})["MDNS"] = {"Enabled": False}
    swarm = config.setdefault("Swarm", {})
    swarm.update(DisableNatPortMap=True)
    swarm["RelayClient"] = {"Enabled": False}
    swarm["RelayService"] = {"Enabled": False}
    swarm["Transports"] = {
        "Network": {"QUIC": False, "WebTransport": False, "WebRTCDirect": False, "Websocket": False}
    }
    config["AutoNAT"] = {"ServiceMode": "disabled"}


@dataclass
class KuboDaemon:
    """One kubo repository and, while started, its daemon process."""

    repo: Path
    api_port: int = field(default_factory=free_port)
    gateway_port: int = field(default_factory=free_port)
    swarm_port: int = field(default_factory=free_port)
    peer_id: str = ""
    binary: Path = field(default_factory=ipfs_binary)
    process: subprocess.Popen[bytes] | None = None
    _log: IO[bytes] | None = None

    @property
    def api(self) -> str:
        """The RPC API as a multiaddr, what ``kubo_api`` takes."""
        return f"/ip4/127.0.0.1/tcp/{self.api_port}/http"

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def swarm_address(self) -> str:
        return f"/ip4/127.0.0.1/tcp/{self.swarm_port}/p2p/{self.peer_id}"

    @property
    def _env(self) -> dict[str, str]:
        return {**os.environ, "IPFS_PATH": str(self.repo), "LIBP2P_FORCE_PNET": "1"}

    def init(self, swarm_key: str) -> KuboDaemon:
        """Creates the repository, configured for the private swarm on this object's ports."""
        self.repo.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [str(self.binary), "init", "--empty-repo", "--profile=test"],
            env=self._env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise PayloadError(f"ipfs init failed in {self.repo}: {result.stderr.strip()}")
        (self.repo / "swarm.key").write_text(swarm_key, encoding="ascii")
        config_path = self.repo / "config"
        config = json.loads(config_path.read_text(encoding="utf-8"))
        configure(config, api_port=self.api_port, gateway_port=self.gateway_port, swarm_port=self.swarm_port)
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")
        self.peer_id = str(config["Identity"]["PeerID"])
        return self

    @classmethod
    def open(cls, repo: Path) -> KuboDaemon:
        """A repository made before (by ``init``), on the ports its config names."""
        config = json.loads((repo / "config").read_text(encoding="utf-8"))
        addresses = config["Addresses"]

        def port(address: str) -> int:
            return int(address.rsplit("/", 1)[1])

        return cls(
            repo,
            api_port=port(addresses["API"]),
            gateway_port=port(addresses["Gateway"]),
            swarm_port=port(addresses["Swarm"][0]),
            peer_id=str(config["Identity"]["PeerID"]),
        )

    def set_members(self, others: Iterable[KuboDaemon]) -> None:
        """The bootstrap list and the peering list: the other members, nobody else."""
        config_path = self.repo / "config"
        config = json.loads(config_path.read_text(encoding="utf-8"))
        others = list(others)
        config["Bootstrap"] = [other.swarm_address for other in others]
        config["Peering"] = {
            "Peers": [
                {"ID": other.peer_id, "Addrs": [f"/ip4/127.0.0.1/tcp/{other.swarm_port}"]} for other in others
            ]
        }
        config_path.write_text(json.dumps(config, indent=2), encoding="utf-8")

    def start(self, timeout: float = 60.0) -> KuboDaemon:
        if self.running:
            return self
        self._log = (self.repo / "daemon.log").open("ab")
        self.process = subprocess.Popen(
            # Without --enable-gc: nothing is collected behind the node's back (pins would survive it anyway).
            [str(self.binary), "daemon", "--migrate=false"],
            env=self._env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise PayloadError(
                    f"kubo exited with code {self.process.returncode} at start;"
                    f" see {self.repo / 'daemon.log'}"
                )
            try:
                self.rpc("id", timeout=1.0)
                return self
            except (httpx.HTTPError, PayloadError):
                time.sleep(0.1)
        self.stop()
        raise PayloadError(f"kubo did not answer on {self.api_url} within {timeout:.0f} s")

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self, *, kill: bool = False) -> None:
        """Stops the daemon this object started (by its pid); the repository stays."""
        if self.process is not None:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
                try:
                    self.process.wait(20)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(5)
            self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def rpc(self, command: str, *args: str, timeout: float = 10.0, **options: str) -> Any:
        """One call to the daemon's RPC API (``POST /api/v0/<command>``), its JSON answer."""
        params: list[tuple[str, str | int | float | bool | None]] = [("arg", arg) for arg in args]
        params.extend(options.items())
        response = httpx.post(f"{self.api_url}/api/v0/{command}", params=params, timeout=timeout)
        if response.status_code != 200:
            raise PayloadError(f"kubo {command} failed: {response.text.strip()}")
        return response.json() if response.content else None

    def connected_peers(self) -> set[str]:
        answer = self.rpc("swarm/peers") or {}
        return {str(peer["Peer"]) for peer in answer.get("Peers") or []}

    def pins(self) -> set[str]:
        answer = self.rpc("pin/ls", type="recursive") or {}
        return set((answer.get("Keys") or {}).keys())


@dataclass
class KuboSwarm:
    """One daemon per member under ``root/<code>``, sharing one swarm key and bootstrapping to each other."""

    root: Path
    daemons: dict[str, KuboDaemon] = field(default_factory=dict)

    @classmethod
    def create(cls, root: Path, codes: Sequence[str]) -> KuboSwarm:
        """Makes the repositories missing under ``root`` (keeping those made before, with their ports and
        pins) and points each one's bootstrap and peering lists at all the others."""
        root.mkdir(parents=True, exist_ok=True)
        key_path = root / "swarm.key"
        if not key_path.exists():
            key_path.write_text(new_swarm_key(), encoding="ascii")
            key_path.chmod(0o600)
        key = key_path.read_text(encoding="ascii")
        swarm = cls(root)
        for code in codes:
            repo = root / code
            made = (repo / "config").exists()
            swarm.daemons[code] = KuboDaemon.open(repo) if made else KuboDaemon(repo).init(key)
        for code, daemon in swarm.daemons.items():
            daemon.set_members(other for other_code, other in swarm.daemons.items() if other_code != code)
        return swarm

    @classmethod
    def add_member(cls, root: Path, code: str) -> KuboDaemon | None:
        """A repository for a member joining a swarm made before under ``root`` (None if there is none), with
        every member's bootstrap and peering lists rewritten to include it; the daemons read them at their
        next start."""
        if not (root / "swarm.key").exists():
            return None
        members = sorted(p.name for p in root.iterdir() if (p / "config").exists())
        return cls.create(root, [*members, code]).daemons[code]

    def start(self) -> KuboSwarm:
        for daemon in self.daemons.values():
            daemon.start()
        self.connect()
        return self

    def connect(self, timeout: float = 30.0) -> None:
        """Waits until every running daemon sees every other running one (bootstrap and peering do the
        dialling; this only asks as well, so that a test does not wait for a backoff to expire)."""
        running = [d for d in self.daemons.values() if d.running]
        deadline = time.monotonic() + timeout
        while True:
            missing = []
            for daemon in running:
                seen = daemon.connected_peers()
                for other in running:
                    if other is not daemon and other.peer_id not in seen:
                        missing.append((daemon, other))
            if not missing:
                return
            if time.monotonic() > deadline:
                pairs = ", ".join(f"{a.repo.name}->{b.repo.name}" for a, b in missing)
                raise PayloadError(f"kubo daemons not connected after {timeout:.0f} s: {pairs}")
            for daemon, other in missing:
                with contextlib.suppress(PayloadError, httpx.HTTPError):  # retried until the deadline
                    daemon.rpc("swarm/connect", other.swarm_address)
            time.sleep(0.2)

    def restart(self, code: str) -> KuboDaemon:
        """Stops and starts one member's daemon on the same repository and ports."""
        daemon = self.daemons[code]
        daemon.stop()
        daemon.start()
        self.connect()
        return daemon

    def stop(self) -> None:
        for daemon in self.daemons.values():
            daemon.stop()

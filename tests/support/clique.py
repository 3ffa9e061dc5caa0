"""A real Clique consortium for tests, made the way the RUNBOOK makes one: every member's keys from
``origo node init``, ``origo network generate --consensus clique`` from their member.json, each member's geth
started with the generated setup.sh and run.sh (its own data directory, sealer key, static peers, RPC on
loopback), and each member's Origo node process on the generated node.toml, talking only to its own geth.

Faults go through the processes and geth's own admin API over IPC (never enabled on the HTTP RPC):
``kill`` (SIGKILL), ``stop`` (SIGTERM), ``start`` again, ``partition`` / ``heal`` (admin_removePeer /
admin_addPeer on both sides).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import tomllib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from origo_devnet.network import MEMBER_NAMES, MemberNode, Network, prepare_member
from origo_network import ChainSettings, add_member, generate_network, load_member, load_members
from origo_network.anvil import free_port
from origo_node.operator_tasks import update_config
from origo_node.settings import CONFIG_FILE
from web3 import Web3

REPO = Path(__file__).resolve().parents[2]
#: What the generated node.toml sets that the test's own node.toml (port, local payloads) keeps.
CHAIN_SETTINGS = (
    "chain_rpc",
    "chain_id",
    "membership_address",
    "registry_address",
    "deployment_block",
    "consensus",
)


def geth_binary() -> Path:
    """The pinned geth of `make geth` (or $ORIGO_GETH)."""
    path = Path(os.environ.get("ORIGO_GETH") or REPO / ".tools" / "bin" / "geth")
    if not path.is_file():
        raise RuntimeError(f"geth not found at {path}: run `make geth`")
    return path


@dataclass
class Sealer:
    """One member's geth, started from its generated directory."""

    code: str
    files: Path  # members/XX/geth
    data: Path
    rpc_url: str
    enode: str
    address: str
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "PATH": f"{geth_binary().parent}:{os.environ['PATH']}",
            "DATADIR": str(self.data),
        }

    def setup(self) -> subprocess.Popen[bytes]:
        """Runs the generated setup.sh (geth init, the sealer key imported); the caller waits."""
        (self.files / "password").write_text("a test passphrase\n")
        return subprocess.Popen(
            ["sh", "setup.sh"],
            cwd=self.files,
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    def start(self, timeout: float = 30.0) -> None:
        self.spawn()
        self.wait_ready(timeout)

    def spawn(self) -> None:
        self.log = (self.data / "geth.log").open("ab")
        # run.sh execs geth, so the pid we hold is geth's own.
        self.process = subprocess.Popen(
            ["sh", "run.sh"], cwd=self.files, env=self.env(), stdout=self.log, stderr=subprocess.STDOUT
        )

    def wait_ready(self, timeout: float = 30.0) -> None:
        assert self.process is not None and self.log is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"geth of {self.code} exited with {self.process.returncode}; see {self.log.name}"
                )
            try:
                self.rpc("eth_blockNumber")
                return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"geth of {self.code} did not answer within {timeout:.0f} s")

    def kill(self) -> None:
        self._end(signal.SIGKILL)

    def stop(self) -> None:
        self._end(signal.SIGTERM)

    def _end(self, sig: signal.Signals) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None
        if self.log is not None:
            self.log.close()
            self.log = None

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def rpc(self, method: str, *params: Any) -> Any:
        """A JSON-RPC call over HTTP (eth, net, web3, clique)."""
        w3 = Web3(Web3.HTTPProvider(self.rpc_url, request_kwargs={"timeout": 5}))
        answer = w3.provider.make_request(method, list(params))  # type: ignore[arg-type]
        if "error" in answer:
            raise RuntimeError(f"{method} at {self.code}: {answer['error']}")
        return answer["result"]

    def admin(self, method: str, *params: Any) -> Any:
        """geth's admin API over IPC: the HTTP RPC does not offer it."""
        w3 = Web3(Web3.IPCProvider(str(self.data / "geth.ipc"), timeout=10))
        return w3.provider.make_request(method, list(params))["result"]  # type: ignore[arg-type]

    def head(self) -> int:
        return int(self.rpc("eth_blockNumber"), 16)

    def signers(self) -> list[str]:
        return sorted(Web3.to_checksum_address(a) for a in self.rpc("clique_getSigners"))

    def signer_of(self, number: int) -> str:
        return str(Web3.to_checksum_address(self.rpc("clique_getSigner", hex(number))))


@dataclass
class CliqueConsortium:
    root: Path
    generated: Path
    summary: dict[str, Any]
    net: Network
    sealers: dict[str, Sealer] = field(default_factory=dict)

    def partition(self, side: Sequence[str]) -> None:
        """No peering between ``side`` and the others, on both ends (static peers would redial)."""
        for a, b in self._across(side):
            for x, y in ((a, b), (b, a)):
                self.sealers[x].admin("admin_removeTrustedPeer", self.sealers[y].enode)
                self.sealers[x].admin("admin_removePeer", self.sealers[y].enode)

    def heal(self, side: Sequence[str]) -> None:
        for a, b in self._across(side):
            for x, y in ((a, b), (b, a)):
                self.sealers[x].admin("admin_addPeer", self.sealers[y].enode)
                self.sealers[x].admin("admin_addTrustedPeer", self.sealers[y].enode)

    def _across(self, side: Sequence[str]) -> list[tuple[str, str]]:
        return [(a, b) for a in side for b in self.sealers if b not in side]

    def join(self, code: str, node_settings: dict[str, Any] | None = None) -> dict[str, Any]:
        """A member joining later, the RUNBOOK's way: `origo node init` keys, `origo network add-member`,
        its geth set up and started (a follower until voted in), the others' running geth told of it
        (admin_addPeer, as a restart on the updated config.toml would), its Origo node started. Returns
        the generated proposal.json."""
        node, keys = prepare_member(self.root, code, free_port(), node_settings=node_settings)
        spec = _spec(code, node, keys)
        (self.root / f"{code}.json").write_text(json.dumps(spec), encoding="utf-8")
        added = add_member(self.generated, load_member(self.root / f"{code}.json"))
        sealer = Sealer(
            code=code,
            files=added.directory / "geth",
            data=self.root / "geth" / code,
            rpc_url=f"http://127.0.0.1:{spec['rpc_port']}",
            enode=added.enode,
            address=added.validator,
        )
        sealer.data.mkdir(parents=True)
        setup = sealer.setup()
        _, err = setup.communicate(timeout=120)
        if setup.returncode != 0:
            raise RuntimeError(f"setup.sh of {code} failed: {err.decode(errors='replace')}")
        sealer.start()
        for other in self.sealers.values():
            if other.running:
                other.admin("admin_addPeer", added.enode)
        self.sealers[code] = sealer
        node_toml = tomllib.loads((added.directory / "origo" / "node.toml").read_text())
        update_config(node.data_dir / CONFIG_FILE, **{k: node_toml[k] for k in CHAIN_SETTINGS})
        self.net.members[code] = node
        self.net.start_nodes([code])
        proposal: dict[str, Any] = json.loads((added.directory / "proposal.json").read_text())
        return proposal

    def wait_in_step(self, block: int, timeout: float = 60.0) -> None:
        """Until every running sealer has the same block ``block``. Sealers started with --mine at once each
        seal a block 1 of their own before they are peered; geth settles on the heaviest only on its sync
        cycle (every 10 s with fewer than five peers), as it would for operators starting together."""
        deadline = time.monotonic() + timeout
        seen: dict[str, str | None] = {}
        while time.monotonic() < deadline:
            for code, sealer in self.sealers.items():
                if sealer.running:
                    found = sealer.rpc("eth_getBlockByNumber", hex(block), False)
                    seen[code] = found["hash"] if found else None
            if None not in seen.values() and len(set(seen.values())) == 1:
                return
            time.sleep(0.2)
        raise TimeoutError(f"the sealers do not agree on block {block} after {timeout:.0f} s: {seen}")

    def stop(self) -> None:
        self.net.stop()
        for sealer in self.sealers.values():
            sealer.stop()


@contextmanager
def clique_consortium(
    root: Path, codes: Sequence[str], *, period: int = 1, node_settings: dict[str, Any] | None = None
) -> Iterator[CliqueConsortium]:
    """The consortium of ``codes`` on its own Clique chain, every process stopped on exit."""
    prepared = {code: prepare_member(root, code, free_port(), node_settings=node_settings) for code in codes}
    specs = [_spec(code, node, keys) for code, (node, keys) in prepared.items()]
    (root / "members.json").write_text(json.dumps(specs), encoding="utf-8")
    generated = root / "generated"
    settings = ChainSettings(consensus="clique", block_period_s=period, voting_period_s=24 * 3600)
    generate_network(load_members(root / "members.json"), generated, settings)
    summary = json.loads((generated / "network.json").read_text(encoding="utf-8"))
    consortium = CliqueConsortium(
        root=root,
        generated=generated,
        summary=summary,
        net=Network(
            root=root,
            rpc_url="",
            chain_id=summary["chain_id"],
            membership=summary["contracts"]["membership"],
            registry=summary["contracts"]["registry"],
            deployment_block=0,
        ),
    )
    try:
        for member, spec in zip(summary["members"], specs, strict=True):
            code = member["code"]
            sealer = Sealer(
                code=code,
                files=generated / "members" / code / "geth",
                data=root / "geth" / code,
                rpc_url=f"http://127.0.0.1:{spec['rpc_port']}",
                enode=member["enode"],
                address=member["validator"],
            )
            sealer.data.mkdir(parents=True)
            consortium.sealers[code] = sealer
            node_toml = tomllib.loads((generated / "members" / code / "origo" / "node.toml").read_text())
            node = prepared[code][0]
            update_config(node.data_dir / CONFIG_FILE, **{k: node_toml[k] for k in CHAIN_SETTINGS})
            consortium.net.members[code] = node
        _genesis_in_the_future(generated, seconds=20)
        # All at once: on two cores, one after the other took four times as long.
        setups = {code: sealer.setup() for code, sealer in consortium.sealers.items()}
        for code, setup in setups.items():
            _, err = setup.communicate(timeout=120)
            if setup.returncode != 0:
                raise RuntimeError(f"setup.sh of {code} failed: {err.decode(errors='replace')}")
        for sealer in consortium.sealers.values():
            sealer.spawn()
        for sealer in consortium.sealers.values():
            sealer.wait_ready()
        consortium.wait_in_step(block=2)
        consortium.net.rpc_url = consortium.sealers[codes[0]].rpc_url
        consortium.net.start_nodes(list(codes))
        yield consortium
    finally:
        consortium.stop()


def _spec(code: str, node: MemberNode, keys: dict[str, Any]) -> dict[str, Any]:
    """The member.json of a member on this machine: every port a free one."""
    return {
        "code": code,
        "name": MEMBER_NAMES.get(code, code),
        "admin": keys["admin_address"],
        "issuers": [keys["issuer_address"]],
        "encryption_key": keys["encryption_public_key"],
        "endpoint": node.url,
        "p2p_port": free_port(),
        "rpc_port": free_port(),
        "kubo_swarm_port": free_port(),
        "engine_port": free_port(),
    }


def _genesis_in_the_future(generated: Path, seconds: int) -> None:
    """Moves the genesis time (every member's copy) ``seconds`` ahead. Operators start sealers days after
    generating; here it is seconds, and geth with --mine seals block 1 at once on an old genesis, before its
    peers are connected: four sealers could each seal a block 1, and fork into two halves of equal weight that
    never reconcile (each prefers its own blocks, and each half's sealers have signed too recently to go on).
    A genesis in the future makes every sealer wait for it, by when all are peered."""
    at = hex(int(time.time()) + seconds)
    for path in [generated / "genesis.json", *generated.glob("members/*/geth/genesis.json")]:
        genesis = json.loads(path.read_text(encoding="utf-8"))
        path.write_text(json.dumps({**genesis, "timestamp": at}, indent=2) + "\n", encoding="utf-8")

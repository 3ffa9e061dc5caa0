"""A local consortium on one machine: the chain (anvil, or one geth Clique sealer per member), the contracts,
and one node process per member.

Used by ``make up`` (``scripts/devnet.py``), by the end-to-end tests and by the benchmark. Everything lives in
one directory (``.devnet/`` for ``make up``): anvil's state, each member's data directory, ``network.json``.
Keys here are throw-away devnet keys, encrypted with the published passphrase ``devnet`` and a cheap scrypt.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from origo_network.anvil import Anvil, free_port
from origo_node.operator_tasks import add_api_key, init_node, update_config
from origo_node.settings import CONFIG_FILE
from web3 import Web3

from origo_devnet.clique import CliqueNetwork
from origo_devnet.deploy import GenesisMember, accept_poa_blocks, deploy
from origo_devnet.kubo_swarm import KuboSwarm

DEVNET_PASSPHRASE = "devnet"
DEVNET_SCRYPT_N = 2**12
MEMBER_NAMES = {
    "VN": "General Department of Vietnam Customs",
    "SG": "Singapore Customs",
    "TH": "Thai Customs Department",
    "MY": "Royal Malaysian Customs Department",
    "ID": "Directorate General of Customs and Excise (Indonesia)",
    "PH": "Bureau of Customs (Philippines)",
    "BN": "Royal Customs and Excise Department (Brunei)",
    "KH": "General Department of Customs and Excise (Cambodia)",
    "LA": "Lao Customs Department",
    "MM": "Myanmar Customs Department",
    "TL": "Customs Authority of Timor-Leste",
}
GENESIS = ("VN", "SG", "TH", "MY", "ID", "PH")
#: The ten ASEAN members and Timor-Leste, in the order ``make up MEMBERS=N`` takes the first N.
ALL_MEMBERS = (*GENESIS, "BN", "KH", "LA", "MM", "TL")


@dataclass
class MemberNode:
    code: str
    data_dir: Path
    port: int
    officer_key: str
    auditor_key: str
    admin_key: str
    process: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "url": self.url,
            "officer_key": self.officer_key,
            "auditor_key": self.auditor_key,
            "admin_key": self.admin_key,
            "data_dir": str(self.data_dir),
            "verification_page": self.url + "/",
            **({"pid": self.process.pid} if self.process is not None else {}),
        }


@dataclass
class Network:
    root: Path
    rpc_url: str
    chain_id: int
    membership: str
    registry: str
    deployment_block: int
    members: dict[str, MemberNode] = field(default_factory=dict)
    anvil: Anvil | None = None
    #: With ``ipfs="kubo"``: one kubo daemon per member, in a private swarm under ``root/kubo``.
    kubo: KuboSwarm | None = None
    #: With ``chain="clique"``: one geth sealer per member under ``root/clique`` (then ``anvil`` is None).
    clique: CliqueNetwork | None = None

    def as_dict(self) -> dict[str, Any]:
        chain_nodes = self.clique.describe() if self.clique is not None else {}
        return {
            "chain": "clique" if self.clique is not None else "anvil",
            **({"chain_nodes": chain_nodes} if chain_nodes else {}),
            "rpc_url": self.rpc_url,
            "chain_id": self.chain_id,
            "contracts": {"membership": self.membership, "registry": self.registry},
            "deployment_block": self.deployment_block,
            "passphrase": DEVNET_PASSPHRASE,
            **({"anvil_pid": self.anvil.pid} if self.anvil is not None and self.anvil.pid else {}),
            "members": [m.as_dict() for m in self.members.values()],
        }

    def write(self) -> Path:
        path = self.root / "network.json"
        # Written aside, then renamed: rewritten while running (pids after a restart) and read by others.
        partial = path.with_suffix(".json.partial")
        partial.write_text(json.dumps(self.as_dict(), indent=2) + "\n", encoding="utf-8")
        os.replace(partial, path)
        return path

    # ------------------------------------------------------------------ processes

    def start_node(
        self, code: str, *, env: dict[str, str] | None = None, timeout: float = 60.0
    ) -> MemberNode:
        node = self.spawn_node(code, env=env)
        assert node.process is not None
        wait_healthy(node.url, timeout, node.process)
        return node

    def start_nodes(self, codes: Sequence[str], *, timeout: float = 120.0) -> None:
        """Starts several nodes at once, then waits until all answer.

        One after the other, eleven nodes took a minute on two cores: each waited for the last to import its
        libraries while the other core idled.
        """
        for code in codes:
            self.spawn_node(code)
        for code in codes:
            node = self.members[code]
            assert node.process is not None
            wait_healthy(node.url, timeout, node.process)

    def spawn_node(self, code: str, *, env: dict[str, str] | None = None) -> MemberNode:
        """Starts a member's node process without waiting for it to answer."""
        node = self.members[code]
        node.log = (node.data_dir / "node.log").open("ab")
        node.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "origo_node",
                "run",
                "--data-dir",
                str(node.data_dir),
                "--log-level",
                "warning",
            ],
            stdout=node.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ORIGO_PASSPHRASE": DEVNET_PASSPHRASE, **(env or {})},
            start_new_session=True,
        )
        return node

    def stop_node(self, code: str, *, kill: bool = False) -> None:
        node = self.members[code]
        if node.process is None:
            return
        if node.process.poll() is None:
            # The whole process group: a node run with several workers has children.
            os.killpg(node.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
            try:
                node.process.wait(15)
            except subprocess.TimeoutExpired:
                node.process.kill()
                node.process.wait(5)
        # A node that died on its own may have left its worker processes behind, holding its port.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(node.process.pid, signal.SIGKILL)
        node.process = None
        if node.log is not None:
            node.log.close()
            node.log = None

    def stop(self) -> None:
        for code in list(self.members):
            self.stop_node(code)
        if self.kubo is not None:
            self.kubo.stop()
        if self.anvil is not None:
            self.anvil.stop()
        if self.clique is not None:
            self.clique.stop()


def wait_healthy(url: str, timeout: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the node at {url} exited with code {process.returncode}; see its node.log")
        try:
            if httpx.get(url + "/healthz", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"the node at {url} did not become healthy in {timeout:.0f} s")


def prepare_member(
    root: Path,
    code: str,
    port: int,
    *,
    rpc_url: str = "",
    contracts: tuple[str, str, int] | None = None,
    node_settings: dict[str, Any] | None = None,
) -> tuple[MemberNode, dict[str, Any]]:
    """Creates a member's data directory, keys and demo API keys; returns it and its ``init`` result."""
    data_dir = root / "members" / code
    settings: dict[str, Any] = {"port": port, "public_url": f"http://127.0.0.1:{port}", "chain_rpc": rpc_url}
    if contracts is not None:
        settings.update(
            membership_address=contracts[0], registry_address=contracts[1], deployment_block=contracts[2]
        )
    # A string setting may name the member as {member} (each member's own PostgreSQL database, say).
    settings.update(
        {
            k: v.replace("{member}", code.lower()) if isinstance(v, str) else v
            for k, v in (node_settings or {}).items()
        }
    )
    result = init_node(
        data_dir,
        code,
        DEVNET_PASSPHRASE,
        settings=settings,
        scrypt_n=DEVNET_SCRYPT_N,
        name=MEMBER_NAMES.get(code, code),
    )
    node = MemberNode(
        code=code,
        data_dir=data_dir,
        port=port,
        officer_key=add_api_key(data_dir, "officer", "devnet officer"),
        auditor_key=add_api_key(data_dir, "auditor", "devnet auditor"),
        admin_key=result.admin_api_key,
    )
    return node, result.as_dict()


def fund(w3: Web3, *addresses: str) -> None:
    """Gives ``addresses`` ether: anvil sets balances; on a Clique devnet (no such call) the node's unlocked
    sealer account sends it."""
    for address in addresses:
        answer = w3.provider.make_request("anvil_setBalance", [address, hex(10**24)])  # type: ignore[arg-type]
        if "error" in answer:
            accept_poa_blocks(w3)
            sealer = w3.eth.accounts[0]  # geth lists the account it unlocked
            to = Web3.to_checksum_address(address)
            tx = w3.eth.send_transaction({"from": sealer, "to": to, "value": Web3.to_wei(1000, "ether")})
            w3.eth.wait_for_transaction_receipt(tx, timeout=60)


def create_network(
    root: Path,
    codes: Sequence[str] = GENESIS,
    *,
    base_port: int | None = None,
    block_time: float | None = 1.0,
    anvil_port: int | None = None,
    quorum_bps: int = 5001,
    voting_period: int = 3 * 24 * 3600,
    node_settings: dict[str, Any] | None = None,
    persist_chain: bool = True,
    anvil_args: list[str] | None = None,
    ipfs: str = "local",
    chain: str = "anvil",
    p2p_base_port: int | None = None,
) -> Network:
    """Starts anvil, creates every member's keys, deploys with them as genesis, configures the nodes.

    ``ipfs="kubo"`` also starts one kubo daemon per member (a private swarm) and points each node at its own.
    ``chain="clique"``: one geth sealer per member instead of anvil (RPC ports from ``anvil_port`` on, p2p
    from ``p2p_base_port``; free ports when not given), each node on its own (origo_devnet.clique_devnet).
    """
    root.mkdir(parents=True, exist_ok=True)
    if chain == "clique":
        from origo_devnet.clique_devnet import create_clique_network

        return create_clique_network(
            root,
            codes,
            base_port=base_port,
            rpc_base_port=anvil_port,
            p2p_base_port=p2p_base_port,
            quorum_bps=quorum_bps,
            voting_period=voting_period,
            node_settings=node_settings,
            ipfs=ipfs,
        )
    anvil = Anvil(
        block_time=block_time,
        state_path=root / "anvil-state.json" if persist_chain else None,
        port=anvil_port,
        log_path=root / "anvil.log",
        extra_args=anvil_args,
    ).start()
    w3 = Web3(Web3.HTTPProvider(anvil.url))
    kubo = KuboSwarm.create(root / "kubo", codes).start() if ipfs == "kubo" else None
    prepared = []
    for index, code in enumerate(codes):
        port = base_port + index if base_port is not None else free_port()
        settings = dict(node_settings or {})
        if kubo is not None:
            settings.update(payload_backend="kubo", kubo_api=kubo.daemons[code].api)
        prepared.append(prepare_member(root, code, port, rpc_url=anvil.url, node_settings=settings))
    genesis = []
    for node, keys in prepared:
        fund(w3, keys["issuer_address"], keys["admin_address"])
        genesis.append(
            GenesisMember(
                code=node.code,
                name=MEMBER_NAMES.get(node.code, node.code),
                admin=keys["admin_address"],
                validator=keys["admin_address"],
                issuers=(keys["issuer_address"],),
                encryption_key=bytes.fromhex(keys["encryption_public_key"][2:]),
                endpoint=node.url,
            )
        )
    deployment = deploy(w3, w3.eth.accounts[0], genesis, quorum_bps=quorum_bps, voting_period=voting_period)
    network = Network(
        root=root,
        rpc_url=anvil.url,
        chain_id=int(w3.eth.chain_id),
        membership=deployment.membership,
        registry=deployment.registry,
        deployment_block=deployment.block_number,
        anvil=anvil,
        kubo=kubo,
    )
    for node, _ in prepared:
        update_config(
            node.data_dir / CONFIG_FILE,
            membership_address=deployment.membership,
            registry_address=deployment.registry,
            deployment_block=deployment.block_number,
            chain_id=network.chain_id,
        )
        network.members[node.code] = node
    network.write()
    return network


def load_network(
    root: Path, *, block_time: float | None = 1.0, anvil_args: list[str] | None = None
) -> Network:
    """Resumes a network created before: its chain (anvil from its saved state, or the Clique sealers from
    their data directories), the same members and keys."""
    saved = json.loads((root / "network.json").read_text(encoding="utf-8"))
    anvil, clique = None, None
    if saved.get("chain") == "clique":
        clique = CliqueNetwork.load(root / "clique").start()
    else:
        anvil = Anvil(
            block_time=block_time,
            state_path=root / "anvil-state.json",
            port=int(saved["rpc_url"].rsplit(":", 1)[1]),
            log_path=root / "anvil.log",
            extra_args=anvil_args,
        ).start()
    network = Network(
        root=root,
        rpc_url=saved["rpc_url"],
        chain_id=int(saved["chain_id"]),
        membership=saved["contracts"]["membership"],
        registry=saved["contracts"]["registry"],
        deployment_block=int(saved["deployment_block"]),
        anvil=anvil,
        clique=clique,
    )
    # Made with ipfs="kubo": the same daemons, repositories and pins (a member who joined has one too).
    with_kubo = [m["code"] for m in saved["members"] if (root / "kubo" / m["code"] / "config").exists()]
    if with_kubo:
        network.kubo = KuboSwarm.create(root / "kubo", with_kubo).start()
    for member in saved["members"]:
        network.members[member["code"]] = MemberNode(
            code=member["code"],
            data_dir=Path(member["data_dir"]),
            port=int(member["url"].rsplit(":", 1)[1]),
            officer_key=member["officer_key"],
            auditor_key=member["auditor_key"],
            admin_key=member["admin_key"],
        )
    return network

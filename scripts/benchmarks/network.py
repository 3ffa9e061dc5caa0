"""The network a benchmark measures: anvil with 1-second blocks and member nodes as separate processes.

Everything runs on free loopback ports under a temporary directory and is stopped by process id at the end.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from origo_devnet.network import DEVNET_PASSPHRASE, MemberNode, Network, create_network, wait_healthy
from origo_network.anvil import free_port
from origo_node.operator_tasks import update_config
from origo_node.settings import CONFIG_FILE

BLOCK_TIME_S = 1.0
#: The consortium on the chain. TH's node is not started: on this one machine it stands for the importing
#: authorities whose nodes run on machines of their own (see ``throughput``).
MEMBERS = ("VN", "SG", "TH")
RUNNING = ("VN", "SG")


@dataclass
class Bench:
    """The running network and what the measurements share: VN issues, SG imports, indexes and verifies."""

    network: Network
    issued: list[str] = field(default_factory=list)  # ids VN answered 202 for, in order

    @property
    def vn(self) -> MemberNode:
        return self.network.members["VN"]

    @property
    def sg(self) -> MemberNode:
        return self.network.members["SG"]

    def officer(self, node: MemberNode, timeout: float = 120.0) -> httpx.Client:
        return httpx.Client(
            base_url=node.url, headers={"Authorization": f"Bearer {node.officer_key}"}, timeout=timeout
        )

    def state_at(self, node: MemberNode, doc_id: str) -> str | None:
        response = httpx.get(f"{node.url}/api/v1/documents/{doc_id}", timeout=30)
        return str(response.json()["state"]) if response.status_code == 200 else None

    def wait_anchored(self, doc_id: str, node: MemberNode | None = None, timeout: float = 600.0) -> float:
        """Waits until ``node`` (VN by default) reports ``doc_id`` valid; returns the monotonic time it did.

        VN's batcher anchors its outbox in order, so the last document accepted being anchored means every
        document accepted before it is too.
        """
        node = node or self.vn
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.state_at(node, doc_id) == "valid":
                return time.monotonic()
            time.sleep(0.05)
        raise TimeoutError(f"{doc_id} was not anchored at {node.code} within {timeout:.0f} s")

    def wait_settled(self, timeout: float = 900.0) -> float:
        """Waits until both nodes have nothing left to do (VN's outbox batched, SG's payloads read); returns
        how long that took. Latencies are measured on a settled network, not one still digesting a burst."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            vn = httpx.get(f"{self.vn.url}/healthz", timeout=30).json()
            sg = httpx.get(f"{self.sg.url}/healthz", timeout=30).json()
            if vn["outbox_pending"] == 0 and sg["payloads_to_read"] == 0:
                return time.monotonic() - started
            time.sleep(0.2)
        raise TimeoutError(f"the network did not settle within {timeout:.0f} s")

    def chain_head(self) -> int:
        return int(
            httpx.post(self.network.rpc_url, json=_rpc("eth_blockNumber"), timeout=10).json()["result"], 16
        )


def _rpc(method: str, *params: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params)}


@contextmanager
def bench_network(root: Path, node_settings: dict[str, Any], ipfs: str = "local") -> Iterator[Bench]:
    network = create_network(
        root, MEMBERS, block_time=BLOCK_TIME_S, persist_chain=False, node_settings=node_settings, ipfs=ipfs
    )
    try:
        for code in RUNNING:
            network.start_node(code)
        yield Bench(network)
    finally:
        network.stop()


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (a node run with several workers has children)."""
    found = [pid]
    for child in _children(pid):
        found.extend(process_tree(child))
    return found


def _children(pid: int) -> list[int]:
    """The children of every thread of ``pid``: a pool of worker processes is started by the thread that first
    needs it (the indexer's, the payload checker's), and its fork server is that thread's child."""
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children.extend(int(p) for p in (task / "children").read_text().split())
        except OSError:  # the thread or the process ended meanwhile
            continue
    return children


def peak_rss_mb(pid: int) -> float:
    """The largest resident set any process of the tree reached so far (VmHWM), in MiB."""
    peaks = []
    for p in process_tree(pid):
        try:
            status = Path(f"/proc/{p}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return round(max(peaks), 1) if peaks else 0.0


def cpu_s_by_role(pid: int) -> dict[str, float]:
    """CPU seconds (user and system) spent so far by the live processes of a node's tree: the busiest one (the
    holder of the background lock, which indexes), the node's other processes (the API's), and the worker
    processes forked from a fork server (manifest and payload checks) with their fork server."""
    busiest, others, workers = 0.0, 0.0, 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for p in process_tree(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            command = Path(f"/proc/{p}/cmdline").read_bytes()
        except OSError:  # ended meanwhile
            continue
        spent = (int(fields[11]) + int(fields[12])) / tick
        if b"forkserver" in command:
            workers += spent
        elif spent > busiest:
            busiest, others = spent, others + busiest
        else:
            others += spent
    return {
        "busiest_node_process_s": round(busiest, 2),
        "other_node_processes_s": round(others, 2),
        "worker_processes_s": round(workers, 2),
    }


@dataclass
class FreshNode:
    """A new node of an existing member: its keys and settings, but an empty database and block store."""

    process: subprocess.Popen[bytes]
    url: str

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)


def launch_fresh_node(template: MemberNode, root: Path) -> FreshNode:
    """Copies ``template``'s keys and configuration to ``root`` (nothing else) and starts a node there; does
    not wait for it to answer."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copytree(template.data_dir / "keys", root / "keys")
    shutil.copy2(template.data_dir / CONFIG_FILE, root / CONFIG_FILE)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    update_config(root / CONFIG_FILE, data_dir=str(root), port=port, public_url=url)
    log = (root / "node.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "origo_node", "run", "--data-dir", str(root), "--log-level", "warning"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ORIGO_PASSPHRASE": DEVNET_PASSPHRASE},
        start_new_session=True,
    )
    return FreshNode(process, url)


def start_fresh_node(template: MemberNode, root: Path) -> FreshNode:
    """``launch_fresh_node``, returned once the node answers its health check."""
    node = launch_fresh_node(template, root)
    try:
        wait_healthy(node.url, 60, node.process)
    except BaseException:
        node.stop()
        raise
    return node

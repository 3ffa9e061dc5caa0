"""`make up CHAIN=clique`: each member's node on its own geth sealer; a sealer killed under it comes back.

The real thing: ``scripts/devnet.py up --chain clique`` as a subprocess on free ports with three members,
three geth sealers and two node processes; the test kills a sealer with SIGKILL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import httpx
import pytest
from origo_network.anvil import free_ports
from test_devnet_supervision import SCRIPT, alive, saved, start_devnet

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("clique")]


def head(url: str) -> int:
    answer = httpx.post(url, json={"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber"}, timeout=5)
    return int(answer.json()["result"], 16)


def test_each_node_has_its_own_sealer_and_a_killed_sealer_is_restarted(tmp_path: Path) -> None:
    root = tmp_path / "devnet"
    command = [
        sys.executable,
        str(SCRIPT),
        "up",
        "--members",
        "VN,SG,TH",
        "--root",
        str(root),
        "--chain",
        "clique",
    ]
    command += ["--anvil-port", str(free_ports(3)), "--base-port", str(free_ports(3))]
    command += ["--p2p-port", str(free_ports(3))]
    process, output = start_devnet(command)
    try:
        output.wait_for("Ctrl-C stops the network", timeout=180)
        network = saved(root)
        assert network["chain"] == "clique"
        chain_nodes = network["chain_nodes"]
        for member in network["members"]:
            config = tomllib.loads((Path(member["data_dir"]) / "node.toml").read_text())
            assert config["chain_rpc"] == chain_nodes[member["code"]]["rpc_url"]
            assert config["consensus"] == "clique"
        assert chain_nodes["VN"]["rpc_url"] != chain_nodes["SG"]["rpc_url"]

        old_pid = int(chain_nodes["SG"]["pid"])
        os.kill(old_pid, signal.SIGKILL)
        line = output.wait_for("SG's chain node (geth) stopped", timeout=90)
        assert "(exit code -9, killed by SIGKILL); restarted it" in line
        new_pid = int(saved(root)["chain_nodes"]["SG"]["pid"])
        assert new_pid != old_pid and alive(new_pid)
        # Three sealers: the chain went on without SG; a head that grows at SG shows it follows again.
        before = head(chain_nodes["SG"]["rpc_url"])
        deadline = time.monotonic() + 20
        while head(chain_nodes["SG"]["rpc_url"]) < before + 3:
            assert time.monotonic() < deadline, "the chain did not go on after SG's sealer came back"
            time.sleep(0.5)
        sg = next(m for m in network["members"] if m["code"] == "SG")
        health = httpx.get(sg["url"] + "/healthz", timeout=5).json()
        assert health["status"] == "ok" and health["chain_head"] >= before

        process.send_signal(signal.SIGINT)
        assert process.wait(90) == 0
        assert not alive(new_pid) and not alive(int(chain_nodes["VN"]["pid"]))

        # A member joins: its own chain node (a follower until voted in), its sealer as its validator.
        joined = subprocess.run(
            [sys.executable, str(SCRIPT), "join", "BN", "--root", str(root)],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "COLUMNS": "200"},
        )
        assert joined.returncode == 0 and "Traceback" not in joined.stdout + joined.stderr, joined.stdout
        after = saved(root)
        bn = next(m for m in after["members"] if m["code"] == "BN")
        bn_config = tomllib.loads((Path(bn["data_dir"]) / "node.toml").read_text())
        assert bn_config["chain_rpc"] == after["chain_nodes"]["BN"]["rpc_url"] != chain_nodes["VN"]["rpc_url"]
        layout = json.loads((root / "clique" / "clique.json").read_text())
        bn_sealer = next(s for s in layout["sealers"] if s["code"] == "BN")
        proposal = json.loads((Path(bn["data_dir"]) / "member.json").read_text())
        assert proposal["validator"] == bn_sealer["address"]
        sg_config = (root / "clique" / "SG" / "config.toml").read_text()
        assert f"127.0.0.1:{bn_sealer['p2p_port']}" in sg_config, "SG's geth does not know BN's"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        # The sealers and nodes run in sessions of their own: a failed run must not leave them behind.
        left = saved(root) if (root / "network.json").exists() else {}
        pids = [n["pid"] for n in left.get("chain_nodes", {}).values()]
        pids += [m["pid"] for m in left.get("members", []) if "pid" in m]
        for pid in pids:  # each leads its own process group (a node's workers are in it)
            if pid and alive(int(pid)):
                os.killpg(int(pid), signal.SIGKILL)


def test_a_consortium_that_cannot_start_says_why_without_a_traceback(tmp_path: Path) -> None:
    command = [sys.executable, str(SCRIPT), "up", "--members", "VN,SG", "--root", str(tmp_path / "devnet")]
    command += ["--chain", "clique", "--anvil-port", str(free_ports(2))]
    command += ["--base-port", str(free_ports(2)), "--p2p-port", str(free_ports(2))]
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ORIGO_GETH": str(tmp_path / "no-geth-here"), "COLUMNS": "200"},
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert "the consortium could not start" in done.stdout and "run `make geth`" in done.stdout

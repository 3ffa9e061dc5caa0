"""`make up CHAIN=clique IPFS=kubo`: each member on its own geth sealer and its own kubo daemon; a document
issued at one member is read by the importing member through the private swarm, and Ctrl-C stops it all."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from origo_network.anvil import free_ports
from test_devnet_supervision import SCRIPT, saved, start_devnet

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.kubo]
SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "form-d" / "vn-sg-coffee.json"


def processes_under(root: Path) -> list[str]:
    """Command lines of the running processes that name ``root`` (geth, kubo and node processes all do)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(root) in command and "pytest" not in command:
            found.append(f"{entry.name}: {command}")
    return found


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def test_a_clique_consortium_on_kubo_carries_a_payload_to_the_importer(tmp_path: Path) -> None:
    root = tmp_path / "devnet"
    command = [sys.executable, str(SCRIPT), "up", "--members", "VN,SG", "--root", str(root)]
    command += ["--chain", "clique", "--ipfs", "kubo"]
    command += ["--anvil-port", str(free_ports(2)), "--base-port", str(free_ports(2))]
    command += ["--p2p-port", str(free_ports(2))]
    process, output = start_devnet(command)
    try:
        output.wait_for("Ctrl-C stops the network", timeout=180)
        members = {m["code"]: m for m in saved(root)["members"]}
        vn, sg = members["VN"], members["SG"]
        for member in (vn, sg):
            store = httpx.get(member["url"] + "/healthz", timeout=10).json()["payload_store"]
            assert store["backend"] == "kubo" and store["problem"] is None, store
        issued = httpx.post(
            vn["url"] + "/api/v1/documents",
            content=SAMPLE.read_bytes(),
            headers={"Authorization": f"Bearer {vn['officer_key']}", "Content-Type": "application/json"},
            timeout=30,
        )
        assert issued.status_code == 202, issued.text
        doc_id = issued.json()["document_id"]
        officer = {"Authorization": f"Bearer {sg['officer_key']}"}

        def read_at_sg() -> bool:
            url = f"{sg['url']}/api/v1/documents/VN:{doc_id}/payload"
            answer = httpx.get(url, headers=officer, timeout=10)
            return answer.status_code == 200 and answer.json()["referenceNumber"] == "VN-HCM-2026-004512"

        wait_until(read_at_sg, 90, "SG to read VN's payload over the kubo swarm")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        try:
            code = process.wait(90)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        left = processes_under(root)
        for line in left:  # a failed run must not leave daemons behind
            pid = int(line.split(":", 1)[0])
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert code == 0, "".join(output.lines)
    assert left == [], "left running after Ctrl-C"

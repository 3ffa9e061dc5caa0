"""`make up` keeps its consortium running: a node or the chain killed under it comes back, and it says so.

The real thing: ``scripts/devnet.py up`` as a subprocess on free ports with two members, real node processes,
real anvil; the test kills them with SIGKILL as the kernel's out-of-memory killer would.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from origo_network.anvil import free_port, free_ports

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "devnet.py"


class Output:
    """The script's output lines, read by a thread so that the pipe never fills."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stdout = process.stdout
        threading.Thread(target=lambda: [self._queue.put(line) for line in stdout], daemon=True).start()

    def wait_for(self, text: str, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        for line in self.lines:
            if text in line:
                return line
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            self.lines.append(line)
            if text in line:
                return line
        raise AssertionError(f"no line with {text!r} in {timeout:.0f} s; output:\n{''.join(self.lines)}")


def start_devnet(command: list[str]) -> tuple[subprocess.Popen[str], Output]:
    """``scripts/devnet.py`` started in its own process group (so that the test can stop all it started),
    its output read line by line as it comes."""
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "80"},
        start_new_session=True,
    )
    return process, Output(process)


def saved(root: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / "network.json").read_text(encoding="utf-8"))
    return data


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.integration
@pytest.mark.slow
def test_a_killed_node_and_a_killed_chain_are_restarted_and_reported(tmp_path: Path) -> None:
    root = tmp_path / "devnet"
    anvil_port, base_port = free_port(), free_ports(2)
    command = [sys.executable, str(SCRIPT), "up", "--members", "VN,SG", "--root", str(root)]
    command += ["--anvil-port", str(anvil_port), "--base-port", str(base_port)]
    process, output = start_devnet(command)
    try:
        output.wait_for("Ctrl-C stops the network", timeout=180)
        vn = next(m for m in saved(root)["members"] if m["code"] == "VN")
        old_pid = int(vn["pid"])

        os.kill(old_pid, signal.SIGKILL)
        line = output.wait_for("VN's node stopped", timeout=90)
        assert "VN's node stopped (exit code -9, killed by SIGKILL); restarted it (restart 1)" in line
        assert httpx.get(vn["url"] + "/healthz", timeout=5).status_code == 200
        new_pid = int(next(m for m in saved(root)["members"] if m["code"] == "VN")["pid"])
        assert new_pid != old_pid and alive(new_pid)

        os.kill(int(saved(root)["anvil_pid"]), signal.SIGKILL)
        line = output.wait_for("the chain (anvil) stopped", timeout=60)
        assert "(exit code -9, killed by SIGKILL); restarted it from its last saved state (restart 1)" in line
        answer = httpx.post(
            saved(root)["rpc_url"], json={"jsonrpc": "2.0", "id": 1, "method": "eth_chainId"}, timeout=5
        )
        assert answer.json()["result"] == hex(saved(root)["chain_id"])

        process.send_signal(signal.SIGINT)
        assert process.wait(60) == 0
        assert not alive(new_pid), "Ctrl-C stops the restarted node too"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

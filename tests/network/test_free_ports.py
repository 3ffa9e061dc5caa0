"""Free ports for test networks: a port handed out once, by this process or by another on the machine in the
last ten minutes, is not handed out again (CI saw a devnet refuse a port that another test worker had
chosen a moment before and started listening on)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from origo_network import anvil
from origo_network.anvil import free_port, free_ports


@pytest.fixture
def claims(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(anvil, "_CLAIMS", tmp_path / "claims")
    return tmp_path / "claims"


def test_a_run_of_ports_is_free_claimed_and_never_handed_out_again(claims: Path) -> None:
    first = free_ports(3)
    run = {first, first + 1, first + 2}
    for port in run:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))  # free: nothing else holds it
        assert (claims / str(port)).exists()
    later = {free_port() for _ in range(50)}
    assert not later & run


def test_a_port_claimed_a_moment_ago_is_refused_and_an_old_claim_is_taken_over(claims: Path) -> None:
    claims.mkdir()
    (claims / "40001").touch()
    assert anvil._claim(40001) is False
    old = time.time() - anvil._CLAIM_S - 1
    os.utime(claims / "40001", (old, old))
    assert anvil._claim(40001) is True
    assert anvil._claim(40001) is False  # taken over: now it is this claim that is recent


def test_a_port_another_process_was_given_is_not_this_ones(claims: Path) -> None:
    program = (
        "from pathlib import Path; from origo_network import anvil; "
        f"anvil._CLAIMS = Path({str(claims)!r}); print(anvil.free_port())"
    )
    given = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True
    )
    assert anvil._claim(int(given.stdout)) is False

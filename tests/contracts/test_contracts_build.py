"""The build around the contracts: committed artifacts, Hardhat's identical output, sizes, gas, anvil."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from origo_network.anvil import Anvil
from origo_node.chain.artifacts import ARTIFACTS_DIR, deployed_bytecode, load_abi, load_artifact
from origo_node.chain.evm import evm_version, later_opcodes
from web3 import Web3

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
EIP170_LIMIT = 24_576
CONTRACTS = ("Membership", "DocumentRegistry")


@pytest.mark.parametrize("name", CONTRACTS)
def test_runtime_size_is_under_the_eip170_limit(name: str) -> None:
    size = (len(deployed_bytecode(name)) - 2) // 2
    assert 0 < size < EIP170_LIMIT


@pytest.mark.parametrize("name", CONTRACTS)
def test_bytecode_holds_no_opcode_that_clique_lacks(name: str) -> None:
    # geth's Clique runs the London EVM: PUSH0 (Shanghai) or MCOPY (Cancun) would fail on every call there.
    creation = bytes.fromhex(load_artifact(name)[1].removeprefix("0x"))
    runtime = bytes.fromhex(deployed_bytecode(name).removeprefix("0x"))
    assert evm_version() == "london"
    assert creation.endswith(runtime)  # the constructor, then the code it deploys
    assert later_opcodes(creation[: -len(runtime)]) == []
    assert later_opcodes(runtime) == []


def test_artifacts_record_the_compiler_settings_in_force() -> None:
    settings = json.loads((ROOT / "contracts" / "compiler.json").read_text())
    for name in CONTRACTS:
        artifact = json.loads((ARTIFACTS_DIR / f"{name}.json").read_text())
        assert artifact["compiler"] == settings
        abi, bytecode = load_artifact(name)
        assert bytecode.startswith("0x60") and abi == load_abi(name)


def test_check_or_write_does_nothing_when_the_sources_did_not_change() -> None:
    before = {p: p.stat().st_mtime_ns for p in ARTIFACTS_DIR.glob("*.json")}
    started = time.monotonic()
    subprocess.run([PYTHON, "scripts/compile_contracts.py", "--check-or-write"], cwd=ROOT, check=True)
    assert time.monotonic() - started < 5
    assert {p: p.stat().st_mtime_ns for p in ARTIFACTS_DIR.glob("*.json")} == before


def test_missing_artifact_names_the_fix() -> None:
    with pytest.raises(FileNotFoundError, match="compile_contracts"):
        load_artifact("NoSuchContract")


@pytest.mark.slow
def test_committed_artifacts_match_a_fresh_compile() -> None:
    out = subprocess.run(
        [PYTHON, "scripts/compile_contracts.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("npx") is None, reason="npx (Node.js) is missing")
def test_hardhat_compiles_the_same_bytecode_offline(tmp_path: Path) -> None:
    env = {**os.environ, "ORIGO_HARDHAT_BUILD_DIR": str(tmp_path), "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true"}
    out = subprocess.run(
        ["npx", "hardhat", "compile", "--force"],
        cwd=ROOT / "hardhat-config",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    for name in CONTRACTS:
        hardhat = json.loads(
            (tmp_path / "artifacts" / "contracts" / f"{name}.sol" / f"{name}.json").read_text()
        )
        ours = json.loads((ARTIFACTS_DIR / f"{name}.json").read_text())
        assert hardhat["bytecode"] == ours["bytecode"]
        assert hardhat["deployedBytecode"] == ours["deployedBytecode"]
        assert hardhat["abi"] == ours["abi"]


@pytest.mark.slow
@pytest.mark.integration
def test_gas_report_prints_every_key_within_targets() -> None:
    out = subprocess.run(
        [PYTHON, "scripts/gas_report.py", "--json"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    for key in (
        "deploy",
        "anchor_per_document",
        "revoke",
        "supersede",
        "accept",
        "reject",
        "verification_request",
        "verification_answer",
        "propose",
        "vote",
    ):
        assert key in report
    assert set(report["deploy"]) == set(CONTRACTS)
    assert set(report["anchor_per_document"]) == {"1", "16", "256", "4096"}
    assert report["anchor_per_document"]["256"] <= 1_000
    assert report["anchor_per_document"]["4096"] <= 200
    assert report["accept"] <= 80_000


@pytest.mark.integration
def test_anvil_persists_its_state_and_stops_by_pid(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with Anvil(state_path=state, chain_id=4242) as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        assert w3.eth.chain_id == 4242
        tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "to": w3.eth.accounts[1], "value": 1})
        # Automine answers with the hash before the block is readable on a loaded machine: wait for it.
        w3.eth.wait_for_transaction_receipt(tx, timeout=30)
        pid = chain.pid
        assert pid is not None and w3.eth.block_number == 1
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    assert state.exists()
    with Anvil(state_path=state, chain_id=4242) as chain:
        assert Web3(Web3.HTTPProvider(chain.url)).eth.block_number == 1


@pytest.mark.integration
def test_anvil_runs_the_evm_level_of_the_contracts() -> None:
    # Creation code PUSH0 PUSH0 RETURN: fine on Shanghai and later, an invalid opcode on London.
    with Anvil(accounts=1) as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        tx = w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": "0x5f5ff3", "gas": 100_000})
        assert w3.eth.wait_for_transaction_receipt(tx, timeout=30)["status"] == 0
        ok = w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": "0x60006000f3", "gas": 100_000})
        assert w3.eth.wait_for_transaction_receipt(ok, timeout=30)["status"] == 1


@pytest.mark.integration
def test_anvil_with_a_block_time_mines_on_its_own() -> None:
    with Anvil(block_time=0.2, accounts=2) as chain:
        w3 = Web3(Web3.HTTPProvider(chain.url))
        deadline = time.monotonic() + 10
        while w3.eth.block_number < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert w3.eth.block_number >= 2
        assert len(w3.eth.accounts) == 2

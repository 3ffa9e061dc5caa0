"""`origo trail check` carries the contracts' ABIs itself: an auditor's machine needs no node package."""

from __future__ import annotations

import subprocess
import sys

import pytest
from origo_cli.contract_abis import load_abi
from origo_node.chain.artifacts import load_abi as node_abi


@pytest.mark.parametrize("name", ["Membership", "DocumentRegistry"])
def test_the_cli_ships_the_same_abis_as_the_compiled_contracts(name: str) -> None:
    assert load_abi(name) == node_abi(name), "run scripts/compile_contracts.py (make setup) to copy them"


def test_an_unknown_contract_names_the_fix() -> None:
    with pytest.raises(FileNotFoundError, match="compile_contracts"):
        load_abi("NoSuchContract")


def test_the_trail_checker_runs_with_the_node_package_absent() -> None:
    # None in sys.modules makes every `import origo_node...` fail, as on a machine without it.
    code = (
        "import sys; sys.modules['origo_node'] = None\n"
        "from origo_cli import trail_check, trail_rpc\n"
        "from origo_cli.contract_abis import load_abi\n"
        "assert any(e.get('name') == 'isAnchored' for e in load_abi('DocumentRegistry'))\n"
        "try:\n"
        "    trail_check.Checker(None, 'http://127.0.0.1:9', timeout=0.5)\n"
        "except trail_rpc.RpcUnavailable:\n"
        "    print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"

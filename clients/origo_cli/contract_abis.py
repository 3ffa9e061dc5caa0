"""The contracts' ABIs, shipped with the CLI so that checking an audit trail needs no node package.

``scripts/compile_contracts.py`` copies them from the node's compiled artifacts (``make setup`` keeps the
copy in step); ``tests/clients/test_cli_contract_abis.py`` fails if they differ.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_abi(name: str) -> list[dict[str, Any]]:
    """The ABI of contract ``name`` ("Membership" or "DocumentRegistry"), as web3 takes it."""
    resource = resources.files("origo_cli") / "abi" / f"{name}.json"
    if not resource.is_file():
        raise FileNotFoundError(
            f"the CLI ships no ABI for contract {name!r}; run scripts/compile_contracts.py"
        )
    abi: list[dict[str, Any]] = json.loads(resource.read_text(encoding="utf-8"))
    return abi

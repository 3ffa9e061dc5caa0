"""The compiled contracts, as scripts/compile_contracts.py writes them beside this module."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"

#: ABI as web3 takes it: a list of JSON objects.
Abi = list[dict[str, Any]]


@cache
def _read(name: str) -> dict[str, Any]:
    path = ARTIFACTS_DIR / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(
            f"no artifact for contract {name!r} at {path}; run scripts/compile_contracts.py"
        )
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def load_artifact(name: str) -> tuple[Abi, str]:
    """The ABI and creation bytecode (0x-hex) of contract ``name`` ("Membership", "DocumentRegistry")."""
    data = _read(name)
    return list(data["abi"]), str(data["bytecode"])


def load_abi(name: str) -> Abi:
    """The ABI of contract ``name``."""
    return load_artifact(name)[0]


def deployed_bytecode(name: str) -> str:
    """The runtime bytecode (0x-hex), to check what is deployed at an address."""
    return str(_read(name)["deployedBytecode"])


def compiler_settings() -> dict[str, Any]:
    """The solc settings the committed artifacts were compiled with (the same for every contract)."""
    settings: dict[str, Any] = _read("Membership")["compiler"]["settings"]
    return settings

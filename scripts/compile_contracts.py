#!/usr/bin/env python3
"""Compile contracts/*.sol and write the artifacts node/ loads.

    python scripts/compile_contracts.py                  # compile and write
    python scripts/compile_contracts.py --check          # recompile; exit 1 if the committed artifacts differ
    python scripts/compile_contracts.py --check-or-write # write only if the sources changed

The compiler is the npm `solc` (WebAssembly) behind scripts/solc, driven by py-solc-x, because
no native solc can be downloaded here. Compiler version and settings live in
contracts/compiler.json, which the Hardhat config reads too, so both produce the same bytecode.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"
SETTINGS_FILE = CONTRACTS / "compiler.json"
OZ_PACKAGE = ROOT / "hardhat-config" / "node_modules" / "@openzeppelin" / "contracts" / "package.json"
OUT_DIR = ROOT / "node" / "origo_node" / "chain" / "artifacts"
#: The ABIs alone, shipped with the CLI so that `origo trail check` runs without the node package.
CLIENT_ABI_DIR = ROOT / "clients" / "origo_cli" / "abi"
SOLC = ROOT / "scripts" / "solc"
#: The deployable contracts; the interfaces' ABIs are contained in these.
CONTRACT_NAMES = ("Membership", "DocumentRegistry")


def source_files() -> list[Path]:
    return sorted(CONTRACTS.glob("*.sol"))


def sources_sha256() -> str:
    """One hash over what determines the output: our sources, the settings, the OpenZeppelin version."""
    h = hashlib.sha256()
    for path in [*source_files(), SETTINGS_FILE]:
        h.update(path.relative_to(ROOT).as_posix().encode() + b"\0")
        h.update(path.read_bytes() + b"\0")
    oz_version = json.loads(OZ_PACKAGE.read_text())["version"] if OZ_PACKAGE.exists() else "missing"
    h.update(f"@openzeppelin/contracts@{oz_version}".encode())
    return h.hexdigest()


def compiler_config() -> dict[str, Any]:
    config: dict[str, Any] = json.loads(SETTINGS_FILE.read_text())
    return config


def compile_all() -> dict[str, dict[str, Any]]:
    """Compile every source and return the artifact of each deployable contract, by name."""
    import solcx  # imported here so that --check-or-write stays fast when nothing changed

    config = compiler_config()
    settings = dict(config["settings"])
    settings["outputSelection"] = {
        "*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]},
    }
    sources = {p.relative_to(ROOT).as_posix(): {"content": p.read_text()} for p in source_files()}
    output = solcx.compile_standard(
        {"language": "Solidity", "sources": sources, "settings": settings},
        solc_binary=SOLC,
        allow_paths=[str(ROOT), str(ROOT / "hardhat-config" / "node_modules")],
    )
    errors = [e for e in output.get("errors", []) if e.get("severity") == "error"]
    if errors:
        raise RuntimeError("\n".join(e.get("formattedMessage", e.get("message", "")) for e in errors))
    digest = sources_sha256()
    artifacts: dict[str, dict[str, Any]] = {}
    for source_name, contracts in output["contracts"].items():
        for name, out in contracts.items():
            if name not in CONTRACT_NAMES:
                continue
            artifacts[name] = {
                "contractName": name,
                "sourceName": source_name,
                "abi": out["abi"],
                "bytecode": "0x" + out["evm"]["bytecode"]["object"],
                "deployedBytecode": "0x" + out["evm"]["deployedBytecode"]["object"],
                "compiler": {"version": config["version"], "settings": config["settings"]},
                "sourcesSha256": digest,
            }
    missing = set(CONTRACT_NAMES) - set(artifacts)
    if missing:
        raise RuntimeError(f"compiler produced no output for {sorted(missing)}")
    return artifacts


def render(artifact: dict[str, Any]) -> str:
    return json.dumps(artifact, indent=2, sort_keys=True) + "\n"


def artifact_path(name: str) -> Path:
    return OUT_DIR / f"{name}.json"


def write(artifacts: dict[str, dict[str, Any]]) -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, artifact in artifacts.items():
        artifact_path(name).write_text(render(artifact))
        size = (len(artifact["deployedBytecode"]) - 2) // 2
        print(f"wrote {artifact_path(name).relative_to(ROOT)} (runtime {size} bytes)")
    sync_client_abis()


def client_abi_text(name: str) -> str:
    """The client's copy of contract ``name``'s ABI, as it must read given the node's artifact."""
    return json.dumps(json.loads(artifact_path(name).read_text())["abi"], indent=2, sort_keys=True) + "\n"


def stale_client_abis() -> list[str]:
    stale = []
    for name in CONTRACT_NAMES:
        path = CLIENT_ABI_DIR / f"{name}.json"
        if not path.exists() or path.read_text() != client_abi_text(name):
            stale.append(name)
    return stale


def sync_client_abis() -> None:
    """Copies the ABIs from the node's artifacts to the CLI's (cheap: no compile), where they differ."""
    CLIENT_ABI_DIR.mkdir(parents=True, exist_ok=True)
    for name in stale_client_abis():
        (CLIENT_ABI_DIR / f"{name}.json").write_text(client_abi_text(name))
        print(f"wrote {(CLIENT_ABI_DIR / f'{name}.json').relative_to(ROOT)}")


def committed_sha256() -> str | None:
    digests = set()
    for name in CONTRACT_NAMES:
        path = artifact_path(name)
        if not path.exists():
            return None
        digests.add(json.loads(path.read_text()).get("sourcesSha256"))
    return digests.pop() if len(digests) == 1 else None


def check(artifacts: dict[str, dict[str, Any]]) -> list[str]:
    """Names of the artifacts whose committed file differs from a fresh compile."""
    stale = []
    for name, artifact in artifacts.items():
        path = artifact_path(name)
        if not path.exists() or path.read_text() != render(artifact):
            stale.append(name)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="recompile and fail if the artifacts differ")
    mode.add_argument("--check-or-write", action="store_true", help="recompile only if the sources changed")
    args = parser.parse_args(argv)

    if args.check_or_write and committed_sha256() == sources_sha256():
        sync_client_abis()
        return 0
    artifacts = compile_all()
    if args.check:
        stale = check(artifacts) + [f"clients/origo_cli/abi/{name}.json" for name in stale_client_abis()]
        if stale:
            print(f"stale artifacts: {', '.join(stale)}; run scripts/compile_contracts.py", file=sys.stderr)
            return 1
        print("artifacts match the sources")
        return 0
    write(artifacts)
    return 0


if __name__ == "__main__":
    sys.exit(main())

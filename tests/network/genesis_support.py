"""A generated network's members made the way real members are made (``origo node init`` keys, member.json),
and anvil started on the generated genesis (``anvil --init``) so that nothing but the genesis sets its
state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from origo_devnet.network import MEMBER_NAMES, MemberNode, prepare_member
from origo_network.anvil import Anvil


class GenesisAnvil(Anvil):
    """anvil on a genesis file. No ``--chain-id``: the chain id must come from the genesis itself."""

    def __init__(self, genesis: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.genesis = genesis

    def _command(self, port: int) -> list[str]:
        command = super()._command(port)
        at = command.index("--chain-id")
        del command[at : at + 2]
        return [*command, "--init", str(self.genesis)]


def make_members(
    root: Path, codes: list[str], ports: list[int]
) -> tuple[dict[str, MemberNode], list[dict[str, Any]]]:
    """Each member's data directory and keys, and its member.json object as ``devnet.py join`` writes it."""
    nodes: dict[str, MemberNode] = {}
    specs: list[dict[str, Any]] = []
    for index, (code, port) in enumerate(zip(codes, ports, strict=True)):
        node, keys = prepare_member(
            root, code, port, node_settings={"batch_interval_s": 0.3, "index_poll_s": 0.1}
        )
        nodes[code] = node
        specs.append(
            {
                "code": code,
                "name": MEMBER_NAMES.get(code, code),
                "admin": keys["admin_address"],
                "validator": keys["admin_address"],
                "issuers": [keys["issuer_address"]],
                "encryption_key": keys["encryption_public_key"],
                "endpoint": node.url,
                # All on this machine: each member's chain node and kubo get ports of their own.
                "p2p_port": 30303 + index,
                "rpc_port": 18545 + index,
                "kubo_swarm_port": 14001 + index,
                "engine_port": 18551 + index,
            }
        )
    return nodes, specs


def write_members(path: Path, specs: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(specs, indent=2), encoding="utf-8")
    return path

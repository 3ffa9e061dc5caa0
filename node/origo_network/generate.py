"""``origo network generate``: everything starting a real Besu QBFT consortium needs, for N members.

    DIR/genesis.json                         the chain's genesis (the same file for every member)
    DIR/network.json                         a summary: chain id, contract addresses, each member's validator,
                                             enode and kubo peer id
    DIR/members/XX/besu/                     config.toml, genesis.json, key (if generated here), key.pub,
                                             permissions_config.toml, static-nodes.json -> /etc/besu
    DIR/members/XX/kubo/                     swarm.key, config-overrides.json, setup.sh
    DIR/members/XX/origo/node.toml           the Origo node's settings (its keys come from `origo node init`)

Each member's directory goes to that member's machine only. Keys generated here (node keys, kubo identities)
are made for members who did not bring their own public key; the safer way is that each member makes its own
and puts ``node_public_key`` / ``kubo_peer_id`` in its member.json, so no one else ever holds its validator
key.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from origo_devnet.deploy import GenesisMember
from origo_node.operator_tasks import write_config

from origo_network import besu, kubo
from origo_network.besu import ChainSettings, NodeKey
from origo_network.genesis_state import ContractsState, deployed_state
from origo_network.members_file import MemberSpec, NetworkSpecError


@dataclass(frozen=True)
class HostPaths:
    """Where the generated files live on each member's machine."""

    besu_config_dir: str = "/etc/besu"
    besu_data_dir: str = "/var/lib/besu"
    origo_data_dir: str = "/var/lib/origo"


@dataclass
class GeneratedNetwork:
    out: Path
    settings: ChainSettings
    contracts: ContractsState
    validators: dict[str, str] = field(default_factory=dict)
    enodes: dict[str, str] = field(default_factory=dict)
    peer_ids: dict[str, str] = field(default_factory=dict)
    generated_keys: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "chain_id": self.settings.chain_id,
            "contracts": {
                "membership": self.contracts.membership.address,
                "registry": self.contracts.registry.address,
            },
            "deployment_block": 0,
            "qbft": {
                "block_period_s": self.settings.block_period_s,
                "request_timeout_s": self.settings.request_timeout_s,
                "epoch_length": self.settings.epoch_length,
            },
            "members": [
                {
                    "code": code,
                    "validator": self.validators[code],
                    "enode": self.enodes[code],
                    "kubo_peer_id": self.peer_ids[code],
                    "keys_generated_here": code in self.generated_keys,
                }
                for code in self.validators
            ],
        }


def generate_network(
    members: list[MemberSpec],
    out: Path,
    settings: ChainSettings | None = None,
    paths: HostPaths | None = None,
) -> GeneratedNetwork:
    """Writes the network's files under ``out`` (which must not exist or be empty)."""
    settings = settings or ChainSettings()
    paths = paths or HostPaths()
    problems = settings.check()
    if problems:
        raise NetworkSpecError("; ".join(problems))
    if out.exists() and not out.is_dir():
        raise NetworkSpecError(f"{out} is a file, not a directory")
    if out.exists() and any(out.iterdir()):
        raise NetworkSpecError(f"{out} is not empty; refusing to overwrite a network's keys")
    node_keys = {
        m.code: NodeKey(m.node_public_key, None) if m.node_public_key else NodeKey.generate() for m in members
    }
    identities = {
        m.code: kubo.KuboIdentity(m.kubo_peer_id, None) if m.kubo_peer_id else kubo.KuboIdentity.generate()
        for m in members
    }
    contracts = deployed_state(
        [_genesis_member(m, node_keys[m.code].address) for m in members],
        quorum_bps=settings.quorum_bps,
        voting_period=settings.voting_period_s,
        chain_id=settings.chain_id,
    )
    network = GeneratedNetwork(out=out, settings=settings, contracts=contracts)
    for m in members:
        network.validators[m.code] = node_keys[m.code].address
        network.enodes[m.code] = node_keys[m.code].enode(m)
        network.peer_ids[m.code] = identities[m.code].peer_id
        if node_keys[m.code].private_key is not None or identities[m.code].private_key_b64 is not None:
            network.generated_keys.append(m.code)
    genesis_text = json.dumps(besu.genesis(settings, contracts, members, int(time.time())), indent=2) + "\n"
    out.mkdir(parents=True, exist_ok=True)
    (out / "genesis.json").write_text(genesis_text, encoding="utf-8")
    swarm_key = kubo.swarm_key()
    enodes = [network.enodes[m.code] for m in members]
    swarm = {m.code: kubo.swarm_address(m, identities[m.code].peer_id) for m in members}
    for m in members:
        member_dir = out / "members" / m.code
        _write_besu(member_dir / "besu", m, node_keys[m.code], enodes, genesis_text, paths)
        kubo_dir = member_dir / "kubo"
        kubo_dir.mkdir(parents=True)
        _secret(kubo_dir / "swarm.key", swarm_key)
        others = [address for code, address in swarm.items() if code != m.code]
        overrides = kubo.config_overrides(m, identities[m.code], others)
        _secret(kubo_dir / "config-overrides.json", kubo.overrides_json(overrides))
        (kubo_dir / "setup.sh").write_text(kubo.SETUP_SCRIPT, encoding="utf-8")
        (kubo_dir / "setup.sh").chmod(0o755)
        origo_dir = member_dir / "origo"
        origo_dir.mkdir(parents=True)
        write_config(origo_dir / "node.toml", node_settings(m, network, paths))
    (out / "network.json").write_text(json.dumps(network.summary(), indent=2) + "\n", encoding="utf-8")
    return network


def node_settings(member: MemberSpec, network: GeneratedNetwork, paths: HostPaths) -> dict[str, Any]:
    """The member's Origo node.toml: its own Besu over loopback, its own kubo, the genesis contracts."""
    port = urlsplit(member.endpoint).port or 8701
    return {
        "member": member.code,
        "data_dir": paths.origo_data_dir,
        "chain_rpc": f"http://127.0.0.1:{member.rpc_port}",
        "chain_id": network.settings.chain_id,
        "membership_address": network.contracts.membership.address,
        "registry_address": network.contracts.registry.address,
        # The contracts are in the genesis block; QBFT blocks are final, so the index need not wait.
        "deployment_block": 0,
        "confirmations": 0,
        "host": "0.0.0.0",
        "port": port,
        "public_url": member.endpoint,
        "payload_backend": "kubo",
        "kubo_api": "/ip4/127.0.0.1/tcp/5001",
    }


def _genesis_member(member: MemberSpec, validator: str) -> GenesisMember:
    return GenesisMember(
        code=member.code,
        name=member.name,
        admin=member.admin,
        validator=validator,
        issuers=member.issuers,
        encryption_key=member.encryption_key,
        endpoint=member.endpoint,
    )


def _write_besu(
    directory: Path,
    member: MemberSpec,
    key: NodeKey,
    enodes: list[str],
    genesis_text: str,
    paths: HostPaths,
) -> None:
    directory.mkdir(parents=True)
    (directory / "genesis.json").write_text(genesis_text, encoding="utf-8")
    own = key.enode(member)
    peers = [e for e in enodes if e != own]
    (directory / "config.toml").write_text(
        besu.besu_config(member, peers, config_dir=paths.besu_config_dir, data_path=paths.besu_data_dir),
        encoding="utf-8",
    )
    (directory / "permissions_config.toml").write_text(besu.permissions_config(enodes), encoding="utf-8")
    (directory / "static-nodes.json").write_text(besu.static_nodes(peers), encoding="utf-8")
    (directory / "key.pub").write_text("0x" + key.public_key.hex() + "\n", encoding="utf-8")
    if key.private_key is not None:
        _secret(directory / "key", "0x" + key.private_key.hex())


def _secret(path: Path, text: str) -> None:
    """A file only its owner can read (keys, the swarm key)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)

"""``origo network generate``: everything starting a real consortium needs, for N members: Besu QBFT (the
production target, validators from the Membership contract) or Clique (sealers voted by the members' nodes;
for geth, or for Besu).

    DIR/genesis.json                         the chain's genesis (the same file for every member); for
                                             Clique geth's, beside DIR/genesis.besu.json (the same block)
    DIR/network.json                         a summary: consensus, chain id, contract addresses, each member's
                                             validator (sealer), enode and kubo peer id
    DIR/members/XX/besu/                     config.toml, genesis.json, key (if generated here), key.pub,
                                             permissions_config.toml, static-nodes.json -> /etc/besu
    DIR/members/XX/geth/                     (Clique) config.toml, genesis.json, nodekey (if generated here),
                                             key.pub, sealer.address, setup.sh, run.sh
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from origo_node.chain.deployment import GenesisMember
from origo_node.operator_tasks import write_config

from origo_network import besu, clique_files, kubo_files
from origo_network.besu import ChainSettings, NodeKey
from origo_network.genesis_state import ContractsState, deployed_state
from origo_network.members_file import MemberSpec, NetworkSpecError


@dataclass(frozen=True)
class HostPaths:
    """Where the generated files live on each member's machine."""

    besu_config_dir: str = "/etc/besu"
    besu_data_dir: str = "/var/lib/besu"
    origo_data_dir: str = "/var/lib/origo"
    geth_data_dir: str = "/var/lib/geth"


@dataclass
class GeneratedNetwork:
    out: Path
    settings: ChainSettings
    contracts: ContractsState
    validators: dict[str, str] = field(default_factory=dict)
    enodes: dict[str, str] = field(default_factory=dict)
    peer_ids: dict[str, str] = field(default_factory=dict)
    #: Where each member listens (host, ports) and its kubo swarm address: what a member joining later needs.
    addresses: dict[str, dict[str, Any]] = field(default_factory=dict)
    generated_keys: list[str] = field(default_factory=list)
    #: What the operator should know before using the files (members that share a machine, loopback hosts).
    warnings: list[str] = field(default_factory=list)
    #: The genesis block's time (Unix seconds): no block is sealed before it.
    genesis_time: int = 0

    def summary(self) -> dict[str, Any]:
        consensus: dict[str, Any] = (
            {
                "qbft": {
                    "block_period_s": self.settings.block_period_s,
                    "request_timeout_s": self.settings.request_timeout_s,
                    "epoch_length": self.settings.epoch_length,
                }
            }
            if self.settings.consensus == "qbft"
            else {
                "clique": {
                    "block_period_s": self.settings.block_period_s,
                    "epoch_length": self.settings.epoch_length,
                    "sealers": sorted(self.validators.values(), key=lambda a: int(a, 16)),
                }
            }
        )
        return {
            "consensus": self.settings.consensus,
            "chain_id": self.settings.chain_id,
            "contracts": {
                "membership": self.contracts.membership.address,
                "registry": self.contracts.registry.address,
            },
            "deployment_block": 0,
            "genesis_time": datetime.fromtimestamp(self.genesis_time, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            **consensus,
            "members": [
                {
                    "code": code,
                    "validator": self.validators[code],
                    "enode": self.enodes[code],
                    "kubo_peer_id": self.peer_ids[code],
                    **self.addresses[code],
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
        m.code: kubo_files.KuboIdentity(m.kubo_peer_id, None)
        if m.kubo_peer_id
        else kubo_files.KuboIdentity.generate()
        for m in members
    }
    contracts = deployed_state(
        [_genesis_member(m, node_keys[m.code].address) for m in members],
        quorum_bps=settings.quorum_bps,
        voting_period=settings.voting_period_s,
        chain_id=settings.chain_id,
    )
    network = GeneratedNetwork(
        out=out, settings=settings, contracts=contracts, warnings=address_warnings(members)
    )
    for m in members:
        network.validators[m.code] = node_keys[m.code].address
        network.enodes[m.code] = node_keys[m.code].enode(m)
        network.peer_ids[m.code] = identities[m.code].peer_id
        network.addresses[m.code] = listening(m, identities[m.code].peer_id)
        if node_keys[m.code].private_key is not None or identities[m.code].private_key_b64 is not None:
            network.generated_keys.append(m.code)
    timestamp = int(time.time()) if settings.genesis_time is None else settings.genesis_time
    network.genesis_time = timestamp
    sealers = list(network.validators.values())
    if settings.consensus == "clique":
        genesis_text = _json(
            clique_files.genesis(settings, contracts, members, sealers, timestamp, client="geth")
        )
        besu_genesis = _json(
            clique_files.genesis(settings, contracts, members, sealers, timestamp, client="besu")
        )
    else:
        genesis_text = besu_genesis = _json(besu.genesis(settings, contracts, members, timestamp))
    out.mkdir(parents=True, exist_ok=True)
    (out / "genesis.json").write_text(genesis_text, encoding="utf-8")
    if settings.consensus == "clique":
        (out / "genesis.besu.json").write_text(besu_genesis, encoding="utf-8")
    swarm_key = kubo_files.swarm_key()
    enodes = [network.enodes[m.code] for m in members]
    swarm = {m.code: kubo_files.swarm_address(m, identities[m.code].peer_id) for m in members}
    chain = ChainFiles(settings, network.contracts.membership.address, network.contracts.registry.address)
    for m in members:
        files = MemberFiles(m, node_keys[m.code], identities[m.code])
        others = [address for code, address in swarm.items() if code != m.code]
        write_member(out / "members" / m.code, files, chain, enodes, others, swarm_key, paths)
    (out / "network.json").write_text(json.dumps(network.summary(), indent=2) + "\n", encoding="utf-8")
    return network


@dataclass(frozen=True)
class ChainFiles:
    """What every member's files name of the chain: its settings and the genesis contracts."""

    settings: ChainSettings
    membership: str
    registry: str


@dataclass(frozen=True)
class MemberFiles:
    """One member and its chain node key and kubo identity (private halves only if made here)."""

    member: MemberSpec
    node_key: NodeKey
    identity: kubo_files.KuboIdentity


def write_member(
    member_dir: Path,
    files: MemberFiles,
    chain: ChainFiles,
    enodes: list[str],
    swarm_peers: list[str],
    swarm_key: str,
    paths: HostPaths,
) -> None:
    """Writes members/XX/: Besu's files (and geth's on Clique), kubo's and the Origo node.toml. The genesis
    files are read from the network's directory (``member_dir``'s grandparent), written there first."""
    out = member_dir.parent.parent
    m, settings = files.member, chain.settings
    genesis_text = (out / "genesis.json").read_text(encoding="utf-8")
    besu_name = "genesis.besu.json" if settings.consensus == "clique" else "genesis.json"
    besu_genesis = (out / besu_name).read_text(encoding="utf-8")
    _write_besu(member_dir / "besu", m, files.node_key, enodes, besu_genesis, paths, settings)
    if settings.consensus == "clique":
        _write_geth(member_dir / "geth", m, files.node_key, enodes, genesis_text, paths, settings)
    kubo_dir = member_dir / "kubo"
    kubo_dir.mkdir(parents=True)
    _secret(kubo_dir / "swarm.key", swarm_key)
    overrides = kubo_files.config_overrides(m, files.identity, swarm_peers)
    _secret(kubo_dir / "config-overrides.json", kubo_files.overrides_json(overrides))
    (kubo_dir / "setup.sh").write_text(kubo_files.SETUP_SCRIPT, encoding="utf-8")
    (kubo_dir / "setup.sh").chmod(0o755)
    origo_dir = member_dir / "origo"
    origo_dir.mkdir(parents=True)
    write_config(origo_dir / "node.toml", node_settings(m, chain, paths))


def node_settings(member: MemberSpec, chain: ChainFiles, paths: HostPaths) -> dict[str, Any]:
    """The member's Origo node.toml: its own chain node over loopback, its own kubo, the genesis contracts."""
    port = urlsplit(member.endpoint).port or 8701
    return {
        "member": member.code,
        "data_dir": paths.origo_data_dir,
        "chain_rpc": f"http://127.0.0.1:{member.rpc_port}",
        "chain_id": chain.settings.chain_id,
        "membership_address": chain.membership,
        "registry_address": chain.registry,
        # The contracts are in the genesis block. The consensus sets the confirmations (Clique forks).
        "deployment_block": 0,
        "consensus": chain.settings.consensus,
        "host": "0.0.0.0",
        "port": port,
        "public_url": member.endpoint,
        "payload_backend": "kubo",
        "kubo_api": "/ip4/127.0.0.1/tcp/5001",
    }


def listening(member: MemberSpec, peer_id: str) -> dict[str, Any]:
    """What network.json records of where ``member`` listens."""
    return {
        "host": member.host,
        "p2p_port": member.p2p_port,
        "rpc_port": member.rpc_port,
        "kubo_swarm_port": member.kubo_swarm_port,
        "engine_port": member.engine_port,
        "swarm_address": kubo_files.swarm_address(member, peer_id),
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


def address_warnings(members: list[MemberSpec]) -> list[str]:
    """Loud words for a layout that works only on one machine (the members file refuses two members at the
    same address; see ``members_file``)."""
    loopback = [m.code for m in members if m.host in ("localhost", "::1") or m.host.startswith("127.")]
    if len(members) > 1 and loopback:
        return [
            f"{', '.join(loopback)} listen(s) on a loopback address: the other members' machines cannot reach"
            " it; that layout is for a test network on one machine only (give each member its `host`)"
        ]
    return []


def _json(value: Any) -> str:
    return json.dumps(value, indent=2) + "\n"


def _write_besu(
    directory: Path,
    member: MemberSpec,
    key: NodeKey,
    enodes: list[str],
    genesis_text: str,
    paths: HostPaths,
    settings: ChainSettings,
) -> None:
    directory.mkdir(parents=True)
    (directory / "genesis.json").write_text(genesis_text, encoding="utf-8")
    own = key.enode(member)
    peers = [e for e in enodes if e != own]
    (directory / "config.toml").write_text(
        besu.besu_config(
            member,
            peers,
            config_dir=paths.besu_config_dir,
            data_path=paths.besu_data_dir,
            consensus=settings.consensus,
        ),
        encoding="utf-8",
    )
    (directory / "permissions_config.toml").write_text(besu.permissions_config(enodes), encoding="utf-8")
    (directory / "static-nodes.json").write_text(besu.static_nodes(peers), encoding="utf-8")
    (directory / "key.pub").write_text("0x" + key.public_key.hex() + "\n", encoding="utf-8")
    if key.private_key is not None:
        _secret(directory / "key", "0x" + key.private_key.hex())


def _write_geth(
    directory: Path,
    member: MemberSpec,
    key: NodeKey,
    enodes: list[str],
    genesis_text: str,
    paths: HostPaths,
    settings: ChainSettings,
) -> None:
    directory.mkdir(parents=True)
    (directory / "genesis.json").write_text(genesis_text, encoding="utf-8")
    own = key.enode(member)
    peers = [e for e in enodes if e != own]
    (directory / "config.toml").write_text(
        clique_files.geth_config(member, peers, network_id=settings.chain_id, data_dir=paths.geth_data_dir),
        encoding="utf-8",
    )
    (directory / "key.pub").write_text("0x" + key.public_key.hex() + "\n", encoding="utf-8")
    (directory / "sealer.address").write_text(key.address + "\n", encoding="utf-8")
    scripts = {
        "setup.sh": clique_files.geth_setup_script(paths.geth_data_dir),
        "run.sh": clique_files.geth_run_script(key.address, paths.geth_data_dir),
    }
    for name, text in scripts.items():
        (directory / name).write_text(text, encoding="utf-8")
        (directory / name).chmod(0o755)
    if key.private_key is not None:
        # geth reads a node key (and `account import` a key file) as bare hex.
        _secret(directory / "nodekey", key.private_key.hex())


def _secret(path: Path, text: str) -> None:
    """A file only its owner can read (keys, the swarm key)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)

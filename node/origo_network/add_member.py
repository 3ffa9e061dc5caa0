"""``origo network add-member``: the files of a member who joins a generated network after its genesis.

The new member gets what the first members got (members/XX/ with Besu's files, on Clique geth's, kubo's
and the Origo node.toml, from the same genesis and swarm key), and the directory's copies of every other
member's peer lists gain its enode, so that the coordinator can send each member its updated files. Its
chain node starts as a follower: it becomes a validator (a sealer on Clique) only when the members vote it in
(``origo consortium propose add-member`` with the ``validator`` written in members/XX/proposal.json); on
Clique the members' Origo nodes then vote its sealer in on the chain as well.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from origo_network import kubo_files
from origo_network.besu import ChainSettings, NodeKey, permissions_config, static_nodes
from origo_network.generate import ChainFiles, HostPaths, MemberFiles, listening, write_member
from origo_network.members_file import MemberSpec, NetworkSpecError, check_addresses_free

#: The peer lists of a generated geth config.toml (a JSON list of enode URLs each).
_PEER_LINES = re.compile(r"^(StaticNodes|TrustedNodes) = (\[.*\])$", re.MULTILINE)


@dataclass(frozen=True)
class AddedMember:
    code: str
    validator: str
    enode: str
    directory: Path
    #: The other members whose files in the directory changed (their peer lists), to send them again.
    updated: tuple[str, ...]
    keys_generated_here: bool


def add_member(out: Path, member: MemberSpec, paths: HostPaths | None = None) -> AddedMember:
    """Writes ``out``/members/XX for ``member`` and adds its enode to the others' peer lists in ``out``."""
    paths = paths or HostPaths()
    summary = _summary(out)
    members: list[dict[str, Any]] = summary["members"]
    if any(m["code"] == member.code for m in members):
        raise NetworkSpecError(f"{member.code} is already a member of the network in {out}")
    check_addresses_free(member, [(m["code"], m["host"], _ports(m)) for m in members])
    key = NodeKey(member.node_public_key, None) if member.node_public_key else NodeKey.generate()
    identity = (
        kubo_files.KuboIdentity(member.kubo_peer_id, None)
        if member.kubo_peer_id
        else kubo_files.KuboIdentity.generate()
    )
    if any(m["validator"].lower() == key.address.lower() for m in members):
        raise NetworkSpecError(f"{member.code}'s node key is already {_owner(members, key.address)}'s")
    enode = key.enode(member)
    enodes = [*(m["enode"] for m in members), enode]
    settings = ChainSettings(consensus=summary["consensus"], chain_id=summary["chain_id"])
    chain = ChainFiles(settings, summary["contracts"]["membership"], summary["contracts"]["registry"])
    swarm_key = _swarm_key(out, members)
    member_dir = out / "members" / member.code
    write_member(
        member_dir,
        MemberFiles(member, key, identity),
        chain,
        enodes,
        [m["swarm_address"] for m in members],
        swarm_key,
        paths,
    )
    (member_dir / "proposal.json").write_text(_json(_proposal(member, key.address)), encoding="utf-8")
    updated = tuple(m["code"] for m in members if _add_peer(out / "members" / m["code"], enode, enodes))
    members.append(
        {
            "code": member.code,
            "validator": key.address,
            "enode": enode,
            "kubo_peer_id": identity.peer_id,
            "keys_generated_here": key.private_key is not None or identity.private_key_b64 is not None,
            **listening(member, identity.peer_id),
            "joined_after_genesis": True,
        }
    )
    (out / "network.json").write_text(_json(summary), encoding="utf-8")
    return AddedMember(
        code=member.code,
        validator=key.address,
        enode=enode,
        directory=member_dir,
        updated=updated,
        keys_generated_here=bool(members[-1]["keys_generated_here"]),
    )


def _summary(out: Path) -> dict[str, Any]:
    try:
        summary: dict[str, Any] = json.loads((out / "network.json").read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NetworkSpecError(
            f"{out} holds no generated network (no network.json): give the directory that"
            " `origo network generate --out` wrote"
        ) from None
    except (OSError, ValueError) as exc:
        raise NetworkSpecError(f"cannot read {out / 'network.json'}: {exc}") from None
    members = summary.get("members")
    listed = isinstance(members, list) and all(isinstance(m, dict) and "swarm_address" in m for m in members)
    if not listed:
        raise NetworkSpecError(
            f"{out / 'network.json'} does not say where each member listens (written by an older `origo"
            " network generate`): generate the network again, or add host, ports and swarm_address per member"
        )
    return summary


def _ports(member: dict[str, Any]) -> dict[str, int]:
    return {name: int(member[name]) for name in ("p2p_port", "rpc_port", "kubo_swarm_port", "engine_port")}


def _owner(members: list[dict[str, Any]], address: str) -> str:
    return next(str(m["code"]) for m in members if str(m["validator"]).lower() == address.lower())


def _swarm_key(out: Path, members: list[dict[str, Any]]) -> str:
    """The private swarm's key, from a member's copy in the directory (the coordinator made them all)."""
    for m in members:
        path: Path = out / "members" / m["code"] / "kubo" / "swarm.key"
        if path.is_file():
            return path.read_text(encoding="utf-8")
    raise NetworkSpecError(
        f"no members/XX/kubo/swarm.key under {out}: the new member needs the swarm key the others have"
    )


def _add_peer(member_dir: Path, enode: str, enodes: list[str]) -> bool:
    """Adds ``enode`` to a member's peer lists in the directory; whether any of its files changed."""
    changed = False
    geth_config = member_dir / "geth" / "config.toml"
    if geth_config.is_file():
        text = geth_config.read_text(encoding="utf-8")

        def with_new_peer(line: re.Match[str]) -> str:
            peers = [*json.loads(line.group(2)), enode]
            return f"{line.group(1)} = [{', '.join(json.dumps(p) for p in peers)}]"

        geth_config.write_text(_PEER_LINES.sub(with_new_peer, text), encoding="utf-8")
        changed = True
    besu_dir = member_dir / "besu"
    static = besu_dir / "static-nodes.json"
    if static.is_file():
        peers = [*json.loads(static.read_text(encoding="utf-8")), enode]
        static.write_text(static_nodes(peers), encoding="utf-8")
        (besu_dir / "permissions_config.toml").write_text(permissions_config(enodes), encoding="utf-8")
        changed = True
    return changed


def _proposal(member: MemberSpec, validator: str) -> dict[str, Any]:
    """The file for ``origo consortium propose add-member --member``: the member with its validator."""
    return {
        "code": member.code,
        "name": member.name,
        "admin": member.admin,
        "issuers": list(member.issuers),
        "encryption_key": "0x" + member.encryption_key.hex(),
        "endpoint": member.endpoint,
        "validator": validator,
    }


def _json(value: Any) -> str:
    return json.dumps(value, indent=2) + "\n"

"""Reading ``members.json``: the consortium's first members, as ``origo node init`` / ``devnet.py join``
describe each one in a ``member.json``.

The file is a JSON list of those objects (or ``{"members": [...]}``). Each member gives at least ``code``,
``name``, ``admin``, ``issuers``, ``encryption_key`` and ``endpoint`` (or ``origo --json node init``'s
``admin_address``, ``issuer_address`` and ``encryption_public_key``). Optional: ``host`` (where its Besu and
kubo listen; default the endpoint's host name), ``p2p_port`` (30303), ``rpc_port`` (8545), ``kubo_swarm_port``
(4001), ``engine_port`` (8551, geth's engine API on loopback) — two members on the same host must differ in
each of these ports, since each is where that member's chain node or kubo listens —, ``node_public_key`` (its
Besu node key's public key, when the member made its own key — the safer way) and ``kubo_peer_id`` (likewise
for its kubo identity). A ``validator`` field is ignored: on Besu a validator is the address of the node key,
so the generator derives it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from web3 import Web3

_HEX = re.compile(r"^0x([0-9a-fA-F]{2})+$")
_PEER_ID = re.compile(r"^(12D3Koo|Qm)[1-9A-HJ-NP-Za-km-z]{40,60}$")


class NetworkSpecError(Exception):
    """What is wrong with the members file or the network's settings, in plain words."""


@dataclass(frozen=True)
class MemberSpec:
    code: str
    name: str
    admin: str
    issuers: tuple[str, ...]
    encryption_key: bytes
    endpoint: str
    host: str
    p2p_port: int = 30303
    rpc_port: int = 8545
    kubo_swarm_port: int = 4001
    #: geth's engine API port (always open, on loopback; unused by Clique, but two geths on one machine must
    #: not both take 8551).
    engine_port: int = 8551
    node_public_key: bytes | None = None
    kubo_peer_id: str | None = None
    accounts: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "accounts", (self.admin, *self.issuers))


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise NetworkSpecError(f"cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise NetworkSpecError(f"{path} is not JSON: {exc}") from None


def load_members(path: Path) -> list[MemberSpec]:
    """The members in ``path``; raises :class:`NetworkSpecError` naming the member and field at fault."""
    raw = _read_json(path)
    if isinstance(raw, dict) and "members" in raw:
        raw = raw["members"]
    if not isinstance(raw, list) or not raw:
        raise NetworkSpecError(f"{path} must hold a non-empty list of members")
    return parse_members(raw)


def load_member(path: Path) -> MemberSpec:
    """One member, from a file holding its object (as `origo node init` describes it) or a list of one."""
    raw = _read_json(path)
    if isinstance(raw, list) and len(raw) == 1:
        raw = raw[0]
    if not isinstance(raw, dict) or "members" in raw:
        raise NetworkSpecError(f"{path} must describe one member (a JSON object with its code, name, ...)")
    return _member(0, raw)


def parse_members(items: Sequence[Any]) -> list[MemberSpec]:
    members = [_member(i, item) for i, item in enumerate(items)]
    _check_unique(members)
    return members


def _member(index: int, item: Any) -> MemberSpec:
    where = f"member {index + 1}"
    if not isinstance(item, dict):
        raise NetworkSpecError(f"{where} must be a JSON object")
    item = _from_init_output(item)
    code = item.get("code")
    if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code):
        raise NetworkSpecError(f"{where}: code must be two capital letters such as VN, got {code!r}")
    where = f"member {code}"
    name = _text(item, "name", where)
    endpoint = _text(item, "endpoint", where)
    parts = urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise NetworkSpecError(f"{where}: endpoint must be the node's http(s) URL, got {endpoint!r}")
    issuers = item.get("issuers")
    if not isinstance(issuers, list) or not issuers:
        raise NetworkSpecError(f"{where}: issuers must be a non-empty list of addresses")
    key = item.get("encryption_key")
    if not isinstance(key, str) or not _HEX.match(key):
        raise NetworkSpecError(
            f"{where}: encryption_key must be the 0x-hex public key from `origo node init`"
        )
    node_key = item.get("node_public_key")
    if node_key is not None and (
        not isinstance(node_key, str) or not re.fullmatch(r"(0x)?[0-9a-fA-F]{128}", node_key)
    ):
        raise NetworkSpecError(
            f"{where}: node_public_key must be 64 bytes of hex (Besu's `public-key export`)"
        )
    peer_id = item.get("kubo_peer_id")
    if peer_id is not None and (not isinstance(peer_id, str) or not _PEER_ID.match(peer_id)):
        raise NetworkSpecError(f"{where}: kubo_peer_id must be a libp2p peer id such as 12D3KooW...")
    host = item.get("host", parts.hostname)
    if not isinstance(host, str) or not re.fullmatch(r"[A-Za-z0-9.-]{1,253}", host):
        raise NetworkSpecError(f"{where}: host must be a host name or IPv4 address, got {host!r}")
    return MemberSpec(
        code=code,
        name=name,
        admin=_address(item.get("admin"), f"{where}: admin"),
        issuers=tuple(_address(a, f"{where}: issuer") for a in issuers),
        encryption_key=bytes.fromhex(key[2:]),
        endpoint=endpoint,
        host=host,
        p2p_port=_port(item, "p2p_port", 30303, where),
        rpc_port=_port(item, "rpc_port", 8545, where),
        kubo_swarm_port=_port(item, "kubo_swarm_port", 4001, where),
        engine_port=_port(item, "engine_port", 8551, where),
        node_public_key=None if node_key is None else bytes.fromhex(node_key.removeprefix("0x")),
        kubo_peer_id=peer_id,
    )


def _from_init_output(item: dict[str, Any]) -> dict[str, Any]:
    """Also takes ``origo --json node init``'s names (plus code, name and endpoint added by the member)."""
    renamed = dict(item)
    if "admin" not in renamed and "admin_address" in renamed:
        renamed["admin"] = renamed["admin_address"]
    if "issuers" not in renamed and "issuer_address" in renamed:
        renamed["issuers"] = [renamed["issuer_address"]]
    if "encryption_key" not in renamed and "encryption_public_key" in renamed:
        renamed["encryption_key"] = renamed["encryption_public_key"]
    return renamed


def _text(item: dict[str, Any], name: str, where: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise NetworkSpecError(f"{where}: {name} must be a non-empty text of at most 200 characters")
    return value


def _address(value: Any, what: str) -> str:
    if not isinstance(value, str) or not Web3.is_address(value) or int(value, 16) == 0:
        raise NetworkSpecError(f"{what} must be a non-zero 0x address, got {value!r}")
    return str(Web3.to_checksum_address(value))


def _port(item: dict[str, Any], name: str, default: int, where: str) -> int:
    value = item.get(name, default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
        raise NetworkSpecError(f"{where}: {name} must be a port number, got {value!r}")
    return value


def _check_unique(members: list[MemberSpec]) -> None:
    seen_codes: set[str] = set()
    seen_accounts: dict[str, str] = {}
    for m in members:
        if m.code in seen_codes:
            raise NetworkSpecError(f"member {m.code} appears twice")
        seen_codes.add(m.code)
        for account in m.accounts:
            owner = seen_accounts.get(account)
            if owner is not None:
                raise NetworkSpecError(f"account {account} is given by both {owner} and {m.code}")
            seen_accounts[account] = m.code
    _check_addresses(members)


def _check_addresses(members: list[MemberSpec]) -> None:
    """No two members may be given the same listening address: their enodes (or kubo addresses) would name one
    machine's port twice, and at most one of the two nodes could ever be reached there."""
    taken: dict[tuple[str, int], tuple[str, str]] = {}
    for m in members:
        host = m.host.lower().rstrip(".")
        for what, port in (
            ("p2p_port", m.p2p_port),
            ("rpc_port", m.rpc_port),
            ("kubo_swarm_port", m.kubo_swarm_port),
            ("engine_port", m.engine_port),
        ):
            other = taken.get((host, port))
            if other is not None and other[0] == m.code:
                raise NetworkSpecError(f"member {m.code}: {other[1]} and {what} are both {port}")
            if other is not None:
                raise NetworkSpecError(
                    f"members {other[0]} and {m.code} would both listen on {m.host}:{port}"
                    f" ({other[1]} of {other[0]}, {what} of {m.code}): give each member on the same host"
                    " its own p2p_port, rpc_port, kubo_swarm_port and engine_port, or its own host"
                )
            taken[(host, port)] = (m.code, what)


def check_addresses_free(member: MemberSpec, others: Sequence[tuple[str, str, dict[str, int]]]) -> None:
    """A member joining later may not listen where a member (code, host, ports) already does."""
    host = member.host.lower().rstrip(".")
    mine = {
        "p2p_port": member.p2p_port,
        "rpc_port": member.rpc_port,
        "kubo_swarm_port": member.kubo_swarm_port,
        "engine_port": member.engine_port,
    }
    for code, other_host, ports in others:
        if other_host.lower().rstrip(".") != host:
            continue
        for what, port in mine.items():
            clash = next((name for name, taken in ports.items() if taken == port), None)
            if clash is not None:
                raise NetworkSpecError(
                    f"members {code} and {member.code} would both listen on {member.host}:{port}"
                    f" ({clash} of {code}, {what} of {member.code}): give {member.code} its own ports or host"
                )

"""kubo's side of a generated network: the private swarm key every member shares, each member's libp2p
identity (unless it made its own), and the bootstrap list (the members only).

A libp2p Ed25519 identity is the protobuf ``PrivateKey{Type: Ed25519, Data: seed || public}`` (base64 in
kubo's config); its peer id is the identity multihash of the protobuf public key, in base58btc
("12D3KooW...").
"""

from __future__ import annotations

import base64
import ipaddress
import json
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from origo_network.members_file import MemberSpec

_ED25519 = 1
_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def swarm_key() -> str:
    """A new pre-shared key for a private swarm: only nodes holding it can connect to each other."""
    return "/key/swarm/psk/1.0.0/\n/base16/\n" + os.urandom(32).hex() + "\n"


@dataclass(frozen=True)
class KuboIdentity:
    peer_id: str
    private_key_b64: str | None  # None when the member made its own identity

    @classmethod
    def generate(cls) -> KuboIdentity:
        key = Ed25519PrivateKey.generate()
        seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        private_proto = _key_proto(seed + public)
        return cls(peer_id=peer_id_of(public), private_key_b64=base64.b64encode(private_proto).decode())


def _key_proto(data: bytes) -> bytes:
    return bytes([0x08, _ED25519, 0x12, len(data)]) + data


def peer_id_of(ed25519_public: bytes) -> str:
    proto = _key_proto(ed25519_public)
    return base58(bytes([0x00, len(proto)]) + proto)


def base58(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = ""
    while number:
        number, rest = divmod(number, 58)
        out = _B58[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


def swarm_address(member: MemberSpec, peer_id: str) -> str:
    try:
        ipaddress.IPv4Address(member.host)
        transport = f"/ip4/{member.host}"
    except ValueError:
        transport = f"/dns4/{member.host}"
    return f"{transport}/tcp/{member.kubo_swarm_port}/p2p/{peer_id}"


def config_overrides(member: MemberSpec, identity: KuboIdentity, bootstrap: list[str]) -> dict[str, object]:
    """What to set in the member's kubo config (``$IPFS_PATH/config``) after ``ipfs init``."""
    overrides: dict[str, object] = {
        "Bootstrap": bootstrap,
        "Addresses": {
            # Private networks are TCP only (no QUIC/WebTransport with a pre-shared key).
            "Swarm": [f"/ip4/0.0.0.0/tcp/{member.kubo_swarm_port}"],
            "API": "/ip4/127.0.0.1/tcp/5001",
            "Gateway": "/ip4/127.0.0.1/tcp/8080",
        },
        "AutoConf": {"Enabled": False},
        "Routing": {"Type": "dht"},
    }
    if identity.private_key_b64 is not None:
        overrides["Identity"] = {"PeerID": identity.peer_id, "PrivKey": identity.private_key_b64}
    return overrides


SETUP_SCRIPT = """#!/bin/sh
# Sets up this member's kubo for the consortium's private swarm. Run once, as the user kubo runs as.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
export IPFS_PATH="${IPFS_PATH:-/var/lib/ipfs}"
export LIBP2P_FORCE_PNET=1   # refuse to start without the swarm key
[ -f "$IPFS_PATH/config" ] || ipfs init --profile server --empty-repo
install -m 600 "$HERE/swarm.key" "$IPFS_PATH/swarm.key"
# Merge the generated settings (bootstrap = the members only, TCP, identity) into kubo's config.
python3 - "$IPFS_PATH/config" "$HERE/config-overrides.json" <<'EOF'
import json, sys
config = json.load(open(sys.argv[1]))
for key, value in json.load(open(sys.argv[2])).items():
    if isinstance(value, dict) and isinstance(config.get(key), dict):
        config[key].update(value)
    else:
        config[key] = value
json.dump(config, open(sys.argv[1], "w"), indent=2)
EOF
echo "kubo configured in $IPFS_PATH; start it with LIBP2P_FORCE_PNET=1 ipfs daemon"
"""


def overrides_json(overrides: dict[str, object]) -> str:
    return json.dumps(overrides, indent=2) + "\n"

"""What an operator does to a node: create its data directory and keys, add API keys, run it, reindex.

``write_config`` and ``update_config`` (``config_file``) stay importable from here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from origo_node.config_file import update_config as update_config  # importable from here as before
from origo_node.config_file import write_config as write_config
from origo_node.crypto import (
    EncryptionPrivateKey,
    SuiteId,
    load_signing_key,
    new_signing_key,
    save_encryption_key,
)
from origo_node.settings import CONFIG_FILE, NodeSettings
from origo_node.store.apikeys import Role, create_key, import_key
from origo_node.store.backends import open_store, open_store_in

#: Written by ``init_node`` beside node.toml: what ``origo consortium propose add-member --member`` reads.
MEMBER_FILE = "member.json"


@dataclass(frozen=True)
class InitResult:
    data_dir: Path
    config_file: Path
    issuer_address: str
    admin_address: str
    encryption_public_key: str  # 0x-hex, what the membership contract publishes
    admin_api_key: str
    member_file: Path  # what the new member sends the consortium to be voted in

    def as_dict(self) -> dict[str, Any]:
        return {k: str(v) for k, v in self.__dict__.items()}


def init_node(
    data_dir: Path,
    member: str,
    passphrase: str,
    *,
    settings: dict[str, Any] | None = None,
    suite: SuiteId = SuiteId.MLKEM768_X25519,
    scrypt_n: int | None = None,
    name: str | None = None,
) -> InitResult:
    """Creates the data directory, the three keystores (issuer, admin, encryption), ``node.toml`` and
    ``member.json`` (the member as an add-member proposal names it; ``name`` is the authority's name).

    Refuses to touch a directory that already has keys: keys are never overwritten.
    """
    keys = data_dir / "keys"
    if keys.exists() and any(keys.iterdir()):
        raise FileExistsError(f"{data_dir} already holds keys; refusing to overwrite them")
    keys.mkdir(parents=True, exist_ok=True)
    issuer = new_signing_key(keys / "issuer.json", passphrase, scrypt_n=scrypt_n)
    admin = new_signing_key(keys / "admin.json", passphrase, scrypt_n=scrypt_n)
    encryption = EncryptionPrivateKey.generate(suite)
    save_encryption_key(
        keys / "encryption.json", encryption, passphrase, **({"scrypt_n": scrypt_n} if scrypt_n else {})
    )
    config = data_dir / CONFIG_FILE
    write_config(config, {"member": member, "data_dir": str(data_dir.resolve()), **(settings or {})})
    admin_key = create_key(open_store_in(data_dir), "admin", "created by origo node init")
    encryption_key = "0x" + encryption.public_key_bytes().hex()
    member_file = data_dir / MEMBER_FILE
    endpoint = (settings or {}).get("public_url") or ""
    proposal = {
        "code": member,
        "name": name or member,
        "admin": admin,
        # The admin account also validates: one QBFT validator per member, voted in with it.
        "validator": admin,
        "issuers": [issuer],
        "encryption_key": encryption_key,
        "endpoint": endpoint,
    }
    member_file.write_text(json.dumps(proposal, indent=2) + "\n", encoding="utf-8")
    return InitResult(
        data_dir=data_dir,
        config_file=config,
        issuer_address=issuer,
        admin_address=admin,
        encryption_public_key=encryption_key,
        admin_api_key=admin_key,
        member_file=member_file,
    )


def add_api_key(data_dir: Path, role: Role, name: str, key: str | None = None) -> str:
    """Creates (or, given ``key``, registers) an API key in the node's database; returns the key."""
    db = open_store_in(data_dir)
    if key is None:
        return create_key(db, role, name)
    import_key(db, role, name, key)
    return key


def node_addresses(settings: NodeSettings) -> dict[str, str]:
    passphrase = settings.read_passphrase()
    return {
        "issuer": str(load_signing_key(settings.signing_keystore, passphrase).address),
        "admin": str(load_signing_key(settings.admin_keystore, passphrase).address),
    }


def reindex(settings: NodeSettings) -> None:
    """Drops the index; the next run rebuilds it from the chain."""
    open_store(settings).drop_index()

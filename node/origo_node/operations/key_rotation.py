"""``origo node rotate-keys``: a member replaces its issuer account and its HPKE encryption key.

Done with the node stopped and nothing of it waiting for the chain, because the running node holds its
keys in memory and every accepted document is signed by the issuer account it was accepted with:

1. a new issuer key is made and added to the member (``addIssuer``, from the admin account); a new
encryption
   key is made and published (``setEncryptionKey``);
2. the old keystores move to ``keys/retired/`` and the new ones take their place; 3. the old issuer
account is removed (``removeIssuer``).

Certificates issued before stay valid: verification asks the contract whether the signer was an issuer
*at the block the document was anchored in*, which stays true. Payloads sealed to the old encryption key
stay readable: the node keeps retired keys and tries them when the current one does not open a payload.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from eth_account.signers.local import LocalAccount
from web3 import Web3

from origo_node.chain.artifacts import load_abi
from origo_node.chain.deploy import send_transaction
from origo_node.crypto import (
    EncryptionPrivateKey,
    load_encryption_key,
    load_signing_key,
    new_signing_key,
    save_encryption_key,
)
from origo_node.errors import ChainError
from origo_node.operations.backlog import anchoring_backlog
from origo_node.settings import NodeSettings
from origo_node.store.db import Database
from origo_node.workers import BackgroundLock


class RotationError(Exception):
    """Why the keys cannot be rotated now, in plain words."""


@dataclass(frozen=True)
class RotationResult:
    old_issuer: str | None
    new_issuer: str | None
    old_encryption_key: str | None  # 0x-hex published form
    new_encryption_key: str | None


def retired_dir(settings: NodeSettings) -> Path:
    return Path(settings.data_dir) / "keys" / "retired"


def load_retired_encryption_keys(settings: NodeSettings, passphrase: str) -> list[EncryptionPrivateKey]:
    """Every encryption key this node published before, newest first."""
    paths = sorted(retired_dir(settings).glob("encryption-*.json"), reverse=True)
    return [load_encryption_key(path, passphrase) for path in paths]


def rotate_keys(
    settings: NodeSettings,
    passphrase: str,
    *,
    issuer: bool = True,
    encryption: bool = True,
    scrypt_n: int | None = None,
) -> RotationResult:
    lock = BackgroundLock(Path(settings.data_dir) / "background.lock")
    if not lock.try_acquire():
        raise RotationError("the node is running; stop it before rotating its keys")
    try:
        _check_nothing_waits(settings)
        w3 = Web3(Web3.HTTPProvider(settings.chain_rpc, request_kwargs={"timeout": settings.tx_timeout_s}))
        membership = w3.eth.contract(
            address=Web3.to_checksum_address(settings.membership_address), abi=load_abi("Membership")
        )
        admin = load_signing_key(settings.admin_keystore, passphrase)
        code = settings.member.encode("ascii")
        if bytes(membership.functions.memberOfAdmin(admin.address).call()) != code:
            raise RotationError(f"the admin account {admin.address} is not {settings.member}'s active admin")
        result = RotationResult(None, None, None, None)
        retired = retired_dir(settings)
        retired.mkdir(parents=True, exist_ok=True)
        if issuer:
            result = _rotate_issuer(settings, passphrase, w3, membership, admin, retired, result, scrypt_n)
        if encryption:
            result = _rotate_encryption(
                settings, passphrase, w3, membership, admin, retired, result, scrypt_n
            )
        return result
    finally:
        lock.release()


def _check_nothing_waits(settings: NodeSettings) -> None:
    db = Database(settings.database_path)
    try:
        backlog = anchoring_backlog(db)
        if backlog.pending:
            raise RotationError(
                f"{backlog.pending} accepted document(s) are not anchored yet; run the node until they are"
                " (its /healthz shows outbox_pending 0), stop it, then rotate"
            )
        open_actions = db.read().execute("SELECT count(*) FROM actions WHERE state IN ('pending', 'sent')")
        count = int(open_actions.fetchone()[0])
        if count:
            raise RotationError(
                f"{count} officer action(s) are not on the chain yet; let the node send them first"
            )
    finally:
        db.close()


def _send(w3: Web3, admin: LocalAccount, call: object, what: str) -> None:
    try:
        tx = call.build_transaction({"from": admin.address})  # type: ignore[attr-defined]
        send_transaction(w3, admin, tx)
    except (ChainError, ValueError, OSError) as exc:
        raise RotationError(f"the chain refused {what}: {exc}") from None


def _rotate_issuer(
    settings: NodeSettings,
    passphrase: str,
    w3: Web3,
    membership: object,
    admin: LocalAccount,
    retired: Path,
    result: RotationResult,
    scrypt_n: int | None,
) -> RotationResult:
    current = settings.signing_keystore
    old = load_signing_key(current, passphrase).address
    staged = current.with_name("issuer.new.json")
    staged.unlink(missing_ok=True)  # a key made by an interrupted rotation that never reached the chain
    new = new_signing_key(staged, passphrase, scrypt_n=scrypt_n)
    fns = membership.functions  # type: ignore[attr-defined]
    _send(w3, admin, fns.addIssuer(new), f"adding the issuer account {new}")
    current.rename(retired / f"issuer-{old}.json")
    staged.rename(current)
    _send(w3, admin, fns.removeIssuer(old), f"removing the old issuer account {old}")
    return RotationResult(old, new, result.old_encryption_key, result.new_encryption_key)


def _rotate_encryption(
    settings: NodeSettings,
    passphrase: str,
    w3: Web3,
    membership: object,
    admin: LocalAccount,
    retired: Path,
    result: RotationResult,
    scrypt_n: int | None,
) -> RotationResult:
    current = settings.encryption_keystore
    old = load_encryption_key(current, passphrase)
    new = EncryptionPrivateKey.generate(old.suite.id)
    staged = current.with_name("encryption.new.json")
    staged.unlink(missing_ok=True)
    save_encryption_key(staged, new, passphrase, **({"scrypt_n": scrypt_n} if scrypt_n else {}))
    fns = membership.functions  # type: ignore[attr-defined]
    _send(w3, admin, fns.setEncryptionKey(new.public_key_bytes()), "publishing the new encryption key")
    # Newest-first order by name: a time stamp with microseconds.
    current.rename(retired / f"encryption-{time.time():017.6f}.json")
    staged.rename(current)
    return RotationResult(
        result.old_issuer,
        result.new_issuer,
        "0x" + old.public_key_bytes().hex(),
        "0x" + new.public_key_bytes().hex(),
    )

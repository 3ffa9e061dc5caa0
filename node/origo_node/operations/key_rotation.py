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

from origo_node.background import BackgroundLock
from origo_node.chain import calls
from origo_node.chain.port import Call, ChainPort
from origo_node.chain.sender import TxSender
from origo_node.crypto import (
    EncryptionPrivateKey,
    load_encryption_key,
    load_signing_key,
    new_signing_key,
    save_encryption_key,
)
from origo_node.errors import ChainError
from origo_node.settings import NodeSettings
from origo_node.store.action_rows import ActionRepository
from origo_node.store.db import Database
from origo_node.store.outbox import OutboxRepository


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
    chain: ChainPort,
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
        admin = load_signing_key(settings.admin_keystore, passphrase)
        own = next((m for m in chain.members() if m.code == settings.member), None)
        if own is None or own.status != 1 or own.admin.lower() != str(admin.address).lower():
            raise RotationError(f"the admin account {admin.address} is not {settings.member}'s active admin")
        sender = TxSender(chain, admin)
        result = RotationResult(None, None, None, None)
        retired = retired_dir(settings)
        retired.mkdir(parents=True, exist_ok=True)
        if issuer:
            result = _rotate_issuer(settings, passphrase, sender, retired, result, scrypt_n)
        if encryption:
            result = _rotate_encryption(settings, passphrase, sender, retired, result, scrypt_n)
        return result
    finally:
        lock.release()


def _check_nothing_waits(settings: NodeSettings) -> None:
    db = Database(settings.database_path)
    try:
        backlog = OutboxRepository(db).anchoring_backlog()
        if backlog.pending:
            raise RotationError(
                f"{backlog.pending} accepted document(s) are not anchored yet; run the node until they are"
                " (its /healthz shows outbox_pending 0), stop it, then rotate"
            )
        count = len(ActionRepository(db).open())
        if count:
            raise RotationError(
                f"{count} officer action(s) are not on the chain yet; let the node send them first"
            )
    finally:
        db.close()


def _send(sender: TxSender, call: Call, what: str, timeout: float) -> None:
    try:
        sender.send_and_wait(call, timeout)
    except ChainError as exc:
        raise RotationError(f"the chain refused {what}: {exc}") from None


def _rotate_issuer(
    settings: NodeSettings,
    passphrase: str,
    sender: TxSender,
    retired: Path,
    result: RotationResult,
    scrypt_n: int | None,
) -> RotationResult:
    current = settings.signing_keystore
    old = load_signing_key(current, passphrase).address
    staged = current.with_name("issuer.new.json")
    staged.unlink(missing_ok=True)  # a key made by an interrupted rotation that never reached the chain
    new = new_signing_key(staged, passphrase, scrypt_n=scrypt_n)
    timeout = settings.tx_timeout_s
    _send(sender, calls.add_issuer(new), f"adding the issuer account {new}", timeout)
    current.rename(retired / f"issuer-{old}.json")
    staged.rename(current)
    _send(sender, calls.remove_issuer(old), f"removing the old issuer account {old}", timeout)
    return RotationResult(old, new, result.old_encryption_key, result.new_encryption_key)


def _rotate_encryption(
    settings: NodeSettings,
    passphrase: str,
    sender: TxSender,
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
    _send(
        sender,
        calls.set_encryption_key(new.public_key_bytes()),
        "publishing the new encryption key",
        settings.tx_timeout_s,
    )
    # Newest-first order by name: a time stamp with microseconds.
    current.rename(retired / f"encryption-{time.time():017.6f}.json")
    staged.rename(current)
    return RotationResult(
        result.old_issuer,
        result.new_issuer,
        "0x" + old.public_key_bytes().hex(),
        "0x" + new.public_key_bytes().hex(),
    )

"""Keystores: round trips, wrong passphrases, tampering, file permissions, no clobbering."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from origo_node.crypto import (
    EncryptionPrivateKey,
    SuiteId,
    load_encryption_key,
    load_signing_key,
    new_signing_key,
    open_envelope,
    save_encryption_key,
    seal,
)
from origo_node.errors import CryptoError, KeystoreLocked

FAST = 2**10  # scrypt cost for tests only; the defaults take ~0.3 s (ours) and ~1 s (eth-account)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("suite_id", [SuiteId.X25519, SuiteId.MLKEM768_X25519])
def test_encryption_key_round_trip(tmp_path: Path, suite_id: SuiteId) -> None:
    key = EncryptionPrivateKey.generate(suite_id)
    path = tmp_path / "keys" / "encryption.json"

    save_encryption_key(path, key, "correct horse", scrypt_n=FAST)
    loaded = load_encryption_key(path, "correct horse")

    assert loaded.public_key_bytes() == key.public_key_bytes()
    envelope = seal(b"payload", {"ME": key.public_key_bytes()}, b"")
    assert open_envelope(envelope, "ME", loaded, b"") == b"payload"
    assert mode(path) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["encryption.json"]  # no temporary left


def test_encryption_keystore_hides_the_secret(tmp_path: Path) -> None:
    key = EncryptionPrivateKey.generate(SuiteId.X25519)
    path = tmp_path / "encryption.json"
    save_encryption_key(path, key, "pass", scrypt_n=FAST)

    text = path.read_text()
    assert key.secret_bytes().hex() not in text
    assert json.loads(text)["public_key"] == key.public_key_bytes().hex()


def test_wrong_passphrase_locks_the_encryption_key(tmp_path: Path) -> None:
    path = tmp_path / "encryption.json"
    save_encryption_key(path, EncryptionPrivateKey.generate(SuiteId.X25519), "right", scrypt_n=FAST)

    with pytest.raises(KeystoreLocked):
        load_encryption_key(path, "wrong")


@pytest.mark.parametrize(
    ("field", "value"),
    [("suite", "mlkem768x25519-hkdf-sha256-aes256gcm"), ("public_key", "01" + "00" * 32), ("version", 2)],
)
def test_altered_keystore_is_refused(tmp_path: Path, field: str, value: object) -> None:
    path = tmp_path / "encryption.json"
    save_encryption_key(path, EncryptionPrivateKey.generate(SuiteId.X25519), "pass", scrypt_n=FAST)
    document = json.loads(path.read_text())
    document[field] = value
    path.write_text(json.dumps(document))

    with pytest.raises(CryptoError):
        load_encryption_key(path, "pass")


def test_hostile_scrypt_cost_is_refused_before_deriving(tmp_path: Path) -> None:
    path = tmp_path / "encryption.json"
    save_encryption_key(path, EncryptionPrivateKey.generate(SuiteId.X25519), "pass", scrypt_n=FAST)
    document = json.loads(path.read_text())
    document["kdf"]["n"] = 2**30
    path.write_text(json.dumps(document))

    with pytest.raises(CryptoError, match="out of bounds"):
        load_encryption_key(path, "pass")


def test_keystores_are_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "encryption.json"
    first = EncryptionPrivateKey.generate(SuiteId.X25519)
    save_encryption_key(path, first, "pass", scrypt_n=FAST)

    with pytest.raises(CryptoError, match="overwrite"):
        save_encryption_key(path, EncryptionPrivateKey.generate(SuiteId.X25519), "pass", scrypt_n=FAST)
    with pytest.raises(CryptoError, match="overwrite"):
        new_signing_key(path, "pass", scrypt_n=FAST)
    assert load_encryption_key(path, "pass").public_key_bytes() == first.public_key_bytes()


def test_malformed_keystores_are_crypto_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")

    with pytest.raises(CryptoError):
        load_encryption_key(path, "pass")
    with pytest.raises(CryptoError):
        load_signing_key(path, "pass")
    with pytest.raises(CryptoError):
        load_encryption_key(tmp_path / "missing.json", "pass")


def test_signing_key_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "signing.json"

    address = new_signing_key(path, "signing pass", scrypt_n=FAST)
    account = load_signing_key(path, "signing pass")

    assert account.address == address
    assert mode(path) == 0o600
    assert json.loads(path.read_text())["address"].lower() == address[2:].lower()


def test_wrong_passphrase_locks_the_signing_key(tmp_path: Path) -> None:
    path = tmp_path / "signing.json"
    new_signing_key(path, "right", scrypt_n=FAST)

    with pytest.raises(KeystoreLocked):
        load_signing_key(path, "wrong")


def test_empty_passphrases_are_refused(tmp_path: Path) -> None:
    with pytest.raises(CryptoError):
        new_signing_key(tmp_path / "s.json", "")
    with pytest.raises(CryptoError):
        save_encryption_key(tmp_path / "e.json", EncryptionPrivateKey.generate(SuiteId.X25519), "")

"""Encryption private keys at rest: scrypt-derived key, AES-256-GCM, in a versioned JSON file (0600).

``cryptography``'s ``BestAvailableEncryption`` does not cover the hybrid ML-KEM key, hence this format::

    {"version": 1, "type": "origo-encryption-key", "suite": "<suite name>", "public_key": "<hex>",
     "kdf": {"name": "scrypt", "n": ..., "r": 8, "p": 1, "salt": "<base64>"},
     "cipher": {"name": "aes-256-gcm", "nonce": "<base64>", "ciphertext": "<base64>"}}

Everything but the ciphertext is authenticated as GCM associated data, so the parameters cannot be
swapped under a valid ciphertext. The public key is kept in clear so that an operator can see which
published key a file holds without its passphrase.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from origo_node.crypto._files import read_secret_file, write_secret_file
from origo_node.crypto.keys import EncryptionPrivateKey
from origo_node.crypto.suites import suite_by_name
from origo_node.errors import CryptoError, KeystoreLocked

VERSION = 1
TYPE = "origo-encryption-key"
#: ~0.3 s and 128 MiB per unlock: costly to guess, cheap to open once at start-up.
DEFAULT_SCRYPT_N = 2**17
# A file may choose its own cost, within reason: a hostile file must not make loading eat the machine.
_MAX_SCRYPT_N = 2**20
_SCRYPT_R = 8
_SCRYPT_P = 1


def save_encryption_key(
    path: Path, key: EncryptionPrivateKey, passphrase: str, *, scrypt_n: int = DEFAULT_SCRYPT_N
) -> None:
    """Write ``key`` to a new file at ``path``, encrypted under ``passphrase``; never overwrites."""
    if not passphrase:
        raise CryptoError("an empty passphrase protects nothing")
    salt, nonce = os.urandom(16), os.urandom(12)
    header: dict[str, Any] = {
        "version": VERSION,
        "type": TYPE,
        "suite": key.suite.name,
        "public_key": key.public_key_bytes().hex(),
        "kdf": {"name": "scrypt", "n": scrypt_n, "r": _SCRYPT_R, "p": _SCRYPT_P, "salt": _b64(salt)},
    }
    wrapping_key = _derive(passphrase, salt, scrypt_n, _SCRYPT_R, _SCRYPT_P)
    ciphertext = AESGCM(wrapping_key).encrypt(nonce, key.secret_bytes(), _canonical(header))
    document = {
        **header,
        "cipher": {"name": "aes-256-gcm", "nonce": _b64(nonce), "ciphertext": _b64(ciphertext)},
    }
    write_secret_file(path, json.dumps(document, indent=2, sort_keys=True).encode() + b"\n")


def load_encryption_key(path: Path, passphrase: str) -> EncryptionPrivateKey:
    """Read the key at ``path``. KeystoreLocked for a wrong passphrase (or a file altered since)."""
    try:
        document = json.loads(read_secret_file(path))
        header = {name: document[name] for name in ("version", "type", "suite", "public_key", "kdf")}
        kdf, cipher = header["kdf"], document["cipher"]
        if header["version"] != VERSION or header["type"] != TYPE:
            raise CryptoError("not a version 1 Origo encryption keystore", path=str(path))
        if kdf["name"] != "scrypt" or cipher["name"] != "aes-256-gcm":
            raise CryptoError("unsupported keystore algorithms", path=str(path))
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        salt, nonce, ciphertext = _unb64(kdf["salt"]), _unb64(cipher["nonce"]), _unb64(cipher["ciphertext"])
        spec = suite_by_name(header["suite"])
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise CryptoError(f"malformed encryption keystore: {exc!r}", path=str(path)) from exc
    if not (1 < n <= _MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16):
        raise CryptoError("keystore asks for scrypt parameters out of bounds", path=str(path))
    try:
        secret = AESGCM(_derive(passphrase, salt, n, r, p)).decrypt(nonce, ciphertext, _canonical(header))
    except InvalidTag:
        raise KeystoreLocked("wrong passphrase, or the keystore was altered", path=str(path)) from None
    key = EncryptionPrivateKey(spec, secret)
    if key.public_key_bytes().hex() != header["public_key"]:
        raise CryptoError("keystore's secret does not match its public key", path=str(path))
    return key


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def _canonical(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)

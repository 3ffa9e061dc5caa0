"""Signing keys (secp256k1, the chain's accounts) in the standard Ethereum keystore format.

eth-account writes and reads the format (scrypt, AES-128-CTR, MAC), so any Ethereum tool can open
these files too; this module adds the 0600 no-clobber file handling and the node's errors.
"""

from __future__ import annotations

import json
from pathlib import Path

from eth_account import Account
from eth_account.signers.local import LocalAccount

from origo_node.crypto._files import read_secret_file, write_secret_file
from origo_node.errors import CryptoError, KeystoreLocked


def new_signing_key(path: Path, passphrase: str, *, scrypt_n: int | None = None) -> str:
    """Create a signing key, save it encrypted at ``path`` (never overwriting); return its address.

    ``scrypt_n`` defaults to eth-account's (2**18); tests lower it.
    """
    if not passphrase:
        raise CryptoError("an empty passphrase protects nothing")
    account = Account.create()
    keystore = Account.encrypt(account.key, passphrase, kdf="scrypt", iterations=scrypt_n)
    write_secret_file(path, json.dumps(keystore).encode() + b"\n")
    return str(account.address)


def load_signing_key(path: Path, passphrase: str) -> LocalAccount:
    """The account in the keystore at ``path``; KeystoreLocked for a wrong passphrase."""
    try:
        keystore = json.loads(read_secret_file(path))
    except ValueError as exc:
        raise CryptoError("malformed signing keystore", path=str(path)) from exc
    try:
        private_key = Account.decrypt(keystore, passphrase)
    except ValueError as exc:
        # eth-keyfile reports a wrong passphrase as "MAC mismatch"; anything else is a broken file.
        if "MAC mismatch" in str(exc):
            raise KeystoreLocked("wrong passphrase for the signing keystore", path=str(path)) from None
        raise CryptoError(f"malformed signing keystore: {exc}", path=str(path)) from exc
    except (KeyError, TypeError) as exc:
        raise CryptoError("malformed signing keystore", path=str(path)) from exc
    account: LocalAccount = Account.from_key(private_key)
    return account

"""Keys decrypted the first time they are used, not when a node process starts.

Opening a keystore costs one scrypt (2**18 for a signing key, 2**17 for an encryption key: 0.6-1.7 s each on
this machine), and every node process used to open all of them before doing anything: three processes,
three keystores each, seconds of CPU before a new member's node replayed its first block, though the replay
needs no key at all. Here each key is decrypted by whichever thread first needs it (to sign a transaction or
a document, to open a payload), once per process, and kept. The keystores stay as they are on disk; the
passphrase is held in memory instead of the keys until then, as the settings object already held it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from eth_account.signers.local import LocalAccount
from eth_utils.address import to_checksum_address

from origo_node.crypto._files import read_secret_file
from origo_node.crypto.signing import load_signing_key
from origo_node.errors import CryptoError

T = TypeVar("T")


class Lazy(Generic[T]):
    """A value made the first time it is asked for, once, whichever thread asks first."""

    def __init__(self, make: Callable[[], T]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._value: T | None = None
        self._made = False

    @classmethod
    def of(cls, value: T) -> Lazy[T]:
        made: Lazy[T] = cls(lambda: value)
        made.get()
        return made

    @classmethod
    def wrap(cls, value: T | Lazy[T]) -> Lazy[T]:
        return value if isinstance(value, Lazy) else cls.of(value)

    @property
    def made(self) -> bool:
        return self._made

    def get(self) -> T:
        if not self._made:
            with self._lock:
                if not self._made:  # a failure (wrong passphrase) raises here, and again at the next ask
                    self._value = self._make()
                    self._made = True
        return self._value  # type: ignore[return-value]


class DeferredAccount:
    """A signing account (the chain port's ``TxAccount``) whose keystore is decrypted when it first signs.

    Its address is read from the keystore's ``address`` field, which the Ethereum keystore format keeps in
    clear; once decrypted, the key must be that address's, or it is refused.
    """

    def __init__(self, path: Path, passphrase: str) -> None:
        self._path = path
        self._account: Lazy[LocalAccount] = Lazy(lambda: self._load(passphrase))
        self.address = _stated_address(path) or self._account.get().address

    def __repr__(self) -> str:
        return f"DeferredAccount({self.address}, decrypted={self._account.made})"

    @property
    def key(self) -> bytes:
        return bytes(self._account.get().key)

    def sign_transaction(self, transaction: dict[str, Any]) -> Any:
        return self._account.get().sign_transaction(transaction)

    def _load(self, passphrase: str) -> LocalAccount:
        account = load_signing_key(self._path, passphrase)
        stated = _stated_address(self._path)
        if stated is not None and account.address != stated:
            raise CryptoError(
                f"the keystore says it holds {stated}, but its key is {account.address}", path=str(self._path)
            )
        return account


def _stated_address(path: Path) -> str | None:
    try:
        stated = json.loads(read_secret_file(path)).get("address")
        return str(to_checksum_address(stated)) if isinstance(stated, str) and stated else None
    except (ValueError, AttributeError):  # not JSON, or no usable address: decrypt to know it
        return None

"""Keys decrypted when first used (crypto.deferred): nothing is decrypted before, a wrong passphrase or a key
that is not the keystore's stated address is refused at that first use, and the value is made only once."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from eth_account import Account
from origo_node.crypto import new_signing_key
from origo_node.crypto.deferred import DeferredAccount, Lazy
from origo_node.errors import CryptoError, KeystoreLocked

FAST = 2**10


def test_an_account_knows_its_address_without_decrypting_and_signs_with_its_own_key(tmp_path: Path) -> None:
    path = tmp_path / "issuer.json"
    address = new_signing_key(path, "right", scrypt_n=FAST)
    account = DeferredAccount(path, "right")
    assert account.address == address and "decrypted=False" in repr(account)
    tx = {"to": address, "value": 0, "gas": 21_000, "gasPrice": 1, "nonce": 0, "chainId": 31337}
    signed = account.sign_transaction(tx)
    assert Account.recover_transaction(signed.raw_transaction) == address
    assert "decrypted=True" in repr(account)


def test_a_wrong_passphrase_is_refused_when_the_key_is_first_needed(tmp_path: Path) -> None:
    path = tmp_path / "issuer.json"
    new_signing_key(path, "right", scrypt_n=FAST)
    account = DeferredAccount(path, "wrong")
    with pytest.raises(KeystoreLocked):
        assert account.key
    with pytest.raises(KeystoreLocked):  # and again: a failure is not remembered as a key
        assert account.key


def test_a_keystore_whose_key_is_not_its_stated_address_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "issuer.json"
    new_signing_key(path, "right", scrypt_n=FAST)
    keystore = json.loads(path.read_text())
    keystore["address"] = "11" * 20  # someone edited the clear-text address
    path.write_text(json.dumps(keystore))
    account = DeferredAccount(path, "right")
    with pytest.raises(CryptoError, match="says it holds"):
        assert account.key


def test_a_lazy_value_is_made_once_whichever_threads_ask() -> None:
    made: list[int] = []
    gate = threading.Barrier(8)

    def make() -> int:
        made.append(1)
        return 42

    lazy = Lazy(make)
    results: list[int] = []

    def ask() -> None:
        gate.wait()
        results.append(lazy.get())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [42] * 8 and made == [1]
    assert Lazy.wrap(lazy) is lazy and Lazy.wrap(7).get() == 7

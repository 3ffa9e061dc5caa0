"""Envelope encryption with both suites: who can open, and that no alteration goes unnoticed."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from origo_node.crypto import EncryptionPrivateKey, SuiteId, load_public_key, open_envelope, recipients, seal
from origo_node.errors import CryptoError

SUITES = [SuiteId.X25519, SuiteId.MLKEM768_X25519]
CODES = ["ID-DGCE", "MY-RMCD", "PH-BOC", "TH-CUSTOMS", "VN-GDC"]
# Generated once: key generation is not what is under test, and ML-KEM keys are not free.
KEYS = {suite_id: {code: EncryptionPrivateKey.generate(suite_id) for code in CODES} for suite_id in SUITES}
AAD = b"document 42 of batch 7"


def published(keys: dict[str, EncryptionPrivateKey]) -> dict[str, bytes]:
    return {code: key.public_key_bytes() for code, key in keys.items()}


@pytest.mark.parametrize("suite_id", SUITES)
@pytest.mark.parametrize("count", [1, 2, 5])
def test_every_recipient_opens_the_envelope(suite_id: SuiteId, count: int) -> None:
    keys = dict(list(KEYS[suite_id].items())[:count])

    envelope = seal(b"certificate of origin", published(keys), AAD)

    assert recipients(envelope) == sorted(keys)
    for code, key in keys.items():
        assert open_envelope(envelope, code, key, AAD) == b"certificate of origin"


def test_members_of_different_suites_share_one_envelope() -> None:
    keys = {"ID-DGCE": KEYS[SuiteId.X25519]["ID-DGCE"], "VN-GDC": KEYS[SuiteId.MLKEM768_X25519]["VN-GDC"]}

    envelope = seal(b"manifest", published(keys), AAD)

    assert all(open_envelope(envelope, code, key, AAD) == b"manifest" for code, key in keys.items())


@pytest.mark.parametrize("suite_id", SUITES)
def test_a_non_recipient_cannot_open(suite_id: SuiteId) -> None:
    keys = KEYS[suite_id]
    envelope = seal(b"secret", {"ID-DGCE": keys["ID-DGCE"].public_key_bytes()}, AAD)

    with pytest.raises(CryptoError, match="not among"):
        open_envelope(envelope, "VN-GDC", keys["VN-GDC"], AAD)
    # Claiming to be a recipient does not help without the recipient's key.
    with pytest.raises(CryptoError):
        open_envelope(envelope, "ID-DGCE", keys["VN-GDC"], AAD)


@pytest.mark.parametrize("suite_id", SUITES)
def test_wrong_aad_fails(suite_id: SuiteId) -> None:
    key = KEYS[suite_id]["ID-DGCE"]
    envelope = seal(b"secret", {"ID-DGCE": key.public_key_bytes()}, AAD)

    with pytest.raises(CryptoError):
        open_envelope(envelope, "ID-DGCE", key, AAD + b"!")
    with pytest.raises(CryptoError):
        open_envelope(envelope, "ID-DGCE", key, b"")


@pytest.mark.parametrize("suite_id", SUITES)
def test_every_single_byte_flip_is_detected(suite_id: SuiteId) -> None:
    keys = dict(list(KEYS[suite_id].items())[:2])
    envelope = seal(b"payload bytes", published(keys), AAD)
    opener, key = next(iter(keys.items()))

    for index in range(len(envelope)):
        altered = bytearray(envelope)
        altered[index] ^= 0x01
        with pytest.raises(CryptoError):
            open_envelope(bytes(altered), opener, key, AAD)


def test_truncation_and_extension_are_detected() -> None:
    key = KEYS[SuiteId.X25519]["ID-DGCE"]
    envelope = seal(b"payload", {"ID-DGCE": key.public_key_bytes()}, AAD)

    for altered in (envelope[:-1], envelope + b"\x00", envelope[:10], b""):
        with pytest.raises(CryptoError):
            open_envelope(altered, "ID-DGCE", key, AAD)


def test_the_layout_is_deterministic_apart_from_randomness() -> None:
    keys = published(KEYS[SuiteId.X25519])
    reordered = dict(reversed(list(keys.items())))

    first, second = seal(b"same", keys, AAD), seal(b"same", reordered, AAD)

    assert len(first) == len(second)
    assert recipients(first) == recipients(second) == sorted(keys)
    assert first != second  # a fresh data key, nonce and HPKE ephemeral key every time


@pytest.mark.parametrize("bad", [{}, {"": b"\x01" + bytes(32)}, {"ID\n": b"\x01" + bytes(32)}])
def test_seal_refuses_bad_recipient_lists(bad: dict[str, bytes]) -> None:
    with pytest.raises(CryptoError):
        seal(b"x", bad, AAD)


@given(plaintext=st.binary(max_size=4096), aad=st.binary(max_size=64))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_plaintexts_round_trip(plaintext: bytes, aad: bytes) -> None:
    keys = {code: KEYS[SuiteId.MLKEM768_X25519][code] for code in CODES[:2]}

    envelope = seal(plaintext, published(keys), aad)

    for code, key in keys.items():
        assert open_envelope(envelope, code, key, aad) == plaintext


@pytest.mark.parametrize(("suite_id", "size"), [(SuiteId.X25519, 33), (SuiteId.MLKEM768_X25519, 1217)])
def test_published_keys_carry_their_suite(suite_id: SuiteId, size: int) -> None:
    key = KEYS[suite_id]["ID-DGCE"]
    published_key = key.public_key_bytes()

    assert len(published_key) == size
    assert published_key[0] == suite_id
    assert load_public_key(published_key) == key.public_key()


@pytest.mark.parametrize(
    "bad",
    [
        b"",
        b"\x09" + bytes(32),  # unknown suite
        b"\x01" + bytes(31),  # short
        b"\x01" + bytes(32),  # X25519 point of small order
        b"\x02" + b"\xff" * 1216,  # ML-KEM coefficients out of range
        b"\x02" + bytes(1184) + bytes(32),  # hybrid with a small-order X25519 half
    ],
)
def test_malformed_public_keys_are_refused(bad: bytes) -> None:
    with pytest.raises(CryptoError):
        load_public_key(bad)


def test_private_keys_never_show_their_secret() -> None:
    key = KEYS[SuiteId.X25519]["ID-DGCE"]
    secret = key.secret_bytes()

    for text in (repr(key), str(key), f"{key}", repr([key]), repr(key.public_key())):
        assert secret.hex() not in text
        assert repr(secret) not in text
    with pytest.raises(TypeError):
        __import__("pickle").dumps(key)

"""The HPKE (RFC 9180) suites a member's encryption key can belong to, each named by a one-byte tag.

The tag leads every published public key and every wrapped data key, so keys and envelopes say which
suite they use: members can move to the post-quantum hybrid one at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from cryptography.hazmat.primitives import hpke

from origo_node.errors import CryptoError


class SuiteId(IntEnum):
    #: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-256-GCM.
    X25519 = 0x01
    #: ML-KEM-768 + X25519 hybrid KEM, HKDF-SHA256, AES-256-GCM: safe if either half holds.
    MLKEM768_X25519 = 0x02


@dataclass(frozen=True, slots=True)
class SuiteSpec:
    id: SuiteId
    name: str
    hpke: hpke.Suite
    enc_size: int  # bytes of the KEM's encapsulated key, which leads each HPKE ciphertext
    public_key_size: int
    secret_size: int


_AES_256_GCM_TAG = 16

SUITES: dict[SuiteId, SuiteSpec] = {
    SuiteId.X25519: SuiteSpec(
        SuiteId.X25519,
        "x25519-hkdf-sha256-aes256gcm",
        hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM),
        hpke.KEM.X25519.enc_length(),
        public_key_size=32,
        secret_size=32,
    ),
    SuiteId.MLKEM768_X25519: SuiteSpec(
        SuiteId.MLKEM768_X25519,
        "mlkem768x25519-hkdf-sha256-aes256gcm",
        hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.AES_256_GCM),
        hpke.KEM.MLKEM768_X25519.enc_length(),
        public_key_size=1184 + 32,  # ML-KEM-768 encapsulation key, then the X25519 key
        secret_size=64 + 32,  # ML-KEM-768 seed, then the X25519 scalar
    ),
}


def suite(tag: int) -> SuiteSpec:
    try:
        return SUITES[SuiteId(tag)]
    except ValueError:
        raise CryptoError(f"unknown encryption suite tag 0x{tag:02x}") from None


def suite_by_name(name: str) -> SuiteSpec:
    for spec in SUITES.values():
        if spec.name == name:
            return spec
    raise CryptoError(f"unknown encryption suite {name!r}")


def sealed_size(spec: SuiteSpec, plaintext_size: int) -> int:
    """Size of an HPKE single-shot ciphertext: encapsulated key, then the AEAD output."""
    return spec.enc_size + plaintext_size + _AES_256_GCM_TAG

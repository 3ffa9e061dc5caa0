"""A member's encryption key pair, and the bytes its public half is published as on chain.

Published form: ``suite tag (1 byte) || public key``, the public key being the raw X25519 key, or for
the hybrid the ML-KEM-768 encapsulation key followed by the X25519 key (the order of the HPKE
ML-KEM-768/X25519 hybrid drafts). ``cryptography`` exposes no bytes for its hybrid key objects, so
the halves are kept and serialised here.
"""

from __future__ import annotations

import functools
import hashlib
import os

from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519

from origo_node.crypto.suites import SuiteId, SuiteSpec, suite
from origo_node.errors import CryptoError

HpkePublic = x25519.X25519PublicKey | hpke.MLKEM768X25519PublicKey
HpkePrivate = x25519.X25519PrivateKey | hpke.MLKEM768X25519PrivateKey


class EncryptionPublicKey:
    __slots__ = ("_hpke", "_raw", "suite")

    def __init__(self, spec: SuiteSpec, raw: bytes) -> None:
        if len(raw) != spec.public_key_size:
            raise CryptoError(f"a {spec.name} public key is {spec.public_key_size} bytes, got {len(raw)}")
        self.suite = spec
        self._raw = raw
        try:
            self._hpke: HpkePublic = _public_from_raw(spec.id, raw)
            # Parsing accepts X25519 points of small order, with which no shared secret can be agreed;
            # one trial encryption finds them now rather than when a payload is being sealed.
            spec.hpke.encrypt(b"", self._hpke, info=b"origo/public-key-check")
        except ValueError as exc:
            raise CryptoError(f"invalid {spec.name} public key: {exc}") from exc

    def to_bytes(self) -> bytes:
        return bytes([self.suite.id]) + self._raw

    def fingerprint(self) -> str:
        """A short, safe name for logs: the first 8 bytes of the SHA-256 of the published key, hex."""
        return hashlib.sha256(self.to_bytes()).hexdigest()[:16]

    def encrypt(self, plaintext: bytes, info: bytes) -> bytes:
        return self.suite.hpke.encrypt(plaintext, self._hpke, info=info)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, EncryptionPublicKey) and other.to_bytes() == self.to_bytes()

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def __repr__(self) -> str:
        return f"EncryptionPublicKey({self.suite.name}, fingerprint={self.fingerprint()})"


class EncryptionPrivateKey:
    """Holds the secret; its repr and str show only the suite and the public key's fingerprint."""

    __slots__ = ("_hpke", "_public", "_secret", "suite")

    def __init__(self, spec: SuiteSpec, secret: bytes) -> None:
        if len(secret) != spec.secret_size:
            raise CryptoError(f"a {spec.name} private key is {spec.secret_size} bytes, got {len(secret)}")
        self.suite = spec
        self._secret = secret
        try:
            self._hpke, public_raw = _private_from_secret(spec.id, secret)
        except ValueError as exc:
            raise CryptoError(f"invalid {spec.name} private key") from exc
        self._public = EncryptionPublicKey(spec, public_raw)

    @classmethod
    def generate(cls, suite_id: SuiteId = SuiteId.MLKEM768_X25519) -> EncryptionPrivateKey:
        spec = suite(suite_id)
        return cls(spec, os.urandom(spec.secret_size))

    def public_key(self) -> EncryptionPublicKey:
        return self._public

    def public_key_bytes(self) -> bytes:
        """What the membership contract publishes: suite tag, then the public key."""
        return self._public.to_bytes()

    def secret_bytes(self) -> bytes:
        """The raw secret, for the keystore to encrypt; nothing else should need it."""
        return self._secret

    def decrypt(self, ciphertext: bytes, info: bytes) -> bytes:
        return self.suite.hpke.decrypt(ciphertext, self._hpke, info=info)

    def __repr__(self) -> str:
        return f"EncryptionPrivateKey({self.suite.name}, public fingerprint={self._public.fingerprint()})"

    __str__ = __repr__

    def __reduce__(self) -> str | tuple[object, ...]:
        raise TypeError("private keys are not picklable: store them with the keystore")


def load_public_key(data: bytes) -> EncryptionPublicKey:
    """Parse a published public key (suite tag, then the key)."""
    if not data:
        raise CryptoError("empty public key")
    return _parse_public_key(bytes(data))


@functools.lru_cache(maxsize=256)
def _parse_public_key(data: bytes) -> EncryptionPublicKey:
    # Parsing an ML-KEM key costs ~0.15 ms and every document is sealed to the same few members' keys, so the
    # parsed (immutable, public) key objects are kept; an invalid key raises and is not cached.
    return EncryptionPublicKey(suite(data[0]), data[1:])


def _public_from_raw(suite_id: SuiteId, raw: bytes) -> HpkePublic:
    if suite_id is SuiteId.X25519:
        return x25519.X25519PublicKey.from_public_bytes(raw)
    return hpke.MLKEM768X25519PublicKey(
        mlkem.MLKEM768PublicKey.from_public_bytes(raw[:1184]),
        x25519.X25519PublicKey.from_public_bytes(raw[1184:]),
    )


def _private_from_secret(suite_id: SuiteId, secret: bytes) -> tuple[HpkePrivate, bytes]:
    if suite_id is SuiteId.X25519:
        key = x25519.X25519PrivateKey.from_private_bytes(secret)
        return key, key.public_key().public_bytes_raw()
    pq = mlkem.MLKEM768PrivateKey.from_seed_bytes(secret[:64])
    classic = x25519.X25519PrivateKey.from_private_bytes(secret[64:])
    public_raw = pq.public_key().public_bytes_raw() + classic.public_key().public_bytes_raw()
    return hpke.MLKEM768X25519PrivateKey(pq, classic), public_raw

"""Envelope encryption: a payload encrypted once, its key wrapped for each member concerned.

A random 256-bit data key encrypts the payload with AES-256-GCM; the data key is HPKE-sealed to each
recipient's published key. The serialisation is binary, versioned and canonical (recipients sorted,
no optional parts), so the same inputs always lay out the same way::

    "OGE" | version 0x01 | nonce (12) | recipient count (u16 BE)
    per recipient: code length (u8) | member code (UTF-8) | suite tag (u8) | wrapped length (u16 BE) | wrapped
    payload ciphertext with its GCM tag (the rest)

The payload's associated data is the whole header (length-prefixed) followed by the caller's ``aad``,
so every recipient detects a change to any byte, including another member's entry. Each wrapped key
is bound to its member code through the HPKE ``info``. Recipients share the data key, so an envelope
says nothing about who made it: authenticity comes from the digest anchored on chain.
"""

from __future__ import annotations

import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from origo_node.crypto.keys import EncryptionPrivateKey, load_public_key
from origo_node.crypto.suites import sealed_size, suite
from origo_node.errors import CryptoError

MAGIC = b"OGE"
VERSION = 1
_DATA_KEY_SIZE = 32
_NONCE_SIZE = 12
_WRAP_INFO = b"origo/envelope/v1/data-key\x00"
_MAX_CODE_BYTES = 255
_MAX_RECIPIENTS = 0xFFFF


@dataclass(frozen=True, slots=True)
class _Recipient:
    code: str
    suite_tag: int
    wrapped: bytes


@dataclass(frozen=True, slots=True)
class _Parsed:
    header: bytes
    nonce: bytes
    recipients: tuple[_Recipient, ...]
    ciphertext: bytes


def seal(plaintext: bytes, recipients: Mapping[str, bytes], aad: bytes = b"") -> bytes:
    """Encrypt ``plaintext`` for each member code in ``recipients`` (code → published public key)."""
    if not recipients:
        raise CryptoError("an envelope needs at least one recipient")
    if len(recipients) > _MAX_RECIPIENTS:
        raise CryptoError("too many recipients")
    data_key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(_NONCE_SIZE)
    entries = []
    for code in sorted(recipients, key=_code_bytes):
        public_key = load_public_key(recipients[code])
        wrapped = public_key.encrypt(data_key, info=_WRAP_INFO + _code_bytes(code))
        entries.append(_Recipient(code, public_key.suite.id, wrapped))
    header = _header(nonce, entries)
    ciphertext = AESGCM(data_key).encrypt(nonce, plaintext, _payload_aad(header, aad))
    return header + ciphertext


def open_envelope(envelope: bytes, member: str, private_key: EncryptionPrivateKey, aad: bytes = b"") -> bytes:
    """The plaintext, for ``member`` holding ``private_key``; CryptoError if not a recipient or tampered."""
    parsed = _parse(envelope)
    entry = next((r for r in parsed.recipients if r.code == member), None)
    if entry is None:
        raise CryptoError("member is not among the envelope's recipients", member=member)
    if entry.suite_tag != private_key.suite.id:
        raise CryptoError("the envelope was sealed to this member under another key suite", member=member)
    try:
        data_key = private_key.decrypt(entry.wrapped, info=_WRAP_INFO + _code_bytes(member))
        return AESGCM(data_key).decrypt(parsed.nonce, parsed.ciphertext, _payload_aad(parsed.header, aad))
    except (InvalidTag, ValueError) as exc:
        # One message for every failure, so a caller probing with altered envelopes learns nothing more.
        raise CryptoError(
            "envelope cannot be opened: wrong key, wrong aad or altered", member=member
        ) from exc


def recipients(envelope: bytes) -> list[str]:
    """Member codes the envelope is sealed to, in the envelope's (sorted) order."""
    return [entry.code for entry in _parse(envelope).recipients]


def _code_bytes(code: str) -> bytes:
    raw = code.encode("utf-8")
    if not raw or len(raw) > _MAX_CODE_BYTES or not code.isprintable():
        raise CryptoError("a member code is 1 to 255 bytes of printable UTF-8", member=code)
    return raw


def _header(nonce: bytes, entries: list[_Recipient]) -> bytes:
    parts = [MAGIC, bytes([VERSION]), nonce, struct.pack(">H", len(entries))]
    for entry in entries:
        code = _code_bytes(entry.code)
        parts += [bytes([len(code)]), code, bytes([entry.suite_tag]), struct.pack(">H", len(entry.wrapped))]
        parts.append(entry.wrapped)
    return b"".join(parts)


def _payload_aad(header: bytes, aad: bytes) -> bytes:
    # Length-prefixed so that no split of (header, aad) can masquerade as another.
    return struct.pack(">I", len(header)) + header + aad


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def take(self, size: int) -> bytes:
        if self.offset + size > len(self.data):
            raise CryptoError("envelope is truncated")
        piece = self.data[self.offset : self.offset + size]
        self.offset += size
        return piece

    def byte(self) -> int:
        return self.take(1)[0]

    def u16(self) -> int:
        value: int = struct.unpack(">H", self.take(2))[0]
        return value


def _parse(envelope: bytes) -> _Parsed:
    reader = _Reader(bytes(envelope))
    if reader.take(len(MAGIC)) != MAGIC:
        raise CryptoError("not an Origo envelope")
    version = reader.byte()
    if version != VERSION:
        raise CryptoError(f"unsupported envelope version {version}")
    nonce = reader.take(_NONCE_SIZE)
    entries: list[_Recipient] = []
    for _ in range(reader.u16()):
        try:
            code = reader.take(reader.byte()).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CryptoError("envelope has a member code that is not UTF-8") from exc
        tag = reader.byte()
        wrapped = reader.take(reader.u16())
        if len(wrapped) != sealed_size(suite(tag), _DATA_KEY_SIZE):
            raise CryptoError("envelope has a wrapped key of the wrong size")
        entries.append(_Recipient(code, tag, wrapped))
    codes = [_code_bytes(entry.code) for entry in entries]
    if not entries or codes != sorted(set(codes)):
        raise CryptoError("envelope recipients are missing, repeated or out of order")
    header = envelope[: reader.offset]
    return _Parsed(bytes(header), nonce, tuple(entries), bytes(envelope[reader.offset :]))

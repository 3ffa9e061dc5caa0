"""CIDv1 as the payload store needs it: sha2-256 over raw or dag-pb blocks, base32 text form.

Written from the CID and multiformats specs rather than with a general multiformats library: the store
only ever makes and accepts this one shape, and refusing everything else at the parse keeps hostile
input (CIDs from peers' links, URL paths) from reaching the block directory or the hash check.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from dataclasses import dataclass
from typing import Final

from origo_node.errors import PayloadError

RAW: Final = 0x55
DAG_PB: Final = 0x70
SHA2_256: Final = 0x12
_DIGEST_SIZE: Final = 32
CODEC_NAMES: Final = {RAW: "raw", DAG_PB: "dag-pb"}
# Multibase prefix of lower-case RFC 4648 base32 without padding, the form kubo prints for CIDv1.
_BASE32: Final = "b"
_MAX_TEXT_LENGTH: Final = 128


class InvalidCid(PayloadError):
    """A CID string that is malformed or of a shape the store does not handle; the caller's fault."""

    status = 400
    slug = "invalid-cid"


def encode_varint(value: int) -> bytes:
    """Unsigned LEB128, as used by multiformats and protobuf."""
    if value < 0:
        raise ValueError("varints are unsigned")
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def decode_varint(data: bytes, offset: int) -> tuple[int, int]:
    """Return (value, offset after it); raises ValueError on a truncated or over-long varint."""
    value = 0
    for shift in range(0, 64, 7):
        if offset >= len(data):
            raise ValueError("truncated varint")
        byte = data[offset]
        offset += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, offset
    raise ValueError("varint longer than 64 bits")


@dataclass(frozen=True, slots=True)
class Cid:
    codec: int
    digest: bytes

    @classmethod
    def of_block(cls, codec: int, block: bytes) -> Cid:
        return cls(codec, hashlib.sha256(block).digest())

    @classmethod
    def from_bytes(cls, raw: bytes) -> Cid:
        try:
            version, offset = decode_varint(raw, 0)
            codec, offset = decode_varint(raw, offset)
            hash_code, offset = decode_varint(raw, offset)
            size, offset = decode_varint(raw, offset)
        except ValueError as exc:
            raise InvalidCid(f"malformed CID bytes: {exc}") from exc
        if version != 1:
            raise InvalidCid(f"only CIDv1 is supported, got version {version}")
        if codec not in CODEC_NAMES:
            raise InvalidCid(f"unsupported codec 0x{codec:x}: only raw and dag-pb blocks are stored")
        if hash_code != SHA2_256 or size != _DIGEST_SIZE:
            raise InvalidCid(f"unsupported multihash 0x{hash_code:x}/{size}: only sha2-256 is accepted")
        digest = raw[offset:]
        if len(digest) != _DIGEST_SIZE:
            raise InvalidCid("CID digest has the wrong length")
        return cls(codec, digest)

    @classmethod
    def parse(cls, text: str) -> Cid:
        if not text or len(text) > _MAX_TEXT_LENGTH or not text.isascii():
            raise InvalidCid("not a CID", cid=text[:_MAX_TEXT_LENGTH])
        return _parsed(text)

    @property
    def codec_name(self) -> str:
        return CODEC_NAMES[self.codec]

    def __bytes__(self) -> bytes:
        return (
            encode_varint(1)
            + encode_varint(self.codec)
            + encode_varint(SHA2_256)
            + encode_varint(_DIGEST_SIZE)
            + self.digest
        )

    def __str__(self) -> str:
        return _text_of(self.codec, self.digest)

    def matches(self, block: bytes) -> bool:
        """True when ``block`` hashes to this CID: the one check that makes untrusted bytes usable."""
        return hashlib.sha256(block).digest() == self.digest


# One payload's CID is parsed and printed a dozen times on its way through a read (is it held, fetch, store,
# pin, get: 8-22 µs each, 0.15 ms a payload, as much as its HPKE opening); both are remembered for the
# CIDs of the last few rounds. A Cid is immutable, so sharing one is safe; a refused text is not remembered.
_REMEMBERED: Final = 8192


@functools.lru_cache(maxsize=_REMEMBERED)
def _parsed(text: str) -> Cid:
    if not text.startswith(_BASE32):
        raise InvalidCid("only base32 CIDv1 strings (bafy..., bafk...) are accepted", cid=text)
    body = text[1:].upper()
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except ValueError as exc:
        raise InvalidCid("CID is not valid base32", cid=text) from exc
    cid = Cid.from_bytes(raw)
    if str(cid) != text:
        # Refuse non-canonical spellings so that one block never has two names on disk.
        raise InvalidCid("CID is not in canonical lower-case base32", cid=text)
    return cid


@functools.lru_cache(maxsize=_REMEMBERED)
def _text_of(codec: int, digest: bytes) -> str:
    raw = encode_varint(1) + encode_varint(codec) + encode_varint(SHA2_256) + encode_varint(_DIGEST_SIZE)
    return _BASE32 + base64.b32encode(raw + digest).decode("ascii").lower().rstrip("=")


def codec_from_name(name: str) -> int:
    for code, known in CODEC_NAMES.items():
        if known == name:
            return code
    raise InvalidCid(f"unsupported codec {name!r}: use one of {sorted(CODEC_NAMES.values())}")


def parse_cid(text: str) -> Cid:
    return Cid.parse(text)


def block_cid(codec: int, block: bytes) -> str:
    return str(Cid.of_block(codec, block))

"""CAR v1 (Content Addressable aRchive), the trustless gateway's answer of many blocks in one response.

A CAR is a header (a DAG-CBOR map ``{"roots": [CID...], "version": 1}``) followed by sections of
``varint(length) || CID bytes || block``. ``read_car`` checks every block against the CID it comes with, so a
peer that sends other bytes is found out at once; it also bounds the sizes it reads, and accepts only the
raw and dag-pb sha2-256 CIDs the store keeps. Only the header shape above is written or read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from origo_node.errors import PayloadError
from origo_node.payload.cid import Cid, InvalidCid, decode_varint, encode_varint

CAR_MEDIA_TYPE = "application/vnd.ipld.car"
_MAX_HEADER = 1024 * 1024
_MAX_SECTION = 2 * 1024 * 1024 + 64  # a block (2 MiB at most, as bitswap) and its CID
_CID_TAG = 42


class CarInvalid(PayloadError):
    """The bytes are not a CAR this store reads, or a block does not hash to its CID."""


def write_car(roots: Sequence[Cid], blocks: Iterable[tuple[Cid, bytes]]) -> Iterator[bytes]:
    """The CAR of ``blocks`` (already checked against their CIDs) under ``roots``, as chunks to send."""
    header = _cbor_map_header(roots)
    yield encode_varint(len(header)) + header
    for cid, block in blocks:
        raw = bytes(cid)
        yield encode_varint(len(raw) + len(block)) + raw + block


def read_car(data: bytes) -> tuple[list[Cid], list[tuple[Cid, bytes]]]:
    """The roots and the blocks of a CAR, every block checked against its CID (CarInvalid otherwise)."""
    try:
        header, offset = _header(data)
        roots = _cbor_roots(data[offset - header : offset])
    except (ValueError, InvalidCid) as exc:
        raise CarInvalid(f"not a CAR this store reads: {exc}") from exc
    blocks = []
    for cid, start, length in _sections(data, offset):
        block = data[start : start + length]
        if not cid.matches(block):
            raise CarInvalid("a block in the CAR does not hash to its CID", cid=str(cid))
        blocks.append((cid, block))
    return roots, blocks


def car_sections(data: bytes) -> Iterator[tuple[Cid, int, int]]:
    """Where each block of a CAR lies: its CID, the offset of its bytes and their length, *unchecked* (for an
    index of a CAR on disk, whose reader checks every block it reads). Raises CarInvalid at the first
    section it cannot parse, after yielding those before it."""
    try:
        _, offset = _header(data)
    except ValueError as exc:
        raise CarInvalid(f"not a CAR this store reads: {exc}") from exc
    yield from _sections(data, offset)


def _header(data: bytes) -> tuple[int, int]:
    """The header's length and where the first section starts."""
    length, offset = decode_varint(data, 0)
    if length > _MAX_HEADER or offset + length > len(data):
        raise CarInvalid("the CAR header is cut short or too large")
    return length, offset + length


def _sections(data: bytes, offset: int) -> Iterator[tuple[Cid, int, int]]:
    """Each section's CID, and the offset and length of its block, from ``offset`` to the end of ``data``."""
    try:
        while offset < len(data):
            length, offset = decode_varint(data, offset)
            end = offset + length
            if length > _MAX_SECTION or end > len(data):
                raise CarInvalid("a CAR section is cut short or larger than a block may be")
            cid, block = _section(data[offset:end])
            yield cid, end - len(block), len(block)
            offset = end
    except (ValueError, InvalidCid) as exc:
        raise CarInvalid(f"not a CAR this store reads: {exc}") from exc


def _section(section: bytes) -> tuple[Cid, bytes]:
    offset = 0
    for _ in range(3):  # version, codec, multihash code
        _, offset = decode_varint(section, offset)
    size, offset = decode_varint(section, offset)
    end = offset + size
    if end > len(section):
        raise CarInvalid("a CID in the CAR is cut short")
    return Cid.from_bytes(section[:end]), section[end:]


# ---------------------------------------------------------------------- the header's DAG-CBOR, and only it


def _cbor_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise ValueError("CBOR value too large")


def _cbor_map_header(roots: Sequence[Cid]) -> bytes:
    out = bytearray(_cbor_head(5, 2))
    out += _cbor_head(3, 5) + b"roots" + _cbor_head(4, len(roots))
    for root in roots:
        raw = b"\x00" + bytes(root)  # DAG-CBOR links: tag 42 over the CID's bytes behind a zero byte
        out += _cbor_head(6, _CID_TAG) + _cbor_head(2, len(raw)) + raw
    out += _cbor_head(3, 7) + b"version" + _cbor_head(0, 1)
    return bytes(out)


def _cbor_roots(header: bytes) -> list[Cid]:
    reader = _CborReader(header)
    roots: list[Cid] | None = None
    version: int | None = None
    for _ in range(reader.expect(5)):
        key = reader.text()
        if key == "roots":
            roots = [reader.link() for _ in range(reader.expect(4))]
        elif key == "version":
            version = reader.expect(0)
        else:
            raise CarInvalid(f"unexpected CAR header field {key!r}")
    if version != 1 or roots is None or reader.offset != len(header):
        raise CarInvalid("only CAR version 1 headers with roots are read")
    return roots


class _CborReader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.offset = 0

    def expect(self, major: int) -> int:
        if self.offset >= len(self.data):
            raise CarInvalid("the CAR header is cut short")
        first = self.data[self.offset]
        self.offset += 1
        if first >> 5 != major:
            raise CarInvalid("the CAR header is not the expected DAG-CBOR map")
        info = first & 0x1F
        if info < 24:
            return info
        size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
        if size is None or self.offset + size > len(self.data):
            raise CarInvalid("the CAR header has a malformed length")
        value = int.from_bytes(self.data[self.offset : self.offset + size], "big")
        self.offset += size
        return value

    def _bytes(self, major: int) -> bytes:
        length = self.expect(major)
        if self.offset + length > len(self.data):
            raise CarInvalid("the CAR header is cut short")
        value = self.data[self.offset : self.offset + length]
        self.offset += length
        return value

    def text(self) -> str:
        return self._bytes(3).decode("utf-8", errors="strict")

    def link(self) -> Cid:
        if self.expect(6) != _CID_TAG:
            raise CarInvalid("a CAR root is not a CID")
        raw = self._bytes(2)
        if not raw.startswith(b"\x00"):
            raise CarInvalid("a CAR root is not a CID")
        return Cid.from_bytes(raw[1:])

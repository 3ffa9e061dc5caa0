"""The dag-pb and UnixFS protobuf messages, encoded and decoded by hand.

Only what a UnixFS file needs. Encoding follows what kubo and the reference importer emit, byte for
byte, because the bytes decide the CID:

- ``PBNode``: every ``Links`` entry (field 2) first, then ``Data`` (field 1) — the dag-pb spec's
  canonical order, which is not protobuf's field-number order.
- ``PBLink``: ``Hash`` (1), ``Name`` (2, present even when empty), ``Tsize`` (3).
- UnixFS ``Data``: ``Type`` (1), ``Data`` (2, omitted when empty), ``filesize`` (3), then one
  unpacked ``blocksizes`` (4) entry per child.

Decoding is lenient about what it skips (unknown fields) and strict about what it reads, because the
blocks come from peers.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import IntEnum

from origo_node.errors import PayloadError
from origo_node.payload.cid import Cid, decode_varint, encode_varint

_VARINT = 0
_LENGTH_DELIMITED = 2


class UnixFsType(IntEnum):
    RAW = 0
    DIRECTORY = 1
    FILE = 2
    METADATA = 3
    SYMLINK = 4
    HAMT_SHARD = 5


@dataclass(frozen=True, slots=True)
class PbLink:
    cid: Cid
    tsize: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class PbNode:
    links: tuple[PbLink, ...]
    data: bytes


@dataclass(frozen=True, slots=True)
class UnixFsData:
    type: UnixFsType
    data: bytes = b""
    filesize: int | None = None
    blocksizes: tuple[int, ...] = field(default=())


def _key(number: int, wire_type: int) -> bytes:
    return encode_varint(number << 3 | wire_type)


def _bytes_field(number: int, value: bytes) -> bytes:
    return _key(number, _LENGTH_DELIMITED) + encode_varint(len(value)) + value


def _varint_field(number: int, value: int) -> bytes:
    return _key(number, _VARINT) + encode_varint(value)


def encode_node(node: PbNode) -> bytes:
    parts = [
        _bytes_field(
            2,
            _bytes_field(1, bytes(link.cid))
            + _bytes_field(2, link.name.encode("utf-8"))
            + _varint_field(3, link.tsize),
        )
        for link in node.links
    ]
    parts.append(_bytes_field(1, node.data))
    return b"".join(parts)


def encode_unixfs(unixfs: UnixFsData) -> bytes:
    parts = [_varint_field(1, unixfs.type)]
    if unixfs.data:
        parts.append(_bytes_field(2, unixfs.data))
    if unixfs.filesize is not None:
        parts.append(_varint_field(3, unixfs.filesize))
    parts.extend(_varint_field(4, size) for size in unixfs.blocksizes)
    return b"".join(parts)


def file_node(links: Sequence[PbLink], blocksizes: Sequence[int]) -> bytes:
    """An inner node of a UnixFS file: no data of its own, the sizes of what each child holds."""
    unixfs = UnixFsData(UnixFsType.FILE, filesize=sum(blocksizes), blocksizes=tuple(blocksizes))
    return encode_node(PbNode(tuple(links), encode_unixfs(unixfs)))


def _fields(message: bytes) -> Iterator[tuple[int, int | bytes]]:
    """Yield (field number, value) for varint and length-delimited fields; refuse other wire types."""
    offset = 0
    try:
        while offset < len(message):
            key, offset = decode_varint(message, offset)
            number, wire_type = key >> 3, key & 7
            if wire_type == _VARINT:
                value, offset = decode_varint(message, offset)
                yield number, value
            elif wire_type == _LENGTH_DELIMITED:
                length, offset = decode_varint(message, offset)
                if offset + length > len(message):
                    raise ValueError("field runs past the end of the message")
                yield number, message[offset : offset + length]
                offset += length
            else:
                raise ValueError(f"unexpected wire type {wire_type}")
    except ValueError as exc:
        raise PayloadError(f"malformed protobuf block: {exc}") from exc


def _link(message: bytes) -> PbLink:
    cid: Cid | None = None
    name, tsize = "", 0
    for number, value in _fields(message):
        if number == 1 and isinstance(value, bytes):
            cid = Cid.from_bytes(value)
        elif number == 2 and isinstance(value, bytes):
            name = value.decode("utf-8", errors="replace")
        elif number == 3 and isinstance(value, int):
            tsize = value
    if cid is None:
        raise PayloadError("dag-pb link without a hash")
    return PbLink(cid, tsize, name)


def decode_node(block: bytes) -> PbNode:
    links: list[PbLink] = []
    data = b""
    for number, value in _fields(block):
        if number == 2 and isinstance(value, bytes):
            links.append(_link(value))
        elif number == 1 and isinstance(value, bytes):
            data = value
        else:
            raise PayloadError(f"unexpected field {number} in a dag-pb node")
    return PbNode(tuple(links), data)


def decode_unixfs(message: bytes) -> UnixFsData:
    type_: int | None = None
    data = b""
    filesize: int | None = None
    blocksizes: list[int] = []
    for number, value in _fields(message):
        if number == 1 and isinstance(value, int):
            type_ = value
        elif number == 2 and isinstance(value, bytes):
            data = value
        elif number == 3 and isinstance(value, int):
            filesize = value
        elif number == 4 and isinstance(value, int):
            blocksizes.append(value)
        elif number == 4 and isinstance(value, bytes):
            blocksizes.extend(_packed_varints(value))  # proto3 writers pack repeated varints
    if type_ is None or type_ not in UnixFsType._value2member_map_:
        raise PayloadError(f"UnixFS node with missing or unknown type {type_}")
    return UnixFsData(UnixFsType(type_), data, filesize, tuple(blocksizes))


def _packed_varints(packed: bytes) -> Iterator[int]:
    offset = 0
    while offset < len(packed):
        try:
            value, offset = decode_varint(packed, offset)
        except ValueError as exc:
            raise PayloadError(f"malformed packed blocksizes: {exc}") from exc
        yield value

"""CIDs and dag-pb blocks, byte for byte, against the specs' examples and each other."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from origo_node.errors import PayloadError
from origo_node.payload.cid import DAG_PB, RAW, Cid, InvalidCid, decode_varint, encode_varint
from origo_node.payload.dagpb import (
    PbLink,
    PbNode,
    UnixFsData,
    UnixFsType,
    decode_node,
    decode_unixfs,
    encode_node,
    encode_unixfs,
    file_node,
)

# sha2-256 of the empty string as a raw CIDv1: what `ipfs add --cid-version 1 --raw-leaves` gives /dev/null.
EMPTY = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku"


def test_the_empty_raw_block_has_its_well_known_cid() -> None:
    cid = Cid.of_block(RAW, b"")
    assert str(cid) == EMPTY
    assert Cid.parse(EMPTY) == cid
    assert cid.digest == hashlib.sha256(b"").digest()


@given(st.integers(min_value=0, max_value=2**63))
@settings(max_examples=50)
def test_varints_round_trip(value: int) -> None:
    encoded = encode_varint(value)
    assert decode_varint(encoded + b"tail", 0) == (value, len(encoded))


@pytest.mark.parametrize(
    "bad",
    [
        EMPTY.upper(),  # valid multibase, but not the canonical spelling
        "B" + EMPTY[1:].upper(),
        EMPTY[:-1],
        "z" + EMPTY[1:],
        "bafkqaaa",  # identity multihash
        "x" * 200,
    ],
)
def test_non_canonical_or_unsupported_cids_are_refused(bad: str) -> None:
    with pytest.raises(InvalidCid):
        Cid.parse(bad)


@given(st.binary(min_size=32, max_size=32), st.sampled_from([RAW, DAG_PB]))
@settings(max_examples=50)
def test_a_remembered_cid_reads_and_prints_as_a_new_one(digest: bytes, codec: int) -> None:
    # Parsing and printing are remembered (payload.cid): the answers must be those computed afresh.
    cid = Cid(codec, digest)
    text = str(cid)
    assert text == "b" + base64.b32encode(bytes(cid)).decode("ascii").lower().rstrip("=")
    assert Cid.parse(text) == cid and Cid.parse(text) == cid
    with pytest.raises(InvalidCid):  # a text once parsed does not make its other spellings acceptable
        Cid.parse(text.upper())


def test_a_refused_cid_is_refused_every_time() -> None:
    for _ in range(3):
        with pytest.raises(InvalidCid, match="canonical"):
            Cid.parse("b" + EMPTY[1:].upper())


def test_links_are_encoded_before_data() -> None:
    child = Cid.of_block(RAW, b"leaf")
    encoded = encode_node(PbNode((PbLink(child, 4),), b"\x08\x02"))
    assert encoded[0] == 0x12  # field 2 (Links), length-delimited
    assert encoded.endswith(b"\x0a\x02\x08\x02")  # field 1 (Data) last
    assert decode_node(encoded) == PbNode((PbLink(child, 4),), b"\x08\x02")


def test_file_nodes_carry_filesize_and_unpacked_blocksizes() -> None:
    links = [PbLink(Cid.of_block(RAW, bytes(n)), n) for n in (3, 5)]
    unixfs = decode_unixfs(decode_node(file_node(links, [3, 5])).data)

    assert unixfs == UnixFsData(UnixFsType.FILE, filesize=8, blocksizes=(3, 5))
    assert encode_unixfs(unixfs) == bytes([0x08, 0x02, 0x18, 8, 0x20, 3, 0x20, 5])


def test_packed_blocksizes_are_read_too() -> None:
    assert decode_unixfs(bytes([0x08, 0x02, 0x22, 2, 3, 5])).blocksizes == (3, 5)


@pytest.mark.parametrize("garbage", [b"\x12\x05abc", b"\x0a", b"\x0d\x00\x00\x00\x00", b"\x12\x00"])
def test_malformed_nodes_are_payload_errors(garbage: bytes) -> None:
    with pytest.raises(PayloadError):
        decode_node(garbage)


def test_a_dag_pb_cid_is_a_bafy() -> None:
    assert str(Cid.of_block(DAG_PB, b"")).startswith("bafy")

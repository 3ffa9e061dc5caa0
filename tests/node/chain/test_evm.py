"""The bytecode walk that finds opcodes a London chain (geth's Clique) does not have."""

from __future__ import annotations

from origo_node.chain.evm import instructions, later_opcodes, strip_metadata

# solc's trailer: a CBOR map (a1), key "solc" (64 736f6c63), three version bytes (43 000825), length 0x000a.
METADATA = bytes.fromhex("a164736f6c6343000825000a")


def test_push_data_is_not_read_as_opcodes() -> None:
    # PUSH2 0x5f5e, PUSH1 0x5f, STOP: the 0x5f and 0x5e bytes are data, not PUSH0 or MCOPY.
    code = bytes.fromhex("615f5e605f00")
    assert [i.opcode for i in instructions(code)] == [0x61, 0x60, 0x00]
    assert later_opcodes(code) == []


def test_push0_and_mcopy_are_found_where_they_are_executed() -> None:
    # PUSH1 0x20, PUSH0, DUP1, MCOPY, PUSH32 <32 bytes of 0x5f>, TSTORE
    code = bytes.fromhex("60205f805e7f" + "5f" * 32 + "5d")
    assert later_opcodes(code) == [
        (2, "PUSH0", "shanghai"),
        (4, "MCOPY", "cancun"),
        (38, "TSTORE", "cancun"),
    ]


def test_a_truncated_push_at_the_end_does_not_break_the_walk() -> None:
    assert [i.offset for i in instructions(bytes.fromhex("007f5f"))] == [0, 1]


def test_the_metadata_trailer_is_data() -> None:
    # A 0x5f inside the trailer is data: a fake trailer holding one must not count as PUSH0.
    trailer = bytes.fromhex("a1415f") + (3).to_bytes(2, "big")
    assert strip_metadata(bytes.fromhex("6001") + trailer) == bytes.fromhex("6001")
    assert later_opcodes(bytes.fromhex("6001") + trailer) == []
    assert strip_metadata(bytes.fromhex("00") + METADATA) == b"\x00"


def test_code_without_a_trailer_is_kept_whole() -> None:
    code = bytes.fromhex("5f00ff")  # last two bytes read as a length far beyond the code
    assert strip_metadata(code) == code
    assert later_opcodes(code) == [(0, "PUSH0", "shanghai")]

"""decode_custom_error: the custom errors of the ABI, plus Solidity's two built-in reverts."""

from __future__ import annotations

import pytest
from eth_abi.abi import encode
from eth_utils.abi import function_signature_to_4byte_selector
from origo_node.chain.artifacts import load_abi
from origo_node.chain.revert import decode_custom_error, error_selectors

ABI = load_abi("DocumentRegistry") + load_abi("Membership")


def selector(signature: str) -> bytes:
    return function_signature_to_4byte_selector(signature)


def test_custom_error_with_arguments_from_bytes_or_hex() -> None:
    doc_id = b"\x11" * 32
    data = selector("RegistryQuantityExceeded(bytes32,uint8,uint64,uint64)") + encode(
        ["bytes32", "uint8", "uint64", "uint64"], [doc_id, 1, 7, 3]
    )
    assert decode_custom_error(ABI, data) == ("RegistryQuantityExceeded", (doc_id, 1, 7, 3))
    assert decode_custom_error(ABI, "0x" + data.hex()) == ("RegistryQuantityExceeded", (doc_id, 1, 7, 3))


def test_addresses_come_back_checksummed() -> None:
    account = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
    data = selector("RegistryWrongMember(address,bytes2,bytes2)") + encode(
        ["address", "bytes2", "bytes2"], [account, b"SG", b"VN"]
    )
    assert decode_custom_error(ABI, data) == ("RegistryWrongMember", (account, b"SG", b"VN"))


def test_error_without_arguments() -> None:
    assert decode_custom_error(ABI, selector("RegistryEmptyBatch()")) == ("RegistryEmptyBatch", ())


def test_builtin_error_and_panic() -> None:
    error = selector("Error(string)") + encode(["string"], ["boom"])
    panic = selector("Panic(uint256)") + encode(["uint256"], [0x11])
    assert decode_custom_error([], error) == ("Error", ("boom",))
    assert decode_custom_error([], panic) == ("Panic", (0x11,))


def test_unknown_or_short_data_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown error selector"):
        decode_custom_error(ABI, b"\xde\xad\xbe\xef")
    with pytest.raises(ValueError, match="too short"):
        decode_custom_error(ABI, b"\x01")


def test_every_error_of_both_interfaces_has_a_selector() -> None:
    names = {item["name"] for item in error_selectors(ABI).values()}
    assert {"RegistryNotIssuer", "RegistryLeafMismatch", "MembershipProposalExpired"} <= names
    # 13 Membership and 22 Registry errors, plus two of OpenZeppelin's libraries (Checkpoints, SafeCast)
    assert len(names) == 37

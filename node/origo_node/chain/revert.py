"""Decode a contract's custom-error revert data into its name and arguments."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eth_abi.abi import decode
from eth_utils.abi import function_signature_to_4byte_selector
from eth_utils.address import to_checksum_address

from origo_node.chain.artifacts import Abi


def canonical_type(param: dict[str, Any]) -> str:
    """The ABI type of a parameter as it appears in a signature: tuples spelled out as (..)."""
    kind = str(param["type"])
    if kind.startswith("tuple"):
        inner = ",".join(canonical_type(c) for c in param["components"])
        return f"({inner}){kind[len('tuple') :]}"
    return kind


def error_selectors(abi: Abi) -> dict[bytes, dict[str, Any]]:
    """Each custom error of ``abi`` by its 4-byte selector."""
    out: dict[bytes, dict[str, Any]] = {}
    for item in abi:
        if item.get("type") == "error":
            types = ",".join(canonical_type(p) for p in item.get("inputs", []))
            out[function_signature_to_4byte_selector(f"{item['name']}({types})")] = item
    return out


def _as_bytes(data: bytes | str) -> bytes:
    if isinstance(data, str):
        return bytes.fromhex(data.removeprefix("0x"))
    return bytes(data)


def decode_custom_error(abi: Abi, data: bytes | str) -> tuple[str, tuple[Any, ...]]:
    """The error's name and arguments, for revert ``data`` (bytes or 0x-hex) of a contract with ``abi``.

    Also decodes the two built-in reverts: ``Error(string)`` and ``Panic(uint256)``.
    Raises ``ValueError`` if the data matches no error of the ABI.
    """
    raw = _as_bytes(data)
    if len(raw) < 4:
        raise ValueError(f"revert data too short to name an error: 0x{raw.hex()}")
    selector, body = raw[:4], raw[4:]
    if selector == function_signature_to_4byte_selector("Error(string)"):
        return "Error", tuple(decode(["string"], body))
    if selector == function_signature_to_4byte_selector("Panic(uint256)"):
        return "Panic", tuple(decode(["uint256"], body))
    item = error_selectors(abi).get(selector)
    if item is None:
        raise ValueError(f"unknown error selector 0x{selector.hex()}")
    types: Sequence[str] = [canonical_type(p) for p in item.get("inputs", [])]
    values = decode(types, body)
    # Addresses come back checksummed, as web3 returns them everywhere else.
    args = tuple(to_checksum_address(v) if t == "address" else v for t, v in zip(types, values, strict=True))
    return str(item["name"]), args

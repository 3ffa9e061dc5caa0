"""Decoding the contracts' logs with their ABIs, by topic, into (event name, arguments)."""

from __future__ import annotations

from typing import Any

from eth_abi.abi import decode as abi_decode

from origo_node.chain.port import ChainEvent
from origo_node.documents.event_kinds import CAUSED_BY, EventKind
from origo_node.hashing import keccak256


def _canonical_type(item: dict[str, Any]) -> str:
    kind = str(item["type"])
    if kind.startswith("tuple"):
        inner = ",".join(_canonical_type(c) for c in item["components"])
        return f"({inner}){kind[5:]}"
    return kind


def _named(item: dict[str, Any], value: Any) -> Any:
    """A decoded struct as a dict by its components' names (arrays of structs element by element), so that an
    event argument reads the same from every chain adapter: ``claims[0]["item"]``, never ``claims[0][0]``."""
    kind = str(item["type"])
    if not kind.startswith("tuple"):
        return value
    if kind.endswith("]"):
        element = {**item, "type": kind[: kind.rindex("[")]}
        return [_named(element, v) for v in value]
    return {c["name"]: _named(c, v) for c, v in zip(item["components"], value, strict=True)}


class EventDecoder:
    """Maps topic0 to an event's ABI for a set of contracts, and decodes raw logs."""

    def __init__(self, contracts: dict[str, tuple[str, Any]]) -> None:
        # contracts: label -> (address, abi)
        self._by_address: dict[str, str] = {}
        self._checksummed: list[str] = []
        self._events: dict[tuple[str, bytes], dict[str, Any]] = {}
        for label, (address, abi) in contracts.items():
            self._by_address[address.lower()] = label
            self._checksummed.append(address)
            for item in abi:
                if item.get("type") != "event":
                    continue
                signature = f"{item['name']}(" + ",".join(_canonical_type(i) for i in item["inputs"]) + ")"
                self._events[(label, keccak256(signature.encode()))] = item

    @property
    def addresses(self) -> list[str]:
        return list(self._checksummed)

    def decode(self, log: Any) -> ChainEvent | None:
        label = self._by_address.get(str(log["address"]).lower())
        topics = [bytes(t) for t in log["topics"]]
        if label is None or not topics:
            return None
        event = self._events.get((label, topics[0]))
        if event is None:
            return None
        indexed = [i for i in event["inputs"] if i["indexed"]]
        plain = [i for i in event["inputs"] if not i["indexed"]]
        args: dict[str, Any] = {}
        for item, topic in zip(indexed, topics[1:], strict=True):
            args[item["name"]] = abi_decode([_canonical_type(item)], topic)[0]
        values = abi_decode([_canonical_type(i) for i in plain], bytes(log["data"]))
        for item, value in zip(plain, values, strict=True):
            args[item["name"]] = _named(item, value)
        return ChainEvent(
            contract=label,  # type: ignore[arg-type]
            name=str(event["name"]),
            args=args,
            block=int(log["blockNumber"]),
            log_index=int(log["logIndex"]),
            tx_hash="0x" + bytes(log["transactionHash"]).hex(),
        )


#: The registry contract's event for each kind of document event.
_CONTRACT_EVENTS = {
    "DocumentRevoked": EventKind.REVOKED,
    "DocumentSuperseded": EventKind.SUPERSEDED,
    "DocumentAccepted": EventKind.ACCEPTED,
    "DocumentRejected": EventKind.REJECTED,
    "VerificationRequested": EventKind.VERIFICATION_REQUESTED,
    "VerificationAnswered": EventKind.VERIFICATION_ANSWERED,
}
# Each document event: its kind in the index, and which of the document's members alone may cause it.
DOCUMENT_EVENTS = {name: (kind, CAUSED_BY[kind]) for name, kind in _CONTRACT_EVENTS.items()}


def event_entitled(kind: str, member: str, issuer: str, importer: str) -> bool:
    """Whether ``member`` may cause an event of ``kind`` on ``issuer``'s document imported by ``importer``."""
    return member == (issuer if CAUSED_BY.get(kind) == "issuer" else importer)


def declaration_text(value: bytes) -> str:
    """An import declaration number: ASCII, right-padded with zeros into a bytes32 by the node."""
    text = value.rstrip(b"\0")
    return (
        text.decode("ascii") if text.isascii() and text.decode("ascii").isprintable() else "0x" + value.hex()
    )


def jsonable(value: Any) -> Any:
    if isinstance(value, bytes):
        if len(value) == 2:
            return value.decode("ascii", errors="replace")
        return "0x" + value.hex()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    return value

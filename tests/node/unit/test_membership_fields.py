"""Each membership event's arguments, typed: read as the chain adapter decodes them, stored as they came."""

from __future__ import annotations

from typing import Any

import pytest
from origo_node.chain.artifacts import load_abi
from origo_node.membership_fields import (
    MEMBERSHIP_EVENTS,
    AccountHandedOver,
    IssuerChanged,
    Voted,
    membership_fields_of,
)

#: A value of each ABI type as ``chain.events.jsonable`` gives it.
_SAMPLE = {
    "bytes2": "VN",
    "address": "0x" + "ab" * 20,
    "bytes": "0x" + "c0" * 40,
    "string": "Customs VN",
    "uint8": 2,
    "uint16": 6000,
    "uint32": 3,
    "uint64": 1_796_083_200,
    "uint256": 7,
}


def _decoded(event: dict[str, Any]) -> dict[str, Any]:
    """The event's arguments in the order ``EventDecoder`` gives them: the indexed ones, then the others."""
    inputs = [i for i in event["inputs"] if i["indexed"]] + [i for i in event["inputs"] if not i["indexed"]]
    return {i["name"]: _SAMPLE[i["type"]] for i in inputs}


EVENTS = [item for item in load_abi("Membership") if item["type"] == "event"]


def test_every_event_of_the_contract_has_its_type() -> None:
    assert sorted(e["name"] for e in EVENTS) == sorted(MEMBERSHIP_EVENTS)


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: str(e["name"]))
def test_fields_read_back_as_the_chain_adapter_decoded_them_in_its_order(event: dict[str, Any]) -> None:
    raw = _decoded(event)
    shown = membership_fields_of(str(event["name"]), raw).as_json()
    assert shown == raw and list(shown) == list(raw)


def test_the_fields_are_typed_by_kind() -> None:
    assert membership_fields_of("IssuerRemoved", {"code": "SG", "account": "0x1"}) == IssuerChanged(
        code="SG", account="0x1"
    )
    tally = {"id": 4, "voter": "TH", "yesVotes": 2, "requiredVotes": 3}
    assert membership_fields_of("Voted", tally) == Voted(id=4, voter="TH", yes_votes=2, required_votes=3)
    handed = membership_fields_of(
        "ValidatorChanged", {"code": "VN", "previousValidator": "0xa", "newValidator": "0xb"}
    )
    assert handed == AccountHandedOver(role="Validator", code="VN", previous="0xa", new="0xb")


def test_an_event_without_its_arguments_or_one_the_contract_lacks_is_refused() -> None:
    with pytest.raises(KeyError):
        membership_fields_of("Voted", {"id": 1, "voter": "VN"})
    with pytest.raises(ValueError, match="no event MemberRenamed"):
        membership_fields_of("MemberRenamed", {"code": "VN"})

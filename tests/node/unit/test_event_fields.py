"""Each kind of document event's fields, typed: read from the chain's camelCase names, shown as they came."""

from __future__ import annotations

from typing import Any

import pytest
from origo_node.documents.event_fields import Claimed, ItemTaken, ReasonGiven, fields_of

AS_THE_CHAIN_NAMES_THEM: list[tuple[str, dict[str, Any]]] = [
    ("anchored", {"root": "0x" + "aa" * 32, "digest": "0x" + "bb" * 32, "importer": "SG"}),
    ("revoked", {"reasonCode": 3, "reason": "HS 0901.21"}),
    ("rejected", {"reasonCode": 1, "reason": "origin doubtful"}),
    ("superseded", {"replacementId": "0x" + "cc" * 32}),
    (
        "accepted",
        {"declaration": "SG-IMP-71", "claims": [{"item": 0, "quantity": 5000000}], "fullyUtilised": False},
    ),
    ("accepted", {"declaration": "SG-IMP-72", "claims": [], "fullyUtilised": True}),
    ("verification_requested", {"reason": "check"}),
    ("verification_answered", {"confirmed": False, "reason": "no such producer"}),
]


@pytest.mark.parametrize(("kind", "raw"), AS_THE_CHAIN_NAMES_THEM)
def test_fields_read_back_as_the_chain_named_them_in_its_order(kind: str, raw: dict[str, Any]) -> None:
    shown = fields_of(kind, raw).as_json()
    assert shown == raw and list(shown) == list(raw)


def test_the_fields_are_typed_by_kind() -> None:
    claimed = fields_of("accepted", AS_THE_CHAIN_NAMES_THEM[4][1])
    assert claimed == Claimed(
        declaration="SG-IMP-71", claims=(ItemTaken(item=0, quantity=5_000_000),), fully_utilised=False
    )
    assert fields_of("rejected", {"reasonCode": 1, "reason": "x"}) == ReasonGiven(reason_code=1, reason="x")


def test_a_kind_without_its_fields_or_an_unknown_kind_is_refused() -> None:
    with pytest.raises(KeyError):
        fields_of("revoked", {"reason": "no code"})
    with pytest.raises(ValueError, match="no document event of kind 'IssuerAdded'"):
        fields_of("IssuerAdded", {"account": "0x1"})

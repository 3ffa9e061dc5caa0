"""The chain's refusals of claims on items as sentences an officer reads (api/refusals.py), no node needed.

The chain numbers items from 0 and counts thousandths of each item's unit; a person reads items numbered as on
the form and amounts in the item's unit. The rule and its arguments stay in the problem for programs.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from origo_api.answers import Action
from origo_api.states import DocumentState
from origo_node.api.refusals import amount, explain
from origo_node.api.routes_officer import worded
from origo_node.errors import NotFound
from origo_node.services.document_status import DocumentStatus, ItemQuantity

DOC = "0x" + "ab" * 32
STATUS = {
    "document_id": DOC,
    "issuer": "MY",
    "importer": "TH",
    "items": [
        {"item": 1, "unit": "PR", "total": "12000.000", "claimed": "12000.000", "remaining": "0.000"},
        {"item": 2, "unit": "PCE", "total": "9000.000", "claimed": "40.000", "remaining": "8960.000"},
        {"item": 3, "unit": None, "total": None, "claimed": None, "remaining": None},
    ],
}


class _Status:
    def __init__(self, known: dict[str, dict[str, Any]]) -> None:
        self.known = known

    def status(self, doc_id: str) -> DocumentStatus:
        if doc_id not in self.known:
            raise NotFound(f"no document {doc_id}")
        known = self.known[doc_id]
        return DocumentStatus(
            document_id=known["document_id"],
            type="atiga-form-d",
            version="1",
            issuer=known["issuer"],
            importer=known["importer"],
            state=DocumentState.PARTIALLY_ACCEPTED,
            items=tuple(ItemQuantity(**{"claimed": None, **item}) for item in known["items"]),
        )


def node(known: dict[str, dict[str, Any]] | None = None) -> Any:
    return SimpleNamespace(status=_Status({DOC: STATUS} if known is None else known), directory={})


def test_amounts_are_decimals_in_the_unit() -> None:
    assert amount(8_960_000) == "8,960.000" and amount(1_500) == "1.500" and amount(250_125) == "250.125"


def test_more_than_remains_on_an_item() -> None:
    sentence = explain(node(), "RegistryQuantityExceeded", [DOC, 1, 9_000_000, 8_960_000])
    assert (
        sentence
        == "Only 8,960.000 PCE remain on item 2 of this certificate; the claim asked for 9,000.000 PCE."
    )


def test_a_certificate_of_one_item_is_spoken_of_as_the_certificate() -> None:
    coffee = {**STATUS, "items": [{"item": 1, "unit": "KGM", "total": "19200.000", "remaining": "19200.000"}]}
    sentence = explain(node({DOC: coffee}), "RegistryQuantityExceeded", [DOC, 0, 20_000_000, 19_200_000])
    assert sentence == "Only 19,200.000 KGM remain on this certificate; the claim asked for 20,000.000 KGM."


def test_nothing_left_on_an_item() -> None:
    sentence = explain(node(), "RegistryItemFullyUtilised", [DOC, 0])
    assert (
        sentence == "Nothing remains to claim on item 1 of this certificate: all 12,000.000 PR were claimed."
    )


def test_an_item_the_certificate_does_not_list() -> None:
    sentence = explain(node(), "RegistryNoSuchItem", [DOC, 4, 3])
    assert sentence == "There is no item 5 on this certificate: it lists 3 items."
    assert explain(node(), "RegistryNoSuchItem", [DOC, 1, 1]).endswith("it lists 1 item.")


def test_an_item_without_a_quantity() -> None:
    sentence = explain(node(), "RegistryQuantityNotTracked", [DOC, 2])
    assert sentence == (
        "Item 3 of this certificate gives no quantity, so it is claimed only with the whole certificate: "
        "leave out the item and the quantity."
    )


def test_the_same_declaration_again() -> None:
    declaration = "0x" + b"TH-IMP-0002".ljust(32, b"\0").hex()
    sentence = explain(node(), "RegistryDeclarationUsed", ["0x4d59", DOC, declaration])
    assert sentence == "This declaration (TH-IMP-0002) already claimed this certificate."


def test_without_the_documents_status_the_sentence_still_has_the_facts() -> None:
    # a node that has not indexed the document (yet): no unit to name, the amounts and the item still there
    sentence = explain(node({}), "RegistryQuantityExceeded", [DOC, 0, 2_500, 1_000])
    assert sentence == "Only 1.000 remain on item 1 of this certificate; the claim asked for 2.500."
    assert explain(node({}), "RegistryItemFullyUtilised", [DOC, 1]) == (
        "Nothing remains to claim on item 2 of this certificate."
    )


@pytest.mark.parametrize(
    ("rule", "args"),
    [
        ("RegistryQuantityExceeded", [DOC, 1, 9_000_000, 8_960_000]),
        ("RegistryItemFullyUtilised", [DOC, 0]),
        ("RegistryNoSuchItem", [DOC, 4, 3]),
        ("RegistryQuantityNotTracked", [DOC, 2]),
        ("RegistryFullyUtilised", [DOC]),
        ("RegistryDeclarationUsed", ["0x4d59", DOC, "0x" + b"TH-IMP-0002".ljust(32, b"\0").hex()]),
        ("RegistryQuantityExceeded", [DOC]),  # arguments not as the rule has them
    ],
)
def test_no_rule_name_reaches_a_person(rule: str, args: list[Any]) -> None:
    sentence = explain(node(), rule, args)
    assert "Registry" not in sentence and "0x" not in sentence and sentence.endswith(".")


def test_an_action_the_chain_refused_when_it_was_sent_is_told_in_words_too() -> None:
    # The chain changed between the check and the send (another declaration took the rest first): the action
    # failed in the sender, which records the rule; whoever reads the action reads the sentence.
    failed = Action(
        id=3,
        kind="accept",
        document_id=DOC,
        state="failed",
        error={
            "title": "the chain refused: RegistryQuantityExceeded",
            "rule": "RegistryQuantityExceeded",
            "args": [DOC, 1, 9_000_000, 8_960_000],
        },
    )
    shown = worded(node(), failed).error
    assert shown is not None and shown.title == (
        "Only 8,960.000 PCE remain on item 2 of this certificate; the claim asked for 9,000.000 PCE."
    )
    assert shown.rule == "RegistryQuantityExceeded" and isinstance(shown.args, list) and shown.args[1] == 1
    done = Action(id=4, kind="accept", document_id=DOC, state="done", error=None)
    assert worded(node(), done) is done


def _example(kind: str) -> Any:
    """An argument of ABI type ``kind`` as the node passes it on (hex bytes, member codes, numbers)."""
    examples: dict[str, Any] = {
        "bytes32": DOC,
        "bytes2": "0x4d59",  # MY: both chains pass a bytes2 on as hex
        "address": "0x" + "12" * 20,
        "uint8": 1,
        "uint16": 5001,
        "uint64": 8_960_000,
        "uint256": 2,
        "bool": True,
        "string": "x",
    }
    return examples.get(kind, 1)


def _custom_errors() -> list[tuple[str, list[str]]]:
    from origo_node.chain.artifacts import load_abi

    abi = load_abi("DocumentRegistry") + load_abi("Membership")
    return sorted(
        {
            (item["name"], tuple(i["type"] for i in item["inputs"]))
            for item in abi
            if item.get("type") == "error" and item["name"].startswith(("Registry", "Membership"))
        }
    )  # type: ignore[return-value]


@pytest.mark.parametrize(("rule", "kinds"), _custom_errors())
def test_every_rule_of_the_contracts_has_a_sentence_of_its_own(rule: str, kinds: tuple[str, ...]) -> None:
    """A new rule without words would reach a person as the generic fallback with its name in it."""
    sentence = explain(node(), rule, [_example(kind) for kind in kinds])
    assert not sentence.startswith("The chain's rules refused this"), (rule, sentence)
    assert rule not in sentence
    assert "0x4d59" not in sentence, (rule, sentence)  # a member is named by its code or its name


def test_members_are_named_by_their_code_or_registered_name() -> None:
    named = SimpleNamespace(
        status=_Status({}), directory={"MY": SimpleNamespace(name="Royal Malaysian Customs")}
    )
    assert explain(named, "MembershipUnknownMember", ["0x5a5a"]) == "ZZ is not a member of the consortium."
    assert explain(named, "MembershipMemberExists", ["0x4d59"]) == (
        "Royal Malaysian Customs is already a member of the consortium."
    )
    assert explain(named, "MembershipAlreadyVoted", [3, "0x4d59"]) == (
        "Royal Malaysian Customs already voted on proposal 3."
    )

"""An accept body's words resolved to the chain's per-item claims (services/claims.py), no node needed."""

from __future__ import annotations

from typing import Any

import pytest
from origo_node.documents.action_params import Accept, ItemClaim, params_json, params_of
from origo_node.errors import Conflict, ValidationFailed
from origo_node.services.claims import ClaimRequest, ItemAsked, resolve
from origo_node.services.document_status import ItemQuantity
from origo_node.services.officer_desk import accept_params


def item(number: int, unit: str | None, total: str | None, remaining: str | None = None) -> ItemQuantity:
    return ItemQuantity(item=number, unit=unit, total=total, claimed=None, remaining=remaining or total)


GLOVES_AND_COTS = [item(1, "PR", "12000.000"), item(2, "PCE", "9000.000", "8960.000")]
ONE_UNIT = [item(1, "PCE", "8000.000", "500.000"), item(2, "PCE", "960.000"), item(3, "PCE", "40.000")]


def asked(body: dict[str, Any]) -> ClaimRequest:
    """The request an accept body gives (as the route builds it)."""
    listed = body.get("claims")
    return ClaimRequest(
        declaration=body.get("declaration", "D"),
        item=body.get("item"),
        quantity=body.get("quantity"),
        claims=None if listed is None else tuple(ItemAsked(c["item"], c.get("quantity")) for c in listed),
    )


def pointer_and_message(body: dict[str, Any], items: list[ItemQuantity]) -> tuple[str, str]:
    with pytest.raises(ValidationFailed) as caught:
        resolve(asked(body), items)
    (error,) = caught.value.errors
    return error["pointer"], error["message"]


def test_nothing_but_the_declaration_is_the_whole_certificate() -> None:
    assert resolve(asked({"declaration": "D"}), GLOVES_AND_COTS) == []
    assert resolve(asked({"declaration": "D", "item": None, "quantity": None, "claims": None}), []) == []


def test_an_item_with_or_without_a_quantity() -> None:
    assert resolve(asked({"item": 2, "quantity": "40"}), GLOVES_AND_COTS) == [ItemClaim(2, 40_000)]
    assert resolve(asked({"item": 1}), GLOVES_AND_COTS) == [ItemClaim(1, 0)]  # the rest of item 1
    assert resolve(asked({"item": 2, "quantity": "0.125"}), GLOVES_AND_COTS)[0].on_chain() == (1, 125)


def test_claims_are_taken_as_given_one_per_item() -> None:
    body = {"claims": [{"item": 2, "quantity": "40.5"}, {"item": 1}]}
    assert resolve(asked(body), GLOVES_AND_COTS) == [ItemClaim(2, 40_500), ItemClaim(1, 0)]
    pointer, message = pointer_and_message({"claims": [{"item": 1}, {"item": 1, "quantity": "2"}]}, ONE_UNIT)
    assert pointer == "/claims/1/item" and "item 1 is named twice" in message
    pointer, message = pointer_and_message({"claims": [{"item": 1}, {"item": 2, "quantity": "-1"}]}, ONE_UNIT)
    assert pointer == "/claims/1/quantity" and "decimal number" in message


def test_claims_together_with_item_or_quantity_are_refused() -> None:
    for extra in ({"item": 1}, {"quantity": "5"}):
        pointer, message = pointer_and_message({"claims": [{"item": 1}], **extra}, GLOVES_AND_COTS)
        assert pointer == "/claims" and "not both" in message


def test_an_unknown_item_names_how_many_items_there_are() -> None:
    pointer, message = pointer_and_message({"item": 3, "quantity": "1"}, GLOVES_AND_COTS)
    assert (pointer, message) == ("/item", "there is no item 3: this certificate lists 2 items (1 to 2)")
    pointer, message = pointer_and_message({"claims": [{"item": 2}]}, [item(1, "KGM", "19200.000")])
    assert (pointer, message) == (
        "/claims/0/item",
        "there is no item 2: this certificate lists 1 item (item 1)",
    )
    pointer, message = pointer_and_message({"item": 1}, [])
    assert pointer == "/item" and "lists no items" in message


def test_a_quantity_alone_on_one_item_is_that_item() -> None:
    assert resolve(asked({"quantity": "19000"}), [item(1, "KGM", "19200.000")]) == [ItemClaim(1, 19_000_000)]
    # an item without a quantity: the chain's refusal (RegistryQuantityNotTracked) says it in words
    assert resolve(asked({"quantity": "5"}), [item(1, None, None)]) == [ItemClaim(1, 5_000)]


def test_a_quantity_alone_in_one_unit_is_taken_from_the_items_in_order() -> None:
    # 500 remain on item 1, 960 on item 2, 40 on item 3: 1,000 takes all of item 1 and 500 of item 2
    assert resolve(asked({"quantity": "1000"}), ONE_UNIT) == [ItemClaim(1, 500_000), ItemClaim(2, 500_000)]
    assert resolve(asked({"quantity": "1500"}), ONE_UNIT) == [
        ItemClaim(1, 500_000),
        ItemClaim(2, 960_000),
        ItemClaim(3, 40_000),
    ]
    used_first = [item(1, "PCE", "8000.000", "0.000"), item(2, "PCE", "960.000")]
    assert resolve(asked({"quantity": "10"}), used_first) == [ItemClaim(2, 10_000)]
    with pytest.raises(Conflict) as caught:
        resolve(asked({"quantity": "1500.001"}), ONE_UNIT)
    assert caught.value.message == (
        "only 1,500.000 PCE remain on this certificate (all its items together); "
        "the claim asked for 1,500.001 PCE"
    )
    nothing_left = [item(1, "PCE", "8000.000", "0.000"), item(2, "PCE", "960.000", "0.000")]
    assert resolve(asked({"quantity": "1"}), nothing_left) == [
        ItemClaim(1, 1_000)
    ]  # the chain says "fully used"


def test_a_quantity_alone_in_several_units_must_name_the_item() -> None:
    pointer, message = pointer_and_message({"quantity": "40"}, GLOVES_AND_COTS)
    assert pointer == "/item"
    assert message == "this certificate lists items in several units (1: PR, 2: PCE): name the item"
    untracked = [item(1, "PCE", "10.000"), item(2, None, None)]
    pointer, message = pointer_and_message({"quantity": "4"}, untracked)
    assert pointer == "/item" and "(1: PCE, 2: no quantity): name the item" in message
    pointer, message = pointer_and_message({"quantity": "4"}, [])
    assert pointer == "/quantity" and "can only be claimed in full" in message


@pytest.mark.parametrize(
    "bad", ["abc", "1e3", "0", "-5", "1.0001", "NaN", "Infinity", "99999999999999999999"]
)
def test_quantities_are_positive_decimals_with_three_places_at_most(bad: str) -> None:
    pointer, _ = pointer_and_message({"item": 1, "quantity": bad}, GLOVES_AND_COTS)
    assert pointer == "/quantity"


@pytest.mark.parametrize("bad", [0, -1, True, "1", 1.5])
def test_item_numbers_are_whole_numbers_from_one(bad: Any) -> None:
    pointer, _ = pointer_and_message({"item": bad}, GLOVES_AND_COTS)
    assert pointer == "/item"


def test_the_recorded_parameters_give_the_chain_the_same_claims_again() -> None:
    params = accept_params(asked({"declaration": "TH-1", "quantity": "1000"}), ONE_UNIT)
    assert params == Accept(declaration="TH-1", claims=(ItemClaim(1, 500_000), ItemClaim(2, 500_000)))
    assert params.to_json() == {
        "declaration": "TH-1",
        "claims": [{"item": 1, "quantity": "500.000"}, {"item": 2, "quantity": "500.000"}],
    }
    assert params.on_chain() == [(0, 500_000), (1, 500_000)]
    assert params_of("accept", params_json(params, "VN")) == (params, "VN")
    whole = accept_params(asked({"declaration": "TH-2"}), ONE_UNIT)
    assert whole.to_json() == {"declaration": "TH-2", "claims": []} and whole.on_chain() == []
    rest = accept_params(asked({"declaration": " th-3", "item": 2}), ONE_UNIT)
    assert rest.declaration == "TH-3"  # canonical, as the chain records it
    assert rest.to_json()["claims"] == [{"item": 2, "quantity": None}] and rest.on_chain() == [(1, 0)]


def test_an_accept_recorded_before_claims_named_items_claims_what_it_did() -> None:
    # its quantity alone was on the certificate's one quantity, item 1's; none was the whole certificate
    old, issuer = params_of("accept", {"declaration": "OLD", "quantity": "250"})
    assert issuer is None and isinstance(old, Accept) and old.on_chain() == [(0, 250_000)]
    whole, _ = params_of("accept", {"declaration": "OLD", "quantity": None})
    assert isinstance(whole, Accept) and whole.on_chain() == []

"""What an importing officer's claim means on the chain: the accept body's words resolved to per-item claims.

An officer names an item and a quantity in that item's unit, several items (``claims``), a quantity alone, or
nothing (the whole certificate). The chain takes a list of ``(0-based item, thousandths)`` where 0 thousandths
means "everything that remains on that item" and an empty list means the whole certificate. A quantity
alone is resolved here, from the document's per-item status, because only the node knows which items it may
be spread over: the certificate's one item, or its items in order when they all count in one unit. The chain
still enforces what remains on each item; a status a moment old only makes the chain refuse, in words.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from origo_node.documents.action_params import ItemClaim
from origo_node.documents.leaf import MAX_ITEMS
from origo_node.errors import Conflict, ValidationFailed
from origo_node.services.document_status import ItemQuantity
from origo_node.services.lifecycle import amount as _amount

_DECIMAL = re.compile(r"^[0-9]{1,19}(\.[0-9]{1,3})?$")


@dataclass(frozen=True)
class ItemAsked:
    """One item's part of a claim as the officer typed it: the item's number on the form and a quantity in
    its unit (None: all that remains on it)."""

    item: int
    quantity: str | None = None


@dataclass(frozen=True, kw_only=True)
class ClaimRequest:
    """An accept as the officer asked for it, before ``resolve`` turns it into items: the declaration and
    either one item (``item``, ``quantity``), a quantity alone, several items (``claims``) or nothing (the
    whole certificate)."""

    KIND: ClassVar[str] = "accept"
    declaration: str
    item: int | None = None
    quantity: str | None = None
    claims: tuple[ItemAsked, ...] | None = None


def bad(pointer: str, message: str) -> ValidationFailed:
    return ValidationFailed("the request is not valid", errors=[{"pointer": pointer, "message": message}])


def parse_quantity(text: object, pointer: str = "/quantity") -> int:
    """Thousandths from a decimal string ("250", "250.5", "250.125"); 0 (= everything left) for None."""
    if text is None:
        return 0
    if isinstance(text, bool) or not isinstance(text, str | int) or not _DECIMAL.match(str(text)):
        raise bad(pointer, 'must be a decimal number as a string, e.g. "250.000"')
    value = Decimal(str(text))
    scaled = value * 1000
    if value <= 0 or scaled != scaled.to_integral_value() or scaled >= 2**64:
        raise bad(pointer, "must be positive, with at most three decimals")
    return int(scaled)


def _item_number(value: object, pointer: str, items: Sequence[ItemQuantity]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad(pointer, "must be an item number, as on the form (1 for the first item)")
    if not items:
        raise bad(pointer, "this document lists no items that can be claimed one by one: leave out the item")
    if not 1 <= value <= len(items):
        count = len(items)
        listed = "1 item (item 1)" if count == 1 else f"{count} items (1 to {count})"
        raise bad(pointer, f"there is no item {value}: this certificate lists {listed}")
    return value


def _units(items: Sequence[ItemQuantity]) -> str:
    return ", ".join(f"{i + 1}: {item.unit or 'no quantity'}" for i, item in enumerate(items))


def _thousandths(text: str | None) -> int:
    """A status amount ("8960.000") back in thousandths; None (an item without a quantity) is 0."""
    return 0 if text is None else int(Decimal(str(text)) * 1000)


def _spread(quantity: int, items: Sequence[ItemQuantity]) -> list[ItemClaim]:
    """A quantity alone on a certificate whose items all count in one unit: taken from the items in order,
    from what remains on each."""
    unit = items[0].unit
    remaining = [_thousandths(item.remaining) for item in items]
    if sum(remaining) == 0:
        # Nothing left anywhere: the chain says so in its own words (fully used, or this item used up).
        return [ItemClaim(1, quantity)]
    if quantity > sum(remaining):
        raise Conflict(
            f"only {_amount(sum(remaining))} {unit} remain on this certificate (all its items together); "
            f"the claim asked for {_amount(quantity)} {unit}"
        )
    claims = []
    left = quantity
    for number, available in enumerate(remaining, start=1):
        if left == 0:
            break
        take = min(available, left)
        if take:
            claims.append(ItemClaim(number, take))
            left -= take
    return claims


def resolve(asked: ClaimRequest, items: Sequence[ItemQuantity]) -> list[ItemClaim]:
    """The claims an accept asks for, on a document whose per-item status is ``items``.

    An empty list is the whole certificate. Raises ``ValidationFailed`` (422, with a pointer) for a request
    that names no item where one is needed, an item the certificate does not list, or both ways of claiming
    at once; ``Conflict`` for a quantity alone beyond what remains on all items together.
    """
    item, quantity = asked.item, asked.quantity
    if asked.claims is not None:
        if item is not None or quantity is not None:
            raise bad(
                "/claims",
                "give either claims (for several items) or item and quantity (for one), not both",
            )
        return _listed(asked.claims, items)
    if item is not None:
        return [ItemClaim(_item_number(item, "/item", items), parse_quantity(quantity))]
    if quantity is None:
        return []
    thousandths = parse_quantity(quantity)
    if len(items) == 1:
        return [ItemClaim(1, thousandths)]
    if not items:
        raise bad(
            "/quantity",
            "this document gives no quantities, so it can only be claimed in full: leave out the quantity",
        )
    units = {item.unit for item in items}
    if None in units or any(item.total is None for item in items):
        raise bad(
            "/item",
            f"not every item of this certificate gives a quantity ({_units(items)}): name the item",
        )
    if len(units) > 1:
        raise bad("/item", f"this certificate lists items in several units ({_units(items)}): name the item")
    return _spread(thousandths, items)


def _listed(listed: Sequence[ItemAsked], items: Sequence[ItemQuantity]) -> list[ItemClaim]:
    if not listed:
        raise bad("/claims", "must be a non-empty list of {item, quantity}")
    if len(listed) > MAX_ITEMS:
        raise bad("/claims", f"at most {MAX_ITEMS} claims (one per item)")
    claims: list[ItemClaim] = []
    seen: set[int] = set()
    for index, entry in enumerate(listed):
        at = f"/claims/{index}"
        number = _item_number(entry.item, f"{at}/item", items)
        if number in seen:
            raise bad(f"{at}/item", f"item {number} is named twice: one claim per item")
        seen.add(number)
        claims.append(ItemClaim(number, parse_quantity(entry.quantity, f"{at}/quantity")))
    return claims

"""The document state machine (services/lifecycle.py): a pure function of the anchored facts and events."""

from __future__ import annotations

from typing import Any

import pytest
from origo_node.documents.event_fields import fields_of
from origo_node.services.lifecycle import derive_status, thousandths
from origo_node.store.rows import DocumentEvent, IndexedDocument

NOW = 1_800_000_000
_log = iter(range(1_000_000))


def doc(
    quantity: int = 0,
    expires_at: int = 0,
    *,
    items: tuple[tuple[int, str | None], ...] | None = None,
) -> IndexedDocument:
    """A certificate of one item of ``quantity`` thousandths of a kilogram, or of ``items`` (thousandths,
    unit) each."""
    items = items if items is not None else ((quantity, "KGM" if quantity else None),)
    return IndexedDocument(
        document_id="0x" + "11" * 32, document_type="0x" + "22" * 32, digest="0x" + "33" * 32,
        issuer="VN", importer="SG", issued_at=NOW - 86_400, expires_at=expires_at,
        quantities=tuple(q for q, _ in items), payload_cid="bafy", signature="0x", signer="0xabc",
        root="0x" + "44" * 32, block=10, tx_hash="0x" + "55" * 32, timestamp=NOW - 3600,
        type_name="atiga-form-d", type_version="1", quantity_units=tuple(u for _, u in items),
        recipients=("VN", "SG"),
    )  # fmt: skip


def event(kind: str, member: str | None = None, **fields: Any) -> DocumentEvent:
    """An event caused by the member the rules allow (the issuer VN or the importer SG) unless ``member``."""
    n = next(_log)
    by_issuer = kind in ("revoked", "superseded", "verification_answered")
    return DocumentEvent(
        block=20 + n, log_index=n, tx_hash="0x" + "66" * 32, document_id="0x" + "11" * 32, issuer="VN",
        kind=kind, member=member or ("VN" if by_issuer else "SG"), account="0xdef", timestamp=NOW - 60,
        fields=fields_of(kind, fields),
    )  # fmt: skip


def accepted(*claims: tuple[int, int], declaration: str = "D", fully: bool = False) -> DocumentEvent:
    """A claim as the chain reports it: (0-based item, thousandths taken) each; none: the whole
    certificate."""
    return event(
        "accepted",
        declaration=declaration,
        claims=[{"item": item, "quantity": quantity} for item, quantity in claims],
        fullyUtilised=fully or not claims,
    )


def state(document: IndexedDocument, *events: DocumentEvent, now: float = NOW) -> str:
    return str(derive_status(document, list(events), None, now).state)


def test_a_fresh_document_is_valid_until_it_expires() -> None:
    assert state(doc(expires_at=NOW + 1)) == "valid"
    assert state(doc(expires_at=NOW)) == "expired"
    assert state(doc(expires_at=0), now=NOW * 10) == "valid"  # 0: never expires


def test_claims_make_it_partially_then_fully_accepted() -> None:
    d = doc(quantity=10_000)
    assert state(d, accepted((0, 4_000))) == "partially_accepted"
    assert state(d, accepted((0, 4_000)), accepted((0, 6_000), fully=True)) == "accepted"
    status = derive_status(d, [accepted((0, 4_000))], None, NOW).answer().model_dump(mode="json")
    assert status["items"] == [
        {"item": 1, "unit": "KGM", "total": "10.000", "claimed": "4.000", "remaining": "6.000"}
    ]
    assert status["utilisations"][0]["claims"] == [
        {"item": 1, "unit": "KGM", "quantity": "4.000", "remaining": "6.000"}
    ]


REVOKED = ("revoked", {"reasonCode": 1, "reason": "x"})
REJECTED = ("rejected", {"reasonCode": 2, "reason": ""})
SUPERSEDED = ("superseded", {"replacementId": "0x" + "77" * 32})
ASKED = ("verification_requested", {"reason": "?"})
ANSWERED = ("verification_answered", {"confirmed": True, "reason": ""})
NOT_CONFIRMED = ("verification_answered", {"confirmed": False, "reason": "no such producer"})


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([REVOKED, REJECTED], "revoked"),
        ([SUPERSEDED, REJECTED], "superseded"),
        ([REJECTED, ASKED], "rejected"),
        ([ASKED], "under_verification"),
        ([ASKED, ANSWERED], "valid"),
        ([ASKED, NOT_CONFIRMED], "not_confirmed"),
        ([ASKED, NOT_CONFIRMED, REJECTED], "rejected"),
        ([ASKED, NOT_CONFIRMED, REVOKED], "revoked"),
        ([ASKED, NOT_CONFIRMED, ASKED], "under_verification"),
        ([ASKED, NOT_CONFIRMED, ASKED, ANSWERED], "valid"),
    ],
)
def test_what_outranks_what(events: list[tuple[str, dict[str, Any]]], expected: str) -> None:
    assert state(doc(), *(event(kind, **fields) for kind, fields in events)) == expected


def test_revocation_outranks_a_full_claim_and_expiry() -> None:
    d = doc(quantity=1_000, expires_at=NOW - 1)
    assert state(d, accepted(), event("revoked", reasonCode=3, reason="fraud")) == "revoked"
    assert state(d, accepted()) == "accepted"


def of(spec: tuple[str, dict[str, Any]]) -> DocumentEvent:
    return event(spec[0], **spec[1])


def test_not_confirmed_outranks_claims_made_before_the_doubt() -> None:
    d = doc(quantity=10_000)
    events = [accepted((0, 4_000)), of(ASKED), of(NOT_CONFIRMED)]
    assert state(d, *events) == "not_confirmed"
    used_up = accepted((0, 10_000), fully=True)
    assert state(d, used_up, of(ASKED), of(NOT_CONFIRMED)) == "not_confirmed"
    # Under verification, a certificate used up stays used: nothing is left to suspend.
    assert state(d, accepted((0, 10_000), fully=True), of(ASKED)) == "accepted"


def test_an_issuers_answer_without_its_request_is_still_its_answer() -> None:
    # Only the importing member opens requests and only the issuing member answers (the chain checks both);
    # an answer indexed without its request (a node catching up from a later block) is still shown.
    status = derive_status(doc(), [of(NOT_CONFIRMED)], None, NOW).answer().model_dump(mode="json")
    assert status["state"] == "not_confirmed"
    assert status["verification"]["requested_at"] is None


def test_a_verification_answer_is_reported_with_its_request() -> None:
    status = (
        derive_status(
            doc(),
            [
                event("verification_requested", reason="origin?"),
                event("verification_answered", confirmed=False, reason="no"),
            ],
            None,
            NOW,
        )
        .answer()
        .model_dump(mode="json")
    )
    assert status["verification"]["state"] == "not_confirmed"
    assert (status["verification"]["request_reason"], status["verification"]["answer_reason"]) == (
        "origin?",
        "no",
    )


def test_quantities_are_shown_in_thousandths() -> None:
    assert thousandths(1) == "0.001" and thousandths(250_500) == "250.500" and thousandths(0) == "0.000"
    assert thousandths(2**64 - 1) == "18446744073709551.615"


def test_an_event_caused_by_a_member_without_the_right_is_no_state() -> None:
    # TH is neither the issuer nor the importer: its "revocation" or "claim" never changes the document.
    assert state(doc(), event("revoked", member="TH", reasonCode=1, reason="x")) == "valid"
    assert state(doc(quantity=1_000), event("accepted", member="VN", declaration="D", claims=[],
                                            fullyUtilised=True)) == "valid"  # fmt: skip


# --- several items, several units -------------------------------------------------------------------------

#: Gloves in pairs, finger cots in pieces, and a third item that gives only a gross weight (no quantity).
GLOVES, COTS, CRATES = 0, 1, 2
MIXED = ((12_000_000, "PR"), (9_000_000, "PCE"), (0, None))


def items_of(*events: DocumentEvent) -> list[tuple[str | None, str | None, str | None]]:
    """(total, claimed, remaining) of each item after ``events``."""
    status = derive_status(doc(items=MIXED), list(events), None, NOW).answer().model_dump(mode="json")
    return [(i["total"], i["claimed"], i["remaining"]) for i in status["items"]]


def test_each_item_is_shown_numbered_from_one_in_its_own_unit() -> None:
    status = derive_status(doc(items=MIXED), [], None, NOW).answer().model_dump(mode="json")
    assert status["items"] == [
        {"item": 1, "unit": "PR", "total": "12000.000", "claimed": "0.000", "remaining": "12000.000"},
        {"item": 2, "unit": "PCE", "total": "9000.000", "claimed": "0.000", "remaining": "9000.000"},
        # Untracked: no numbers at all, rather than a total of zero that would read as "used up".
        {"item": 3, "unit": None, "total": None, "claimed": None, "remaining": None},
    ]
    assert status["state"] == "valid" and status["utilisations"] == []


def test_partial_claims_are_counted_against_their_own_item_only() -> None:
    first = accepted((GLOVES, 3_000_000), declaration="SG-IMP-1")
    second = accepted((COTS, 40_000), (GLOVES, 1_000_000), declaration="SG-IMP-2")
    assert items_of(first, second) == [
        ("12000.000", "4000.000", "8000.000"),
        ("9000.000", "40.000", "8960.000"),
        (None, None, None),
    ]
    status = derive_status(doc(items=MIXED), [first, second], None, NOW).answer().model_dump(mode="json")
    assert status["state"] == "partially_accepted"
    declared = status["utilisations"][1]
    assert declared["declaration"] == "SG-IMP-2"
    assert (declared["whole_certificate"], declared["fully_utilised"]) == (False, False)
    # In the order the claim named them, each with what remained on that item right after it.
    assert declared["claims"] == [
        {"item": 2, "unit": "PCE", "quantity": "40.000", "remaining": "8960.000"},
        {"item": 1, "unit": "PR", "quantity": "1000.000", "remaining": "8000.000"},
    ]
    assert {"block", "tx", "at"} <= set(declared)


def test_a_whole_claim_after_partial_ones_takes_what_remained_on_each_item() -> None:
    events = [
        accepted((GLOVES, 3_000_000), declaration="SG-IMP-1"),
        accepted((COTS, 9_000_000), declaration="SG-IMP-2"),  # nothing left on the cots
        accepted(declaration="SG-IMP-3"),
    ]
    status = derive_status(doc(items=MIXED), events, None, NOW).answer().model_dump(mode="json")
    assert status["state"] == "accepted"
    whole = status["utilisations"][2]
    assert (whole["whole_certificate"], whole["fully_utilised"]) == (True, True)
    # The gloves' rest; the cots had nothing left and the crates no quantity: nothing taken from them.
    assert whole["claims"] == [{"item": 1, "unit": "PR", "quantity": "9000.000", "remaining": "0.000"}]
    assert items_of(*events) == [
        ("12000.000", "12000.000", "0.000"),
        ("9000.000", "9000.000", "0.000"),
        (None, None, None),
    ]


def test_a_whole_claim_on_a_fresh_certificate_lists_every_item_with_a_quantity() -> None:
    status = (
        derive_status(doc(items=MIXED), [accepted(declaration="SG-IMP-9")], None, NOW)
        .answer()
        .model_dump(mode="json")
    )
    assert [(c["item"], c["quantity"], c["remaining"]) for c in status["utilisations"][0]["claims"]] == [
        (1, "12000.000", "0.000"),
        (2, "9000.000", "0.000"),
    ]


def test_fully_utilised_when_every_item_is_used_up() -> None:
    # The chain says so on the claim that takes the last of the last item; the status follows the chain.
    events = [
        accepted((GLOVES, 12_000_000)),
        accepted((COTS, 9_000_000), fully=True),
    ]
    d = doc(items=MIXED[:2])
    assert state(d, events[0]) == "partially_accepted"
    assert state(d, *events) == "accepted"
    status = derive_status(d, events, None, NOW).answer().model_dump(mode="json")
    assert [i["remaining"] for i in status["items"]] == ["0.000", "0.000"]
    assert status["utilisations"][1]["fully_utilised"] is True


def test_remaining_is_zero_on_every_item_once_fully_utilised() -> None:
    # A certificate with an untracked item becomes fully utilised only by a whole claim; what a rule of the
    # chain ended shows nothing remaining, whatever the partial claims before it left.
    status = (
        derive_status(doc(items=MIXED), [accepted((GLOVES, 500_000)), accepted()], None, NOW)
        .answer()
        .model_dump(mode="json")
    )
    assert [i["remaining"] for i in status["items"]] == ["0.000", "0.000", None]


def test_a_certificate_with_no_item_quantity_is_claimed_whole() -> None:
    d = doc(items=((0, None), (0, None)))
    status = derive_status(d, [accepted(declaration="SG-IMP-1")], None, NOW).answer().model_dump(mode="json")
    assert status["state"] == "accepted"
    assert status["utilisations"][0]["claims"] == [] and status["utilisations"][0]["whole_certificate"]
    assert [i["total"] for i in status["items"]] == [None, None]


def test_a_claim_naming_an_item_the_row_does_not_have_is_shown_not_counted() -> None:
    # The chain refuses such a claim; should a row and an event ever disagree, nothing raises and no other
    # item's count changes.
    status = (
        derive_status(doc(items=MIXED), [accepted((7, 1_000))], None, NOW).answer().model_dump(mode="json")
    )
    assert status["utilisations"][0]["claims"] == [
        {"item": 8, "unit": None, "quantity": "1.000", "remaining": None}
    ]
    assert [i["claimed"] for i in status["items"]] == ["0.000", "0.000", None]


def test_a_manifest_without_items_has_an_empty_item_list() -> None:
    status = (
        derive_status(doc(items=()), [accepted(declaration="SG-IMP-1")], None, NOW)
        .answer()
        .model_dump(mode="json")
    )
    assert status["items"] == [] and status["state"] == "accepted"

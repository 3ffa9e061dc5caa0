"""The document state machine (services/lifecycle.py): a pure function of the anchored facts and events."""

from __future__ import annotations

from typing import Any

import pytest
from origo_node.services.lifecycle import derive_status, quantity_of, thousandths
from origo_node.store.rows import DocumentEvent, IndexedDocument

NOW = 1_800_000_000
_log = iter(range(1_000_000))


def doc(quantity: int = 0, expires_at: int = 0) -> IndexedDocument:
    return IndexedDocument(
        document_id="0x" + "11" * 32, document_type="0x" + "22" * 32, digest="0x" + "33" * 32,
        issuer="VN", importer="SG", issued_at=NOW - 86_400, expires_at=expires_at, quantity=quantity,
        payload_cid="bafy", signature="0x", signer="0xabc", root="0x" + "44" * 32, block=10,
        tx_hash="0x" + "55" * 32, timestamp=NOW - 3600, type_name="atiga-form-d", type_version="1",
        quantity_unit="KGM", recipients=("VN", "SG"),
    )  # fmt: skip


def event(kind: str, member: str | None = None, **fields: Any) -> DocumentEvent:
    """An event caused by the member the rules allow (the issuer VN or the importer SG) unless ``member``."""
    n = next(_log)
    by_issuer = kind in ("revoked", "superseded", "verification_answered")
    return DocumentEvent(
        block=20 + n, log_index=n, tx_hash="0x" + "66" * 32, document_id="0x" + "11" * 32, issuer="VN",
        kind=kind, member=member or ("VN" if by_issuer else "SG"), account="0xdef", timestamp=NOW - 60,
        fields=fields,
    )  # fmt: skip


def accepted(quantity: int, remaining: int) -> DocumentEvent:
    return event(
        "accepted", declaration="D", quantity=quantity, remaining=remaining, fullyUtilised=remaining == 0
    )


def state(document: IndexedDocument, *events: DocumentEvent, now: float = NOW) -> str:
    return str(derive_status(document, list(events), None, now)["state"])


def test_a_fresh_document_is_valid_until_it_expires() -> None:
    assert state(doc(expires_at=NOW + 1)) == "valid"
    assert state(doc(expires_at=NOW)) == "expired"
    assert state(doc(expires_at=0), now=NOW * 10) == "valid"  # 0: never expires


def test_claims_make_it_partially_then_fully_accepted() -> None:
    d = doc(quantity=10_000)
    assert state(d, accepted(4_000, 6_000)) == "partially_accepted"
    assert state(d, accepted(4_000, 6_000), accepted(6_000, 0)) == "accepted"
    status = derive_status(d, [accepted(4_000, 6_000)], None, NOW)
    assert status["quantity"] == {"total": "10.000", "claimed": "4.000", "remaining": "6.000", "unit": "KGM"}


REVOKED = ("revoked", {"reasonCode": 1, "reason": "x"})
REJECTED = ("rejected", {"reasonCode": 2, "reason": ""})
SUPERSEDED = ("superseded", {"replacementId": "0x" + "77" * 32})
ASKED = ("verification_requested", {"reason": "?"})
ANSWERED = ("verification_answered", {"confirmed": True, "reason": ""})


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        ([REVOKED, REJECTED], "revoked"),
        ([SUPERSEDED, REJECTED], "superseded"),
        ([REJECTED, ASKED], "rejected"),
        ([ASKED], "under_verification"),
        ([ASKED, ANSWERED], "valid"),
    ],
)
def test_what_outranks_what(events: list[tuple[str, dict[str, Any]]], expected: str) -> None:
    assert state(doc(), *(event(kind, **fields) for kind, fields in events)) == expected


def test_revocation_outranks_a_full_claim_and_expiry() -> None:
    d = doc(quantity=1_000, expires_at=NOW - 1)
    assert state(d, accepted(1_000, 0), event("revoked", reasonCode=3, reason="fraud")) == "revoked"
    assert state(d, accepted(1_000, 0)) == "accepted"


def test_a_verification_answer_is_reported_with_its_request() -> None:
    status = derive_status(
        doc(),
        [
            event("verification_requested", reason="origin?"),
            event("verification_answered", confirmed=False, reason="no"),
        ],
        None,
        NOW,
    )
    assert status["verification"]["state"] == "not_confirmed"
    assert (status["verification"]["request_reason"], status["verification"]["answer_reason"]) == (
        "origin?",
        "no",
    )


def test_quantities_are_shown_in_thousandths() -> None:
    assert thousandths(1) == "0.001" and thousandths(250_500) == "250.500"
    assert quantity_of(0, 0, "KGM") is None
    assert quantity_of(1_000, 2_000, None) == {
        "total": "1.000",
        "claimed": "2.000",
        "remaining": "0.000",
        "unit": None,
    }


def test_an_event_caused_by_a_member_without_the_right_is_no_state() -> None:
    # TH is neither the issuer nor the importer: its "revocation" or "claim" never changes the document.
    assert state(doc(), event("revoked", member="TH", reasonCode=1, reason="x")) == "valid"
    assert state(doc(quantity=1_000), event("accepted", member="VN", declaration="D", quantity=1_000,
                                            remaining=0, fullyUtilised=True)) == "valid"  # fmt: skip

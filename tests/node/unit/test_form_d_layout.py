"""The Form D layout and its PDF, from the sample certificates (no node needed)."""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from typing import Any

import pytest
from origo_api.desk_answers import FormD
from origo_api.states import DocumentState
from origo_node.services.document_status import ClaimedItem, RecordedReason, Utilisation
from origo_node.web import form_d_pdf
from origo_node.web.form_d_model import FormDLayout
from origo_node.web.form_d_page import layout
from origo_node.web.form_d_pdf import render_pdf
from support.network import sample
from support.statuses import status as a_status


def boxes(laid_out: FormDLayout) -> dict[int, dict[str, Any]]:
    """The boxes as the API's answer shows them (what the page draws)."""
    return {box["number"]: box for box in laid_out.answer().model_dump(mode="json")["boxes"]}


def used(declaration: str, *claims: tuple[int, str, str, str], whole: bool = False) -> Utilisation:
    """A utilisation taking ``(item, unit, quantity, remaining)`` of each item."""
    return Utilisation(
        declaration=declaration,
        claims=tuple(ClaimedItem(item=i, unit=u, quantity=q, remaining=r) for i, u, q, r in claims),
        whole_certificate=whole,
        fully_utilised=False,
        block=7,
        tx="0x" + "03" * 32,
        at="2026-12-06T10:00:00Z",
    )


def test_the_13_boxes_carry_the_certificate_as_the_paper_form_does() -> None:
    doc = sample("form-d/th-my-autoparts.json")
    status = a_status(DocumentState.PARTIALLY_ACCEPTED, utilisations=(used("MY-IMP-7", whole=True),))
    laid_out = layout(doc, status)
    by_number = boxes(laid_out)
    assert sorted([*by_number, *(c.number for c in laid_out.items.columns)]) == list(range(1, 14))
    assert laid_out.issued_in == "THAILAND" and laid_out.title[-1] == "FORM D"
    assert by_number[1]["lines"][-1] == "THAILAND" and by_number[2]["lines"][-1] == "MALAYSIA"
    assert "Port of Discharge: Bukit Kayu Hitam (road border), Malaysia (MYBKH)" in by_number[3]["lines"]
    assert [c["checked"] for c in by_number[4]["checks"]] == [True, False]
    assert by_number[4]["lines"] == ["Claimed by import declaration MY-IMP-7: in full"]
    first, second = laid_out.items.rows
    assert first[3] == '"RVC 40%"' and first[4] == "4,120.5 KG G.W.\nFOB USD 61,200.00"  # FOB where RVC
    assert second[4] == "1,310 KG G.W." and first[5] == "SGP-INV-77120\n2026-11-19"
    ticked = [c["label"] for c in by_number[13]["checks"] if c["checked"]]
    assert ticked == ["Third Country Invoicing"]
    assert by_number[13]["lines"] == ["Invoiced by Siam Precision Trading (Singapore) Pte. Ltd., SINGAPORE"]
    assert (
        "produced in THAILAND" in by_number[11]["lines"][0]
        and "exported to MALAYSIA" in by_number[11]["lines"][0]
    )


@pytest.mark.parametrize(
    ("member", "value"),
    [("items", 5), ("items", "abc"), ("flags", ["exhibition"]), ("declaration", "signed"), ("exporter", 7)],
)
def test_a_box_filled_with_another_kind_of_value_stays_empty(member: str, value: object) -> None:
    """A payload its issuer signed and anchored may be any JSON (its facts then do not match): the form is
    laid out all the same, the box left empty, never a server error."""
    doc = copy.deepcopy(sample("form-d/th-my-autoparts.json"))
    doc["items"][0]["quantity"] = "many"  # an item's member too
    doc[member] = value

    by_number = boxes(layout(doc, None))

    assert sorted(by_number) == [1, 2, 3, 4, 11, 12, 13]
    if member == "exporter":
        assert by_number[1]["lines"] == []
    if member == "flags":
        assert not any(check["checked"] for check in by_number[13]["checks"])


def test_box_4_shows_what_each_claim_took_of_each_item() -> None:
    status = a_status(
        DocumentState.ACCEPTED,
        utilisations=(
            used("TH-IMP-0001", (2, "PCE", "40.000", "8960.000")),
            used("TH-IMP-0002", (1, "PR", "3000.000", "9000.000"), (2, "PCE", "60.000", "8900.000")),
            used("TH-IMP-0003", (1, "PR", "9000.000", "0.000"), (2, "PCE", "8900.000", "0.000"), whole=True),
        ),
    )
    box4 = boxes(layout(sample("form-d/my-th-gloves.json"), status))[4]
    assert [c["checked"] for c in box4["checks"]] == [True, False]
    assert box4["lines"] == [
        "Claimed by import declaration TH-IMP-0001: 40.000 PCE of item 2",
        "Claimed by import declaration TH-IMP-0002: 3,000.000 PR of item 1; 60.000 PCE of item 2",
        "Claimed by import declaration TH-IMP-0003: "
        "in full (9,000.000 PR of item 1; 8,900.000 PCE of item 2)",
    ]
    pdf = render_pdf(layout(sample("form-d/my-th-gloves.json"), status), "printed for a test")
    assert pdf.startswith(b"%PDF-")


def test_a_rejection_fills_box_4_with_its_reason() -> None:
    rejection = RecordedReason(
        reason_code=2,
        label="Origin criterion not met",
        reason="RVC not shown",
        block=8,
        tx="0x" + "04" * 32,
        at="2026-12-06T11:00:00Z",
    )
    status = a_status(DocumentState.REJECTED, rejection=rejection)
    box4 = boxes(layout(sample("form-d/id-ph-palm-oil.json"), status))[4]
    assert [c["checked"] for c in box4["checks"]] == [False, True]
    assert box4["lines"] == ["Not given: Origin criterion not met: RVC not shown"]


def test_the_layout_is_the_form_d_answer_the_page_draws() -> None:
    """``answer`` is the Form D answer: it passes the API's model, tick boxes only in boxes 4 and 13, the
    mark as JSON, and ``printed`` once the node prints it."""
    revocation = RecordedReason(
        reason_code=3, label=None, reason="HS 0901.21", block=8, tx="0x" + "05" * 32, at=None
    )
    laid_out = layout(
        sample("form-d/vn-sg-coffee.json"), a_status(DocumentState.REVOKED, revocation=revocation)
    )
    shown = laid_out.answer().model_dump(mode="json")
    assert FormD.model_validate(shown).model_dump(mode="json") == shown
    assert [box["checks"] is not None for box in shown["boxes"]] == [
        False,
        False,
        False,
        True,
        False,
        False,
        True,
    ]
    assert shown["mark"] == {
        "word": "REVOKED",
        "tone": "bad",
        "lines": [
            "Revoked by the issuing authority: reason 3: HS 0901.21.",
            "Not valid for preferential treatment.",
        ],
    }
    assert (
        shown["state"] == "revoked" and shown["document_id"] == "0x" + "ab" * 32 and shown["printed"] is None
    )
    assert (
        replace(laid_out, printed="Printed in a test.").answer().model_dump(mode="json")["printed"]
        == "Printed in a test."
    )
    assert laid_out.box(4).checks is not None and laid_out.box(4).lines[0].startswith("NOT USABLE (REVOKED)")
    with pytest.raises(KeyError):
        laid_out.box(7)  # boxes 5-10 are the item table's columns


@pytest.mark.parametrize("name", ["vn-sg-coffee", "th-my-autoparts", "id-ph-palm-oil", "my-th-gloves"])
def test_every_sample_prints_as_a_one_page_pdf(name: str) -> None:
    pdf = render_pdf(layout(sample(f"form-d/{name}.json"), None), "printed for a test")
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1


def test_many_items_continue_on_further_pages() -> None:
    doc = copy.deepcopy(sample("form-d/vn-sg-coffee.json"))
    doc["items"] = [dict(doc["items"][0], itemNumber=n) for n in range(1, 31)]
    pdf = render_pdf(layout(doc, None), "printed for a test")
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) >= 3


def test_without_a_unicode_font_letters_outside_latin_1_become_question_marks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(form_d_pdf, "_FONT_CANDIDATES", ("/nonexistent.ttf",))
    doc = copy.deepcopy(sample("form-d/vn-sg-coffee.json"))
    doc["exporter"]["name"] = "Công ty Cà phê Tây Nguyên"
    pdf = render_pdf(layout(doc, None), "printed for a test")
    assert pdf.startswith(b"%PDF-") and b"Helvetica" in pdf

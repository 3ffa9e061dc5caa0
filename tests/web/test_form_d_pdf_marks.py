"""The Form D PDF as an officer reads it: its text, read back with pypdf.

A revoked, superseded or not confirmed certificate says so in large letters with what happened and when, and
box 4 says it is not usable; package kinds and ports are named in words; marks and numbers stay whole.
"""

from __future__ import annotations

import copy
import io
from typing import Any

import pytest
from origo_api.states import DocumentState
from origo_node.services.document_status import DocumentStatus, RecordedReason, Replacement, Verification
from origo_node.web.form_d_page import layout, packages, port
from origo_node.web.form_d_pdf import render_pdf
from pypdf import PdfReader
from support.network import sample
from support.statuses import status

REVOKED = status(
    DocumentState.REVOKED,
    revocation=RecordedReason(
        reason_code=3,
        label="wrong HS code or description of the goods",
        reason="HS 4015.19, not 4015.11",
        block=9,
        tx="0x" + "01" * 32,
        at="2026-12-06T10:00:00Z",
    ),
)
SUPERSEDED = status(
    DocumentState.SUPERSEDED,
    superseded_by="0x" + "cd" * 32,
    replacement=Replacement("MY-PEN-2026-000778"),
    superseded_at="2026-12-05T08:00:00Z",
)
NOT_CONFIRMED = status(
    DocumentState.NOT_CONFIRMED,
    verification=Verification(
        state="not_confirmed",
        request_reason=None,
        requested_at=None,
        answer_reason="no such producer",
        block=9,
        tx="0x" + "02" * 32,
        at="2026-12-04T12:00:00Z",
    ),
)
VALID = status(DocumentState.VALID)


def text_of(shown: DocumentStatus | None, doc: dict[str, Any] | None = None) -> str:
    pdf = render_pdf(layout(doc or sample("form-d/my-th-gloves.json"), shown), "Printed in a test.")
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("shown", "word", "facts"),
    [
        (
            REVOKED,
            "REVOKED",
            "Revoked by the issuing authority on 6 December 2026: wrong HS code or description",
        ),
        (
            SUPERSEDED,
            "SUPERSEDED",
            "Replaced by the issuing authority on 5 December 2026 with certificate MY-PEN",
        ),
        (
            NOT_CONFIRMED,
            "NOT CONFIRMED",
            "Not confirmed by the issuing authority on 4 December 2026: no such",
        ),
    ],
)
def test_a_certificate_that_cannot_be_used_says_so_across_the_form(
    shown: DocumentStatus, word: str, facts: str
) -> None:
    text = text_of(shown)
    lines = [line.strip() for line in text.splitlines()]
    assert lines[0] == word  # the banner's word opens the page
    assert lines.count(word) >= 2  # and the stamp across the form repeats it
    assert facts in flat(text)
    assert "Not valid for preferential treatment." in flat(text)
    assert f"NOT USABLE ({word}):" in flat(text)  # box 4, where the officer at import looks


def test_the_replacements_reference_is_on_the_paper() -> None:
    assert "MY-PEN-2026-000778: use the replacement" in flat(text_of(SUPERSEDED))


def test_a_valid_certificate_carries_no_mark() -> None:
    text = flat(text_of(VALID))
    for word in ("REVOKED", "SUPERSEDED", "NOT CONFIRMED", "NOT USABLE", "Not valid for preferential"):
        assert word not in text


def test_a_certificate_stamped_on_every_page() -> None:
    doc = copy.deepcopy(sample("form-d/my-th-gloves.json"))
    doc["items"] = [{**doc["items"][0], "itemNumber": n} for n in range(1, 16)]  # more than a page holds
    reader = PdfReader(io.BytesIO(render_pdf(layout(doc, REVOKED), "Printed in a test.")))
    assert len(reader.pages) >= 2
    assert all("REVOKED" in page.extract_text() for page in reader.pages)


def test_package_kinds_and_ports_are_named_in_words() -> None:
    text = flat(text_of(VALID))
    assert "400 cartons (CT) of Nitrile examination gloves" in text
    assert "Port of Loading: Penang, Malaysia (MYPEN)" in text
    assert "Port of Discharge: Laem Chabang, Thailand (THLCH)" in text
    assert packages(1, "VL") == "1 bulk, liquid (VL)" and packages(2, "BX") == "2 boxes (BX)"
    assert packages(3, "ZZ") == "3 ZZ"  # a kind not on the list is printed as it is
    assert port("VNXXX") == "VNXXX (Viet Nam)" and port("SGSIN") == "Singapore, Singapore (SGSIN)"


def test_marks_and_invoice_numbers_do_not_wrap_mid_word() -> None:
    words = text_of(VALID).split()
    assert words.count("PLP-INV-26-1187") == 2  # each item's invoice number whole, on one line
    # A mark too long for its column breaks only after a "/" or "-", never inside a run of letters or digits.
    marks = [word for word in words if word.startswith("CPMS")]
    assert len(marks) == 2 and all(word.endswith(("/", "-")) or word.count("/") == 3 for word in marks)
    assert "001-400" in words or "CPMS/TH/2026/001-400" in words

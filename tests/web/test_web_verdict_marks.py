"""What a person sees of a certificate that cannot be used, in a real headless Chromium against real nodes.

The verification page's checks agree with its verdict (no green ticks, nothing "left" to claim on a revoked or
not confirmed certificate); the status slip and the Form D page carry a large mark with what happened and
when. With ORIGO_KEEP_SCREENSHOTS=DIR each state's page is saved there, to be looked at.
"""

from __future__ import annotations

import copy
import io
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from origo_devnet.network import MemberNode, Network
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from support.network import sample, wait_for, wait_state

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.xdist_group("network")]


def shot(page: Page, name: str) -> None:
    folder = os.environ.get("ORIGO_KEEP_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder, f"{name}.png")), full_page=True)


def officer(node: MemberNode) -> dict[str, str]:
    return {"Authorization": f"Bearer {node.officer_key}"}


def issue(vn: MemberNode, sg: MemberNode) -> tuple[str, dict[str, Any]]:
    doc = copy.deepcopy(sample("form-d/vn-sg-coffee.json"))
    doc["referenceNumber"] = f"VN-MARK-{uuid.uuid4().hex[:8].upper()}"
    answer = httpx.post(f"{vn.url}/api/v1/documents", json=doc, headers=officer(vn), timeout=30)
    assert answer.status_code == 202, answer.text
    doc_id = str(answer.json()["document_id"])
    for node in (sg, vn):  # each indexes on its own time: VN acts on it, SG shows it
        wait_state(node, doc_id, {"valid"})
    return doc_id, doc


def act(node: MemberNode, doc_id: str, action: str, body: dict[str, Any]) -> None:
    answer = httpx.post(
        f"{node.url}/api/v1/documents/VN:{doc_id}/{action}", json=body, headers=officer(node), timeout=30
    )
    assert answer.status_code == 200, answer.text


def checks_and_items(page: Page) -> tuple[int, int, str]:
    """Green ticks, neutral (held) checks, and the items' text on the card."""
    ticks = page.locator("#checks li.ok").count()
    held = page.locator("#checks li.held").count()
    return ticks, held, page.locator("#facts").inner_text()


def test_the_page_and_the_slip_agree_with_the_verdict(page: Page, network: Network) -> None:
    vn, sg, th = network.members["VN"], network.members["SG"], network.members["TH"]
    valid, doc = issue(vn, sg)
    ref = f"VN:{doc['referenceNumber']}"
    page.goto(f"{th.url}/?id={ref}")
    expect(page.locator("#result")).to_have_attribute("data-verdict", "valid")
    ticks, held, facts = checks_and_items(page)
    assert ticks >= 3 and held == 0 and "left of" in facts  # a valid certificate: green, and what is left
    shot(page, "page-valid")

    act(vn, valid, "revoke", {"reason_code": 3, "reason": "HS 0901.21, not 0901.11"})
    wait_state(th, valid, {"revoked"})
    page.goto(f"{th.url}/?id={ref}")
    expect(page.locator("#result")).to_have_attribute("data-verdict", "revoked")
    ticks, held, facts = checks_and_items(page)
    assert ticks == 0 and held >= 3  # the checks held, and are shown as facts, not as green lights
    assert "left of" not in facts and "cannot be claimed (revoked)" in facts
    expect(page.locator("#checks")).to_contain_text("Anchored on the chain: yes")
    shot(page, "page-revoked")

    page.goto(f"{th.url}/print/{ref}")
    expect(page.locator(".mark .mark-word")).to_have_text("REVOKED")
    expect(page.locator(".mark")).to_contain_text("wrong HS code or description of the goods: HS 0901.21")
    expect(page.locator(".stamp span")).to_be_visible()
    expect(page.locator(".ident")).to_have_text(ref)  # the slip names the reference it was printed by
    assert "left of" not in page.locator(".facts").inner_text()
    qr = page.locator(".qr a").get_attribute("href") or ""
    assert f"id=VN%3A{doc['referenceNumber']}" in qr  # the QR opens the page on the reference
    shot(page, "print-revoked")

    by_id = page.goto(f"{th.url}/print/{valid}")
    assert by_id is not None and by_id.ok
    qr = page.locator(".qr a").get_attribute("href") or ""
    assert f"id=VN%3A{valid}" in qr  # printed by id: the QR names the document with its issuer
    expect(page.locator(".mark .mark-word")).to_have_text("REVOKED")
    shot(page, "print-revoked-by-id")


def test_under_verification_and_not_confirmed_on_the_page_and_the_form(page: Page, network: Network) -> None:
    vn, sg = network.members["VN"], network.members["SG"]
    doc_id, doc = issue(vn, sg)
    ref = f"VN:{doc['referenceNumber']}"
    act(sg, doc_id, "verification-request", {"reason": "producer unknown"})
    wait_state(vn, doc_id, {"under_verification"})
    page.goto(f"{vn.url}/?id={ref}")
    expect(page.locator("#result")).to_have_attribute("data-verdict", "under_verification")
    expect(page.locator("#message")).to_contain_text("the preference is suspended")
    ticks, _, facts = checks_and_items(page)
    assert ticks == 0 and "left of" not in facts and "producer unknown" in facts
    shot(page, "page-under-verification")

    act(vn, doc_id, "verification-answer", {"confirmed": False, "reason": "no such producer"})
    wait_state(sg, doc_id, {"not_confirmed"})
    page.goto(f"{sg.url}/?id={ref}")
    expect(page.locator("#result")).to_have_attribute("data-verdict", "not_confirmed")
    expect(page.locator("#verdict")).to_have_text("Not confirmed by the issuing authority")
    expect(page.locator("#message")).to_contain_text("no such producer")
    expect(page.locator("#message")).to_contain_text("cannot be used for the preference")
    ticks, _, facts = checks_and_items(page)
    assert ticks == 0 and "NOT confirmed on" in facts and "left of" not in facts
    shot(page, "page-not-confirmed")

    def readable() -> bool:
        return httpx.get(
            f"{sg.url}/api/v1/documents/{doc_id}/payload",
            headers={"Authorization": f"Bearer {sg.auditor_key}"},
            timeout=10,
        ).is_success

    wait_for(readable, 30, "SG to read the payload")
    page.goto(f"{sg.url}/form-d?key={ref}")
    page.fill("#apikey", sg.auditor_key)
    page.click("button[type=submit]")
    expect(page.locator("#mark-word")).to_have_text("NOT CONFIRMED")
    expect(page.locator("#mark-lines")).to_contain_text("no such producer")
    expect(page.locator("#stamp")).to_be_visible()
    expect(page.locator('[data-box="4"]')).to_contain_text("NOT USABLE (NOT CONFIRMED)")
    expect(page.locator('[data-box="3"]')).to_contain_text("Ho Chi Minh City, Viet Nam (VNSGN)")
    shot(page, "form-d-not-confirmed")

    pdf = httpx.get(
        f"{sg.url}/api/v1/documents/{ref}/form-d.pdf",
        headers={"Authorization": f"Bearer {sg.auditor_key}"},
        timeout=30,
    )
    assert pdf.status_code == 200
    text = " ".join(page_.extract_text() for page_ in PdfReader(io.BytesIO(pdf.content)).pages)
    assert text.split()[:2] == ["NOT", "CONFIRMED"] and "no such producer" in text
    folder = os.environ.get("ORIGO_KEEP_SCREENSHOTS")
    if folder:
        Path(folder, "form-d-not-confirmed.pdf").write_bytes(pdf.content)


def test_a_superseded_form_d_names_its_replacement(page: Page, network: Network) -> None:
    vn, sg = network.members["VN"], network.members["SG"]
    old, _ = issue(vn, sg)
    replacement = copy.deepcopy(sample("form-d/vn-sg-coffee.json"))
    replacement["referenceNumber"] = f"VN-MARK-{uuid.uuid4().hex[:8].upper()}"
    answer = httpx.post(
        f"{vn.url}/api/v1/documents/VN:{old}/supersede", json=replacement, headers=officer(vn), timeout=30
    )
    assert answer.status_code == 202, answer.text
    wait_state(vn, old, {"superseded"}, timeout=60)
    page.goto(f"{vn.url}/form-d?key={old}")
    page.fill("#apikey", vn.auditor_key)
    page.click("button[type=submit]")
    expect(page.locator("#mark-word")).to_have_text("SUPERSEDED")
    expect(page.locator("#mark-lines")).to_contain_text(replacement["referenceNumber"])
    shot(page, "form-d-superseded")

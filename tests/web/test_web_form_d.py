"""The certificate itself: the printable ATIGA Form D and its PDF, in a real headless Chromium against real
nodes. Only officers and auditors of the members concerned see the content; the status slip stays public."""

from __future__ import annotations

import copy
import json
import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from origo_devnet.network import MemberNode, Network
from playwright.sync_api import Page, expect
from support.network import sample, wait_state

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.xdist_group("network")]
EXPORTER = "Công ty TNHH Cà phê Tây Nguyên"  # Vietnamese letters must survive into the page and the PDF


@pytest.fixture(scope="module")
def certificate(network: Network) -> tuple[str, dict[str, Any]]:
    doc = copy.deepcopy(sample("form-d/vn-sg-coffee.json"))
    doc["referenceNumber"] = f"VN-FORMD-{uuid.uuid4().hex[:8].upper()}"
    doc["exporter"]["name"] = EXPORTER
    vn = network.members["VN"]
    answer = httpx.post(
        f"{vn.url}/api/v1/documents", json=doc, headers={"Authorization": f"Bearer {vn.officer_key}"}
    )
    assert answer.status_code == 202, answer.text
    doc_id = str(answer.json()["document_id"])
    sg = network.members["SG"]
    wait_state(sg, doc_id, {"valid"})

    def readable() -> bool:
        return httpx.get(
            f"{sg.url}/api/v1/documents/{doc_id}/payload",
            headers={"Authorization": f"Bearer {sg.auditor_key}"},
        ).is_success

    from support.network import wait_for

    wait_for(readable, 30, "SG to read the payload")
    return doc_id, doc


def open_form(page: Page, node: MemberNode, key: str, api_key: str) -> None:
    page.goto(f"{node.url}/form-d?key={key}")
    page.fill("#apikey", api_key)
    page.click("button[type=submit]")


def test_an_importing_auditor_prints_the_form_d_with_its_13_boxes(
    page: Page, network: Network, certificate: tuple[str, dict[str, Any]], tmp_path: Path
) -> None:
    doc_id, doc = certificate
    sg = network.members["SG"]
    open_form(page, sg, f"VN:{doc['referenceNumber']}", sg.auditor_key)
    expect(page.locator("#form")).to_be_visible()
    expect(page.locator("#reference")).to_have_text(doc["referenceNumber"])
    expect(page.locator("#issued-in")).to_have_text("VIET NAM")
    expect(page.locator(".title .form-name")).to_have_text("FORM D")
    for number in (1, 2, 3, 4, 11, 12, 13):
        expect(page.locator(f'[data-box="{number}"] h2')).to_contain_text(f"{number}.")
    expect(page.locator('[data-box="1"]')).to_contain_text(EXPORTER)
    expect(page.locator('[data-box="2"]')).to_contain_text("Straits Roasters Pte. Ltd.")
    expect(page.locator('[data-box="3"]')).to_contain_text("MSC ISABELLA V.2647S")
    heads = page.locator("#item-heads th")
    expect(heads).to_have_count(6)
    expect(heads.first).to_have_text("5. Item number")
    row = page.locator("#item-rows tr").first.locator("td")
    expect(row.nth(2)).to_contain_text("320 bags (BG) of Robusta coffee beans")
    expect(row.nth(2)).to_contain_text("19,200 KGM; HS 0901.11")
    expect(row.nth(3)).to_have_text('"WO"')
    expect(row.nth(4)).to_have_text("19,350 KG G.W.")
    expect(page.locator('[data-box="11"]')).to_contain_text("produced in VIET NAM")
    expect(page.locator('[data-box="12"]')).to_contain_text("Ho Chi Minh City, 2026-11-19")
    # Box 13: nothing ticked on this certificate; box 4: not claimed yet.
    expect(page.locator('[data-box="13"] .tick', has_text="X")).to_have_count(0)
    expect(page.locator('[data-box="13"] .check')).to_have_count(7)
    expect(page.locator('[data-box="4"] .tick', has_text="X")).to_have_count(0)
    expect(page.locator("#printed")).to_contain_text(doc_id)
    page.screenshot(path=str(tmp_path / "form-d.png"), full_page=True)
    if os.environ.get("ORIGO_KEEP_SCREENSHOTS"):
        page.screenshot(path=os.environ["ORIGO_KEEP_SCREENSHOTS"] + "/form-d.png", full_page=True)

    with page.expect_download() as waiting:
        page.click("#pdf")
    download = waiting.value
    assert download.suggested_filename == f"Form-D-{doc['referenceNumber']}.pdf"
    pdf = Path(download.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert b"DejaVu" in pdf or b"Helvetica" in pdf  # a font is embedded or named
    if os.environ.get("ORIGO_KEEP_SCREENSHOTS"):
        Path(os.environ["ORIGO_KEEP_SCREENSHOTS"], "form-d.pdf").write_bytes(pdf)


def test_a_member_not_concerned_sees_no_content_and_is_told_why(
    page: Page, network: Network, certificate: tuple[str, dict[str, Any]]
) -> None:
    doc_id, _ = certificate
    th = network.members["TH"]
    open_form(page, th, doc_id, th.auditor_key)
    expect(page.locator("#problem")).to_contain_text("not encrypted for TH")
    expect(page.locator("#form")).to_be_hidden()
    open_form(page, th, doc_id, "not-a-key")
    expect(page.locator("#problem")).to_have_text("The key is not valid: give your officer or auditor key.")


def test_the_form_d_api_needs_a_key_and_a_form_d(
    network: Network, certificate: tuple[str, dict[str, Any]]
) -> None:
    doc_id, _ = certificate
    vn = network.members["VN"]
    assert httpx.get(f"{vn.url}/api/v1/documents/{doc_id}/form-d.pdf").status_code == 401
    officer = {"Authorization": f"Bearer {vn.officer_key}"}
    pdf = httpx.get(f"{vn.url}/api/v1/documents/{doc_id}/form-d.pdf", headers=officer)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment; filename=")
    laid_out = httpx.get(f"{vn.url}/api/v1/documents/{doc_id}/form-d", headers=officer).json()
    assert [b["number"] for b in laid_out["boxes"]] == [1, 2, 3, 4, 11, 12, 13]
    manifest = copy.deepcopy(sample("manifest/vn-sg-vessel.json"))
    manifest["referenceNumber"] = f"MAN-{uuid.uuid4().hex[:8].upper()}"
    issued = httpx.post(f"{vn.url}/api/v1/documents", json=manifest, headers=officer)
    assert issued.status_code == 202, issued.text
    manifest_id = issued.json()["document_id"]
    wait_state(vn, manifest_id, {"valid"})
    refused = httpx.get(f"{vn.url}/api/v1/documents/{manifest_id}/form-d", headers=officer)
    assert refused.status_code == 422 and "not an ATIGA Form D" in refused.json()["detail"]
    # The public status slip is unchanged: public facts and the QR code, no content.
    slip = httpx.get(f"{vn.url}/print/{doc_id}")
    assert slip.status_code == 200 and "<svg" in slip.text and EXPORTER not in slip.text
    assert json.loads(json.dumps(laid_out))["boxes"][0]["lines"][0] == EXPORTER

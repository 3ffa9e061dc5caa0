"""The verification page in a real headless Chromium against a real node: drop, pick or type, read."""

from __future__ import annotations

import copy
import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from origo_devnet.network import MemberNode, Network
from playwright.sync_api import Page, expect
from support.network import sample, wait_state

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.xdist_group("network")]


def certificate() -> dict[str, Any]:
    doc = copy.deepcopy(sample("form-d/vn-sg-coffee.json"))
    doc["referenceNumber"] = f"VN-WEB-{uuid.uuid4().hex[:10].upper()}"
    return doc


def issue(node: MemberNode, doc: dict[str, Any]) -> str:
    response = httpx.post(
        f"{node.url}/api/v1/documents",
        json=doc,
        headers={"Authorization": f"Bearer {node.officer_key}"},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    doc_id = str(response.json()["document_id"])
    wait_state(node, doc_id, {"valid"})
    return doc_id


@pytest.fixture(scope="module")
def anchored(network: Network, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, dict[str, Any]]:
    """A sample certificate issued by VN and anchored, and its file as the exporter holds it."""
    doc = certificate()
    doc_id = issue(network.members["VN"], doc)
    for node in network.members.values():
        wait_state(node, doc_id, {"valid"})
    path = tmp_path_factory.mktemp("web") / "certificate.json"
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False), encoding="utf-8")
    return doc_id, path, doc


def drop(page: Page, name: str, text: str) -> None:
    """Drops a file on the drop zone as a person dragging it from their desktop would."""
    transfer = page.evaluate_handle(
        """([name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name, { type: "application/json" }));
            return transfer;
        }""",
        [name, text],
    )
    page.dispatch_event("#drop", "dragenter", {"dataTransfer": transfer})
    page.dispatch_event("#drop", "drop", {"dataTransfer": transfer})


def card(page: Page, verdict: str) -> None:
    expect(page.locator("#result")).to_have_attribute("data-verdict", verdict)


def test_dropping_a_sample_shows_valid(
    page: Page, network: Network, anchored: tuple[str, Path, dict[str, Any]]
) -> None:
    doc_id, path, _ = anchored
    node = network.members["SG"]  # any member's page: the importer's here
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url))
    page.goto(node.url + "/")
    expect(page.locator("h1")).to_have_text("Check a certificate of origin")
    drop(page, path.name, path.read_text(encoding="utf-8"))
    card(page, "valid")
    expect(page.locator("#verdict")).to_have_text("Valid")
    facts = page.locator("#facts")
    expect(facts).to_contain_text(doc_id)
    expect(facts).to_contain_text("General Department of Vietnam Customs (VN)")
    expect(facts).to_contain_text("Singapore Customs (SG)")
    expect(facts).to_contain_text("2027-11-20")  # valid until
    expect(page.locator("#checks")).to_contain_text("Signed by the issuing authority")
    assert seen and all(url.startswith(node.url + "/") for url in seen), seen  # nothing leaves the node


def test_the_same_file_with_one_character_changed_shows_tampered(
    page: Page, network: Network, anchored: tuple[str, Path, dict[str, Any]]
) -> None:
    _, path, doc = anchored
    text = path.read_text(encoding="utf-8")
    changed = text.replace("screen 18", "screen 19", 1)
    assert changed != text and len(changed) == len(text)
    page.goto(network.members["VN"].url + "/")
    drop(page, path.name, changed)
    card(page, "tampered")
    expect(page.locator("#verdict")).to_have_text("Tampered")
    expect(page.locator("#checks")).to_contain_text("✗ The file is the anchored document")
    expect(page.locator("#facts")).to_contain_text(doc["referenceNumber"])


def test_an_unknown_id_shows_unknown(page: Page, network: Network) -> None:
    page.goto(network.members["TH"].url + "/")
    page.fill("#key", "0x" + uuid.uuid4().hex * 2)
    page.click("button[type=submit]")
    card(page, "unknown")
    expect(page.locator("#verdict")).to_have_text("Unknown")
    page.fill("#key", f"VN:VN-WEB-{uuid.uuid4().hex[:8]}")
    page.press("#key", "Enter")
    expect(page.locator("#message")).to_contain_text("No member issued a certificate with this reference.")


def test_picking_a_file_and_typing_a_reference(
    page: Page, network: Network, anchored: tuple[str, Path, dict[str, Any]]
) -> None:
    doc_id, path, doc = anchored
    page.goto(network.members["TH"].url + "/")
    page.set_input_files("#file", str(path))
    card(page, "valid")
    page.fill("#key", doc["referenceNumber"])  # a bare reference
    page.click("button[type=submit]")
    expect(page.locator("#facts")).to_contain_text(doc_id)
    card(page, "valid")
    assert re.search(r"[?&]id=", page.url)


def test_a_file_that_is_not_a_certificate_is_explained(page: Page, network: Network) -> None:
    page.goto(network.members["VN"].url + "/")
    drop(page, "notes.json", "this is not JSON")
    card(page, "error")
    expect(page.locator("#message")).to_contain_text("not a certificate file")
    drop(page, "list.json", "[1, 2, 3]")
    card(page, "error")
    expect(page.locator("#message")).to_contain_text("JSON object")


def test_revoked_and_superseded_cards(page: Page, network: Network) -> None:
    vn, sg = network.members["VN"], network.members["SG"]
    officer = {"Authorization": f"Bearer {vn.officer_key}"}
    revoked = issue(vn, certificate())
    answer = httpx.post(
        f"{vn.url}/api/v1/documents/VN:{revoked}/revoke",
        json={"reason_code": 5, "reason": "issued in error"},
        headers=officer, timeout=30,
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    wait_state(sg, revoked, {"revoked"})
    page.goto(f"{sg.url}/?id={revoked}")
    card(page, "revoked")
    expect(page.locator("#facts")).to_contain_text("false or fraudulent declaration: issued in error")

    old = issue(vn, certificate())
    answer = httpx.post(
        f"{vn.url}/api/v1/documents/VN:{old}/supersede", json=certificate(), headers=officer, timeout=30
    )
    assert answer.status_code == 202, answer.text
    new = answer.json()["document_id"]
    wait_state(sg, old, {"superseded"}, timeout=60)
    page.goto(f"{sg.url}/?id={old}")
    card(page, "superseded")
    page.click("text=check the replacement")
    card(page, "valid")
    expect(page.locator("#facts")).to_contain_text(new)


def test_print_view_has_a_qr_code_that_opens_the_page_on_the_certificate(
    page: Page, network: Network, anchored: tuple[str, Path, dict[str, Any]]
) -> None:
    doc_id, _, _ = anchored
    node = network.members["VN"]
    status = httpx.get(f"{node.url}/api/v1/documents/{doc_id}", timeout=10).json()
    page.goto(f"{node.url}/print/{doc_id}")
    expect(page.locator(".qr svg")).to_be_visible()
    link = page.locator(".qr a")
    url = link.get_attribute("href")
    # By id, the QR names the document with its issuer: a bare id could be another member's copy's too.
    assert url == f"{node.url}/?id=VN%3A{doc_id}&digest={status['digest']}"
    assert "key" not in url.lower()  # nothing secret in what the paper carries
    expect(page.locator(".state")).to_have_text("Valid")
    link.click()
    card(page, "valid")
    page.goto(f"{node.url}/?id={doc_id}&digest=0x{'ab' * 32}")  # a paper copy that does not match
    card(page, "tampered")
    missing = httpx.get(f"{node.url}/print/0x{'00' * 32}", timeout=10)
    assert missing.status_code == 404 and "Unknown document" in missing.text


def test_a_certificate_of_two_units_shows_what_remains_on_each_item(page: Page, network: Network) -> None:
    """Gloves in pairs and finger cots in pieces: the card and the printed slip speak per item, per unit."""
    vn, sg = network.members["VN"], network.members["SG"]
    doc = copy.deepcopy(sample("form-d/my-th-gloves.json"))
    doc.update(
        referenceNumber=f"VN-WEB-{uuid.uuid4().hex[:10].upper()}", issuedIn="VN", producingCountry="VN"
    )
    doc.update(importingCountry="SG")
    doc["exporter"]["country"], doc["consignee"]["country"] = "VN", "SG"
    doc_id = issue(vn, doc)
    wait_state(sg, doc_id, {"valid"})
    claimed = httpx.post(
        f"{sg.url}/api/v1/documents/VN:{doc_id}/accept",
        json={"declaration": "SG-WEB-40", "item": 2, "quantity": "40"},
        headers={"Authorization": f"Bearer {sg.officer_key}"},
        timeout=30,
    )
    assert claimed.status_code == 200, claimed.text
    wait_state(vn, doc_id, {"partially_accepted"})

    page.goto(f"{vn.url}/?id=VN:{doc['referenceNumber']}")
    card(page, "partially_accepted")
    facts = page.locator("#facts")
    expect(facts.locator("dt", has_text="Item 1")).to_have_count(1)
    expect(facts.locator("dt:text-is('Item 1') + dd")).to_have_text("12,000.000 PR left of 12,000.000 PR")
    expect(facts.locator("dt:text-is('Item 2') + dd")).to_have_text("8,960.000 PCE left of 9,000.000 PCE")
    expect(facts.locator("dt:text-is('Claimed at import') + dd")).to_have_text(
        "40.000 PCE of item 2 by declaration SG-WEB-40"
    )
    expect(facts).not_to_contain_text("undefined")

    page.goto(f"{vn.url}/print/{doc_id}")
    slip = page.locator(".facts")
    expect(slip.locator("dt:text-is('Item 2') + dd")).to_have_text("8,960.000 PCE left of 9,000.000 PCE")
    expect(slip.locator("dt:text-is('Item 1') + dd")).to_have_text("12,000.000 PR left of 12,000.000 PR")

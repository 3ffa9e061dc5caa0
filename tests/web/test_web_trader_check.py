"""The trader's check in a real headless Chromium against real nodes: references typed loosely, what an id
alone reveals, the two kinds of "unknown", a replacement named by reference, a used certificate not shown as
an error, and QR links from the node's configured address."""

from __future__ import annotations

import copy
import re
import uuid
from typing import Any

import httpx
import pytest
from origo_devnet.network import MemberNode, Network
from playwright.sync_api import Page, expect
from support.network import sample, wait_for, wait_state

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.xdist_group("network")]


def certificate(reference: str | None = None) -> dict[str, Any]:
    doc = copy.deepcopy(sample("form-d/vn-sg-coffee.json"))
    doc["referenceNumber"] = reference or f"VN-TRADER-{uuid.uuid4().hex[:8].upper()}"
    return doc


def issue(node: MemberNode, doc: dict[str, Any]) -> str:
    answer = httpx.post(
        f"{node.url}/api/v1/documents", json=doc, headers={"Authorization": f"Bearer {node.officer_key}"}
    )
    assert answer.status_code == 202, answer.text
    doc_id = str(answer.json()["document_id"])
    wait_state(node, doc_id, {"valid"})
    return doc_id


def check(page: Page, node: MemberNode, key: str) -> None:
    page.goto(node.url + "/")
    page.fill("#key", key)
    page.click("button[type=submit]")


def test_a_reference_typed_loosely_is_found_and_shown(page: Page, network: Network) -> None:
    vn, th = network.members["VN"], network.members["TH"]
    doc = certificate()
    doc_id = issue(vn, doc)
    wait_state(th, doc_id, {"valid"})
    reference = doc["referenceNumber"]
    loose = "  vn:" + reference.lower().replace("-", " - ", 1) + " "  # case never mattered; spaces did
    check(page, th, loose)  # a third member's node, which cannot read the payload
    expect(page.locator("#result")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("#facts")).to_contain_text(reference)
    expect(page.locator("#facts")).to_contain_text(doc_id)
    # By id alone: no reference, on any node, and in the public status too (unless this member's staff ask).
    check(page, vn, doc_id)
    expect(page.locator("#result")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("#facts")).not_to_contain_text(reference)
    assert doc["referenceNumber"] not in httpx.get(f"{th.url}/print/{doc_id}").text  # the public slip
    by_reference = httpx.get(f"{vn.url}/api/v1/documents/{reference.lower()}").json()
    assert by_reference["reference"] == reference and by_reference["document_id"] == doc_id
    by_id = httpx.get(f"{vn.url}/api/v1/verify/{doc_id}").json()
    assert by_id["reference"] is None and by_id["status"]["reference"] is None


def test_unknown_says_whether_it_is_not_a_key_or_not_issued(page: Page, network: Network) -> None:
    th = network.members["TH"]
    check(page, th, "<script>alert(1)</script>")
    expect(page.locator("#result")).to_have_attribute("data-verdict", "unknown")
    expect(page.locator("#message")).to_contain_text("This is not a certificate reference or id")
    check(page, th, f"VN:VN-NEVER-{uuid.uuid4().hex[:6]}")
    expect(page.locator("#message")).to_contain_text("No member issued a certificate with this reference")
    answer = httpx.get(f"{th.url}/api/v1/verify/0x{'ab' * 32}").json()
    assert answer["verdict"] == "unknown" and answer["unknown_reason"] == "no_such_id"


def test_replacement_by_reference_and_a_used_certificate_is_not_an_error(
    page: Page, network: Network
) -> None:
    vn, sg = network.members["VN"], network.members["SG"]
    officer = {"Authorization": f"Bearer {vn.officer_key}"}
    old_doc = certificate()
    old = issue(vn, old_doc)
    replacement = certificate()
    answer = httpx.post(f"{vn.url}/api/v1/documents/VN:{old}/supersede", json=replacement, headers=officer)
    assert answer.status_code == 202, answer.text
    wait_state(sg, old, {"superseded"}, timeout=60)
    wait_for(
        lambda: (
            httpx.get(
                f"{sg.url}/api/v1/documents/{answer.json()['document_id']}",
                headers={"Authorization": f"Bearer {sg.auditor_key}"},
            )
            .json()
            .get("reference")
        ),
        30,
        "SG to read the replacement",
    )
    check(page, sg, f"VN:{old_doc['referenceNumber']}")  # the importer's node knows the replacement
    expect(page.locator("#result")).to_have_attribute("data-verdict", "superseded")
    expect(page.locator("#message")).to_contain_text(
        f"replaced this certificate with {replacement['referenceNumber']}"
    )
    expect(page.locator("#facts")).to_contain_text(f"VN:{replacement['referenceNumber']}")

    used = issue(vn, certificate())
    wait_state(sg, used, {"valid"})
    accepted = httpx.post(
        f"{sg.url}/api/v1/documents/VN:{used}/accept",
        json={"declaration": f"SG-IMP-{uuid.uuid4().hex[:6]}"},
        headers={"Authorization": f"Bearer {sg.officer_key}"},
        timeout=60,
    )
    assert accepted.status_code == 200, accepted.text
    wait_state(sg, used, {"accepted"})
    check(page, sg, used)
    expect(page.locator("#result")).to_have_attribute("data-verdict", "accepted")
    expect(page.locator("#result")).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator("#result")).not_to_have_class(re.compile(r"\bbad\b"))


def test_the_qr_link_uses_the_configured_public_url_not_the_host_header(network: Network) -> None:
    vn = network.members["VN"]
    doc = certificate()
    doc_id = issue(vn, doc)
    slip = httpx.get(f"{vn.url}/print/VN:{doc['referenceNumber']}", headers={"Host": "evil.example"})
    assert slip.status_code == 200
    assert "evil.example" not in slip.text
    assert f"{vn.url}/?id=VN%3A{doc['referenceNumber']}&amp;digest=0x" in slip.text  # the reference, typed
    by_id = httpx.get(f"{vn.url}/print/{doc_id}").text
    # By id the public slip shows no reference (the id alone tells no more than the chain), and its QR names
    # the document with its issuer, never a bare id another member's copy could share.
    assert doc["referenceNumber"] not in by_id and f"{vn.url}/?id=VN%3A{doc_id}" in by_id


def test_a_reference_two_members_used_asks_which_and_never_picks_one(page: Page, network: Network) -> None:
    """TH, as a hostile member, anchors (and revokes) a certificate of its own under VN's reference."""
    from e2e.test_hostile_member import HostileMember  # the hostile member's own keys, outside its node
    from origo_node.documents import document_id as derive_id

    vn = network.members["VN"]
    doc = certificate()
    reference = doc["referenceNumber"]
    issue(vn, doc)
    hostile = HostileMember(network, "TH")
    hostile.revoke(*hostile.squat("0x" + derive_id("TH", reference).hex()))
    wait_state(vn, f"TH:{reference}", {"revoked"})
    check(page, vn, reference.lower())
    expect(page.locator("#result")).to_have_attribute("data-verdict", "ambiguous")
    expect(page.locator("#verdict")).to_have_text("Which certificate?")
    expect(page.locator("#message")).to_contain_text(f"TH:{reference}")
    links = page.locator("#links a.candidate")
    expect(links).to_have_count(2)
    expect(links.nth(0)).to_contain_text(f"TH:{reference}")
    expect(links.nth(1)).to_contain_text(f"VN:{reference}")
    links.nth(1).click()  # the trader picks the issuing country on the paper
    expect(page.locator("#result")).to_have_attribute("data-verdict", "valid")
    expect(page.locator("#message")).to_contain_text("was used by another member too")
    expect(page.locator("#facts")).to_contain_text(reference)

"""The page's routes on a real node: what is served, with which headers, and nothing outside its folder."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest
from origo_api.states import DocumentState
from origo_devnet.network import Network
from origo_node.services.document_status import RecordedReason
from origo_node.web.routes import print_body, verification_url
from support.statuses import status

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("network")]


def test_page_and_static_files_are_served_with_a_strict_policy(network: Network) -> None:
    base = network.members["VN"].url
    page = httpx.get(base + "/", timeout=10)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy and "script-src 'self'" in policy
    assert page.headers["referrer-policy"] == "no-referrer"
    assert "/static/app.js" in page.text and "http" not in page.text.split("<body>")[0].replace(
        "http-equiv", ""
    )
    for name, kind in (("app.js", "text/javascript"), ("style.css", "text/css")):
        response = httpx.get(f"{base}/static/{name}", timeout=10)
        assert response.status_code == 200 and response.headers["content-type"].startswith(kind)
    for path in (
        "/static/routes.py",
        "/static/..%2Froutes.py",
        "/static/%2e%2e/__init__.py",
        "/static/nope.js",
    ):
        assert httpx.get(base + path, timeout=10).status_code == 404, path


def test_print_view_escapes_what_it_shows() -> None:
    revocation = RecordedReason(
        reason_code=1, label=None, reason="<b>bold</b>", block=9, tx="0x" + "01" * 32, at=None
    )
    shown = status(DocumentState.REVOKED, reference="<script>alert(1)</script>", revocation=revocation)
    html = print_body(shown, "http://node:8701")
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "&lt;b&gt;bold" in html
    # The QR code names the certificate as ISSUER:REFERENCE when the slip shows the reference, else by its id.
    assert verification_url("http://node:8701", shown) == (
        f"http://node:8701/?id=MY%3A%3Cscript%3Ealert%281%29%3C%2Fscript%3E&digest={shown.digest}"
    )
    assert verification_url("http://node:8701", replace(shown, reference=None)) == (
        f"http://node:8701/?id=MY%3A{shown.document_id}&digest={shown.digest}"
    )
    assert "<svg" in html and "Revoked" in html


def test_a_slip_printed_before_anchoring_shows_no_digest_and_links_by_id_alone() -> None:
    # The issuer's node answers /print for a certificate still in its outbox: it has no digest yet.
    pending = status(DocumentState.PENDING, digest=None, reference="MY-KL-2026-000123")
    html = print_body(pending, "http://node:8701")
    assert "None" not in html and "not anchored yet" in html
    assert verification_url("http://node:8701", pending) == "http://node:8701/?id=MY%3AMY-KL-2026-000123"

"""The page's routes on a real node: what is served, with which headers, and nothing outside its folder."""

from __future__ import annotations

import httpx
import pytest
from origo_devnet.network import Network
from origo_node.web.routes import print_body, verification_url

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
    status = {
        "document_id": "0x" + "ab" * 32,
        "digest": "0x" + "cd" * 32,
        "reference": "<script>alert(1)</script>",
        "state": "revoked",
        "revocation": {"reason_code": 1, "reason": "<b>bold</b>"},
    }
    html = print_body(status, "http://node:8701")
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "&lt;b&gt;bold" in html
    assert verification_url("http://node:8701", status) == (
        f"http://node:8701/?id={status['document_id']}&digest={status['digest']}"
    )
    assert "<svg" in html and "Revoked" in html

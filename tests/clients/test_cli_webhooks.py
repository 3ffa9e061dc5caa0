"""Webhooks end to end: SG's admin subscribes its single window with the CLI; VN issues a certificate for SG,
SG claims it, VN revokes another; SG's receiver (a real HTTP server) gets each event, signed, in order."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from client_support import coffee, sdk, settle, write
from origo_cli.exit_codes import ExitCode
from origo_cli.main import main
from origo_devnet.network import MemberNode
from origo_node.notify import verify
from support.network import wait_for
from webhook_receiver import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.xdist_group("network")]


def run(capsys: pytest.CaptureFixture[str], node: MemberNode, key: str | None, *argv: str) -> tuple[int, str]:
    code = main(["--node", node.url, *([] if key is None else ["--api-key", key]), *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def test_sg_single_window_hears_of_certificates_for_sg(
    vn: MemberNode, sg: MemberNode, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    receiver = Receiver()
    try:
        code, out = run(
            capsys,
            sg,
            sg.admin_key,
            "--json",
            "webhook",
            "add",
            receiver.url,
            "--description",
            "SG single window",
        )
        assert code == 0, out
        created = json.loads(out)
        secret, sub_id = created["secret"], created["id"]

        doc = coffee()
        path = write(tmp_path / "c.json", doc)
        vn_officer = sdk(vn)
        doc_id = vn_officer.issue(path.read_bytes()).document_id
        sg_officer = sdk(sg)
        settle(sg_officer, doc_id, "valid")
        sg_officer.accept(f"VN:{doc_id}", declaration="SG-IMP-WEBHOOK-1", quantity="1000")

        def got_claim() -> bool:
            return any(
                e["type"] == "document.claimed" and e["document_id"] == doc_id for e in receiver.ok_bodies()
            )

        wait_for(got_claim, 30, "the claim's webhook at SG's receiver")
        mine = [r for r in receiver.received if json.loads(r["body"])["document_id"] == doc_id]
        for request in mine:
            headers = request["headers"]
            assert verify(secret, request["body"], headers["Origo-Timestamp"], headers["Origo-Signature"])
        events = [json.loads(r["body"]) for r in mine]
        assert [e["type"] for e in events] == ["document.anchored", "document.claimed"]
        assert events[0]["role"] == "importer" and events[0]["issuer"] == "VN"
        assert events[1]["details"]["declaration"] == "SG-IMP-WEBHOOK-1"

        code, out = run(capsys, sg, sg.admin_key, "webhook", "deliveries", str(sub_id))
        assert code == 0 and "document.claimed" in out and "delivered" in out
        code, out = run(capsys, sg, sg.admin_key, "webhook", "list")
        assert code == 0 and receiver.url in out
        code, out = run(capsys, sg, sg.admin_key, "webhook", "remove", str(sub_id))
        assert code == 0 and f"subscription {sub_id} removed" in out
        code, out = run(capsys, sg, sg.admin_key, "webhook", "remove", str(sub_id))
        assert code == ExitCode.NOT_FOUND and f"no webhook subscription {sub_id}" in out
    finally:
        receiver.close()


def test_webhook_management_needs_the_admin_key_and_a_usable_url(
    sg: MemberNode, capsys: pytest.CaptureFixture[str]
) -> None:
    api = f"{sg.url}/api/v1/webhooks"
    assert httpx.get(api).status_code == 401
    officer = httpx.get(api, headers={"Authorization": f"Bearer {sg.officer_key}"})
    assert officer.status_code == 403
    admin = {"Authorization": f"Bearer {sg.admin_key}"}
    for body in (
        {"url": "file:///etc/passwd"},
        {"url": "https://x.example", "events": ["nope"]},
        {"url": "https://x.example", "colour": "red"},
        ["https://x.example"],
    ):
        answer = httpx.post(api, json=body, headers=admin)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert httpx.get(f"{api}/99999999999999999999", headers=admin).status_code == 422
    assert httpx.get(f"{api}/424242/deliveries", headers=admin).status_code == 404
    code, out = run(capsys, sg, sg.admin_key, "webhook", "add", "ftp://nsw.example/")
    assert code == ExitCode.REFUSED and "only http:// and https://" in out
    assert out.count("only http:// and https://") == 1, out  # said once, not as detail and error both

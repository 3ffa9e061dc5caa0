"""Key rotation end to end: a member replaces its issuer account and its HPKE encryption key through the
Membership contract (`origo node rotate-keys`). Certificates issued before stay valid at issuance, payloads
sealed to the old key stay readable, new documents are signed and sealed with the new keys, and the rotation
refuses to run while the node runs or while something of it still waits for the chain."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from origo_cli.main import main
from origo_node.chain.artifacts import load_abi
from origo_node.operator_tasks import node_addresses
from origo_node.settings import CONFIG_FILE, load_settings
from support.network import Client, running_network, sample, wait_for, wait_state
from web3 import Web3

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("operations")]


def issued(reference: str) -> dict[str, object]:
    doc = sample("form-d/vn-sg-coffee.json")
    doc["referenceNumber"] = reference
    return doc


def test_a_member_rotates_its_issuer_and_encryption_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORIGO_PASSPHRASE", "devnet")
    with running_network(tmp_path, ("VN", "SG")) as network:
        vn, sg = network.members["VN"], network.members["SG"]
        w3 = Web3(Web3.HTTPProvider(network.rpc_url))
        membership = w3.eth.contract(address=network.membership, abi=load_abi("Membership"))
        before_doc = issued("VN-HCM-2026-RK0001")
        before = Client(vn).post("/api/v1/documents", json=before_doc).json()["document_id"]
        wait_state(sg, before, {"valid"})
        old_issuer = node_addresses(load_settings(vn.data_dir / CONFIG_FILE))["issuer"]
        old_key = membership.functions.member(b"VN").call()[5]

        refused = main(["node", "rotate-keys", "-d", str(vn.data_dir)])
        assert refused == 2  # the node is running
        network.stop_node("VN")
        assert main(["node", "rotate-keys", "-d", str(vn.data_dir)]) == 0

        new_issuer = node_addresses(load_settings(vn.data_dir / CONFIG_FILE))["issuer"]
        assert new_issuer != old_issuer
        assert membership.functions.issuers(b"VN").call() == [new_issuer]
        new_key = membership.functions.member(b"VN").call()[5]
        assert new_key != old_key and len(new_key) == len(old_key)
        assert sorted(p.name.split("-")[0] for p in (vn.data_dir / "keys" / "retired").iterdir()) == [
            "encryption",
            "issuer",
        ]
        w3.provider.make_request("anvil_setBalance", [new_issuer, hex(10**24)])  # type: ignore[arg-type]
        network.start_node("VN")

        # Issued before: still valid at issuance, at both nodes, and its payload (sealed to VN's old key too)
        # still opens at VN.
        for node in (vn, sg):
            verdict = httpx.post(f"{node.url}/api/v1/verify", json=before_doc, timeout=30).json()
            assert verdict["verdict"] == "valid" and verdict["checks"]["issuer_member_at_issue"] is True
        assert Client(vn, "auditor").get(f"/api/v1/documents/{before}/payload").json() == before_doc
        assert Client(sg, "auditor").get(f"/api/v1/documents/{before}/payload").json() == before_doc

        # Issued after: signed by the new account, sealed to the new key, readable at both ends.
        after_doc = issued("VN-HCM-2026-RK0002")
        accepted = Client(vn).post("/api/v1/documents", json=after_doc)
        assert accepted.status_code == 202, accepted.text
        after = accepted.json()["document_id"]
        wait_state(sg, after, {"valid"})
        wait_for(
            lambda: Client(vn, "auditor").get(f"/api/v1/documents/{after}/payload").status_code == 200,
            what="VN to read its new document's payload with its new key",
        )
        assert Client(sg, "auditor").get(f"/api/v1/documents/{after}/payload").json() == after_doc
        trail = Client(sg, "auditor").get(f"/api/v1/documents/{after}/trail").json()
        assert trail["events"][0]["kind"] == "anchored"


def test_rotation_refuses_while_documents_wait_for_the_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ORIGO_PASSPHRASE", "devnet")
    with running_network(tmp_path, ("VN", "SG")) as network:
        vn = network.members["VN"]
        issuer = node_addresses(load_settings(vn.data_dir / CONFIG_FILE))["issuer"]
        w3 = Web3(Web3.HTTPProvider(network.rpc_url))
        w3.provider.make_request("anvil_setBalance", [issuer, "0x0"])  # type: ignore[arg-type]
        assert Client(vn).post("/api/v1/documents", json=issued("VN-HCM-2026-RK0003")).status_code == 202
        network.stop_node("VN")
        assert main(["node", "rotate-keys", "-d", str(vn.data_dir)]) == 2
        assert not (vn.data_dir / "keys" / "retired").exists()
        assert main(["node", "rotate-keys", "-d", str(vn.data_dir), "--no-issuer", "--no-encryption"]) == 2

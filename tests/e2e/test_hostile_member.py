"""Issue 9's attacks, tried by a hostile member against real node processes, over HTTP and on chain.

TH plays the hostile member: it bypasses its own node and uses its issuing key on chain directly, with batch
manifests it writes into its own payload store (so every node fetches and indexes them, as it would an honest
batch). VN is the victim, SG the importer. Every attack must leave VN's documents alone at every node and end
in a refusal where TH reaches for them.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from eth_account.signers.local import LocalAccount
from origo_devnet.network import DEVNET_PASSPHRASE, Network
from origo_node.anchoring import batch_manifest
from origo_node.anchoring.batch_manifest import ManifestEntry, leaf_from_json
from origo_node.chain import eip712
from origo_node.chain.artifacts import load_artifact
from origo_node.chain.merkle import Leaf, MerkleTree
from origo_node.crypto.signing import load_signing_key
from origo_node.documents import document_id as derive_id
from origo_node.payload import LocalPayloadStore
from origo_node.settings import CONFIG_FILE, load_settings
from support.network import Client, running_network, sample, wait_for, wait_state
from web3 import Web3

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("hostile")]
# VN's batches wait 4 s: long enough for TH to read a batch's leaves and anchor its root first.
SETTINGS = {"batch_interval_s": 4.0, "index_poll_s": 0.2}
# The CID a squatting leaf names for its payload: none exists, and only TH is listed to read it.
NO_PAYLOAD = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Network]:
    with running_network(tmp_path_factory.mktemp("hostile"), node_settings=SETTINGS) as network:
        yield network


def coffee(reference: str) -> dict[str, Any]:
    doc = sample("form-d/vn-sg-coffee.json")
    doc["referenceNumber"] = reference
    return doc


def issue(net: Network, reference: str) -> str:
    response = Client(net.members["VN"]).post("/api/v1/documents", json=coffee(reference))
    assert response.status_code == 202, response.text
    return str(response.json()["document_id"])


class HostileMember:
    """A member acting on chain with its own issuing key, outside its node's rules."""

    def __init__(self, net: Network, code: str) -> None:
        self.code = code
        node = net.members[code]
        settings = load_settings(node.data_dir / CONFIG_FILE)
        self.account: LocalAccount = load_signing_key(settings.signing_keystore, DEVNET_PASSPHRASE)
        self.w3 = Web3(Web3.HTTPProvider(net.rpc_url))
        self.registry = self.w3.eth.contract(
            address=Web3.to_checksum_address(net.registry), abi=load_artifact("DocumentRegistry")[0]
        )
        self.domain = eip712.domain_separator(net.chain_id, net.registry)
        self.store = LocalPayloadStore(node.data_dir / "payloads")

    def send(self, fn: Any) -> dict[str, Any]:
        tx = fn.build_transaction(
            {
                "from": self.account.address,
                "nonce": self.w3.eth.get_transaction_count(self.account.address, "pending"),
                "gas": 1_000_000,
                "gasPrice": self.w3.eth.gas_price,
                "chainId": self.w3.eth.chain_id,
            }
        )
        signed = self.account.sign_transaction(tx)
        receipt = self.w3.eth.wait_for_transaction_receipt(
            self.w3.eth.send_raw_transaction(signed.raw_transaction)
        )
        assert receipt["status"] == 1
        return dict(receipt)

    def squat(self, document_id: str, importer: str = "SG") -> tuple[Leaf, MerkleTree]:
        """Anchors a leaf of its own that carries ``document_id``, with a manifest every node can fetch."""
        leaf = Leaf(
            document_id=bytes.fromhex(document_id[2:]),
            document_type=Web3.keccak(text="atiga-form-d/1"),
            digest=os.urandom(32),
            issuer=self.code,
            importer=importer,
            issued_at=int(time.time()),
            expires_at=0,
            quantities=(),
            payload_cid=Web3.keccak(text=NO_PAYLOAD),
        )
        entry = ManifestEntry(
            leaf=leaf,
            payload_cid=NO_PAYLOAD,
            signature=eip712.sign(leaf, self.domain, bytes(self.account.key)),
            signer=self.account.address,
            type_name="atiga-form-d",
            type_version="1",
            quantity_units=(),
            recipients=(self.code,),  # nobody else tries to read a payload that does not exist
        )
        tree = MerkleTree([leaf])
        cid = self.store.put(batch_manifest.encode(self.code, tree.root, [entry]))
        self.store.pin(cid)
        self.send(self.registry.functions.anchorBatch(tree.root, 1, cid))
        return leaf, tree

    def revoke(self, leaf: Leaf, tree: MerkleTree) -> None:
        self.send(
            self.registry.functions.revoke(leaf.to_abi_tuple(), tree.root, tree.proof(0), 9, "squatted")
        )


def public(node_url: str, key: str) -> httpx.Response:
    return httpx.get(f"{node_url}/api/v1/documents/{key}", timeout=10)


def test_squatting_an_issued_documents_id_changes_nothing_anywhere(net: Network) -> None:
    reference = "VN-HCM-2026-900001"
    doc_id = issue(net, reference)
    for code in ("VN", "SG", "TH"):
        wait_state(net.members[code], f"VN:{reference}", {"valid"})
    th = HostileMember(net, "TH")
    leaf, tree = th.squat(doc_id)
    th.revoke(leaf, tree)
    # Every node indexes TH's leaf as TH's own document, revoked; VN's stays valid under VN's name.
    for code in ("VN", "SG", "TH"):
        squatted = wait_state(net.members[code], f"TH:{doc_id}", {"revoked"})
        assert squatted["issuer"] == "TH"
        genuine = public(net.members[code].url, f"VN:{reference}").json()
        assert (genuine["state"], genuine["issuer"], genuine["revocation"]) == ("valid", "VN", None)
    # A bare id resolves to VN's document where the node proved the id (VN issued it, SG read it), and is
    # never answered with TH's document: at TH, which can prove neither, it names both and picks none.
    for code in ("VN", "SG"):
        wait_for(lambda c=code: public(net.members[c].url, doc_id).json().get("issuer") == "VN", what="VN")
    ambiguous = public(net.members["TH"].url, doc_id)
    assert ambiguous.status_code == 409 and ambiguous.json()["rule"] == "AmbiguousDocumentId"
    assert f"VN:{doc_id}" in ambiguous.json()["detail"] and f"TH:{doc_id}" in ambiguous.json()["detail"]
    # SG still accepts VN's certificate, and VN still revokes it afterwards.
    accepted = Client(net.members["SG"]).post(
        f"/api/v1/documents/VN:{reference}/accept", json={"declaration": "SG-1"}
    )
    assert accepted.status_code == 200 and accepted.json()["state"] == "done", accepted.text
    revoked = Client(net.members["VN"]).post(
        f"/api/v1/documents/VN:{reference}/revoke", json={"reason_code": 2, "reason": "issued in error"}
    )
    assert revoked.status_code == 200 and revoked.json()["state"] == "done", revoked.text
    state = wait_state(net.members["SG"], f"VN:{reference}", {"revoked"})
    assert state["revocation"]["reason"] == "issued in error"


def test_pre_empting_a_reference_before_its_issuer_issues_it_blocks_nothing(net: Network) -> None:
    reference = "VN-HCM-2026-900002"
    future_id = "0x" + derive_id("VN", reference).hex()
    th = HostileMember(net, "TH")
    leaf, tree = th.squat(future_id)
    th.revoke(leaf, tree)
    wait_state(net.members["VN"], f"TH:{future_id}", {"revoked"})
    # Nobody shows VN's reference as issued by TH.
    for code in ("VN", "SG"):
        assert public(net.members[code].url, f"VN:{reference}").status_code == 404
    # VN issues its reference as usual: not a duplicate, anchored, valid everywhere as VN's.
    assert issue(net, reference) == future_id
    for code in ("VN", "SG", "TH"):
        status = wait_state(net.members[code], f"VN:{reference}", {"valid"})
        assert status["issuer"] == "VN"


def test_front_running_a_batch_root_does_not_block_the_victims_batch(net: Network) -> None:
    reference = "VN-HCM-2026-900003"
    doc_id = issue(net, reference)
    # The public status of a pending document shows no leaf data: nothing to predict a root from.
    pending = public(net.members["VN"].url, f"VN:{reference}").json()
    assert pending["state"] == "pending"
    assert all(pending[k] is None for k in ("digest", "payload_cid", "issued_at", "expires_at"))
    assert pending["items"] == []
    assert "batch_root" not in pending
    # A hostile member who learnt the leaf anyway (here: from VN's disk) anchors VN's next root first.
    with sqlite3.connect(net.members["VN"].data_dir / "node.db") as conn:
        stored = conn.execute("SELECT leaf FROM outbox WHERE document_id = ?", (doc_id,)).fetchone()[0]
    root = MerkleTree([leaf_from_json(json.loads(stored))]).root
    th = HostileMember(net, "TH")
    th.send(
        th.registry.functions.anchorBatch(
            root, 1, "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"
        )
    )
    # VN's batcher anchors its batch all the same, under VN, and the document becomes valid everywhere.
    for code in ("VN", "SG"):
        status = wait_state(net.members[code], f"VN:{reference}", {"valid"}, timeout=60)
        assert status["anchor"]["root"] == "0x" + root.hex()
    assert tuple(th.registry.functions.batch(b"VN", root).call())[:2] == (b"VN", 1)
    # The batcher records the batch as mined on its own next round, which may follow the indexers' by a poll.
    deadline = time.monotonic() + 30
    while True:
        health = httpx.get(f"{net.members['VN'].url}/healthz").json()
        if health["outbox_pending"] == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert health["outbox_pending"] == 0 and health["outbox_refused"] is None


def test_a_retried_claim_claims_once(net: Network) -> None:
    reference = "VN-HCM-2026-900005"
    doc = coffee(reference)
    sg = Client(net.members["SG"])
    issued = [
        Client(net.members["VN"]).post(
            "/api/v1/documents", json=doc, headers={"Idempotency-Key": "issue-900005"}
        )
        for _ in range(2)
    ]
    assert [r.status_code for r in issued] == [202, 202]
    assert issued[0].json() == issued[1].json() and issued[1].headers["idempotent-replayed"] == "true"
    wait_state(net.members["SG"], f"VN:{reference}", {"valid"})
    path = f"/api/v1/documents/VN:{reference}/accept"
    claim = {"declaration": "SG-IMP-900005", "quantity": "1000"}  # of 19,200 kg
    first = sg.post(path, json=claim, headers={"Idempotency-Key": "claim-1"})
    again = sg.post(path, json=claim, headers={"Idempotency-Key": "claim-1"})
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() and first.json()["state"] == "done"
    # The same key with another body is refused and changes nothing.
    other = sg.post(path, json={"declaration": "SG-IMP-OTHER"}, headers={"Idempotency-Key": "claim-1"})
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused")
    # Without the key, the chain itself refuses a second claim with the same declaration.
    refused = sg.post(path, json=claim)
    assert refused.status_code == 409 and refused.json()["rule"] == "RegistryDeclarationUsed"
    assert refused.json()["args"][0] == "0x" + b"VN".hex()  # the issuer: the document's full name
    status = wait_state(net.members["SG"], f"VN:{reference}", {"partially_accepted"})
    assert len(status["utilisations"]) == 1 and status["items"][0]["claimed"] == "1000.000"


def test_a_member_suspended_with_documents_in_flight_sees_them_refused_then_sent_again(net: Network) -> None:
    reference = "VN-HCM-2026-900004"
    issue(net, reference)  # VN batches every 4 s: the document is in flight while VN is suspended
    sg_admin, th_admin = Client(net.members["SG"], "admin"), Client(net.members["TH"], "admin")
    proposal = sg_admin.post("/api/v1/consortium/proposals", json={"kind": "suspend_member", "target": "VN"})
    assert proposal.status_code == 201, proposal.text
    assert th_admin.post(f"/api/v1/consortium/proposals/{proposal.json()['id']}/vote").json()["executed"]
    vn = net.members["VN"]
    refused = wait_state(vn, f"VN:{reference}", {"refused"}, timeout=60)
    assert (
        "VN is suspended" in refused["refusal"]["reason"]
        and refused["refusal"]["rule"] == "RegistryNotIssuer"
    )
    worklist = Client(vn).get("/api/v1/documents", params={"role": "issuer", "state": "refused"}).json()
    assert [d["reference"] for d in worklist["documents"]] == [reference]
    health = httpx.get(f"{vn.url}/healthz").json()
    assert health["status"] == "degraded" and health["outbox_refused"]["documents"] == 1
    # Reinstated, VN's node sends the same batch again by itself.
    back = sg_admin.post("/api/v1/consortium/proposals", json={"kind": "reinstate_member", "target": "VN"})
    assert th_admin.post(f"/api/v1/consortium/proposals/{back.json()['id']}/vote").json()["executed"]
    wait_state(net.members["SG"], f"VN:{reference}", {"valid"}, timeout=60)
    wait_for(lambda: httpx.get(f"{vn.url}/healthz").json()["outbox_refused"] is None, what="no refusal left")


@pytest.mark.parametrize("copy_first", [True, False], ids=["copy-before", "copy-after"])
def test_a_copy_under_vns_reference_never_answers_a_bare_reference(net: Network, copy_first: bool) -> None:
    """TH (its code sorts before VN's) anchors its own certificate under VN's reference, and revokes it."""
    reference = f"VN-HCM-2026-90010{int(copy_first)}"
    th = HostileMember(net, "TH")

    def copy() -> None:
        th.revoke(*th.squat("0x" + derive_id("TH", reference).hex()))
        for code in ("VN", "SG", "TH"):  # each node indexes on its own time: the loop below asks all three
            wait_state(net.members[code], f"TH:{reference}", {"revoked"})

    if copy_first:
        copy()
        # Not VN's series: a bare lookup does not land on it, and VN's own node is not blocked by it.
        alone = public(net.members["SG"].url, reference)
        assert alone.status_code == 409 and alone.json()["rule"] == "AmbiguousReference"
    issue(net, reference)
    for code in ("VN", "SG", "TH"):
        wait_state(net.members[code], f"VN:{reference}", {"valid"})
    if not copy_first:
        copy()
    for code in ("VN", "SG", "TH"):
        url = net.members[code].url
        for answer in (
            public(url, reference.lower()),
            httpx.get(f"{url}/api/v1/verify", params={"key": f" {reference} "}, timeout=10),
        ):
            assert answer.status_code == 409 and answer.headers["content-type"].startswith(
                "application/problem"
            )
            body = answer.json()
            assert body["rule"] == "AmbiguousReference"
            assert [c["key"] for c in body["candidates"]] == [f"TH:{reference}", f"VN:{reference}"]
        page = httpx.get(f"{url}/print/{reference}", timeout=10)  # a person's page: a page, with both
        assert page.status_code == 409 and page.headers["content-type"].startswith("text/html")
        assert f"href='/print/TH:{reference}'" in page.text and f"href='/print/VN:{reference}'" in page.text
        assert "Which certificate?" in page.text
        named = httpx.get(f"{url}/api/v1/verify", params={"key": f"vn:{reference}"}, timeout=10).json()
        assert (named["verdict"], named["issuer"]) == ("valid", "VN")
        assert named["status"]["shared_reference"]["also_issued_by"][0]["key"] == f"TH:{reference}"
    sg = Client(net.members["SG"])
    bare = sg.post(f"/api/v1/documents/{reference}/accept", json={"declaration": "SG-900100"})
    assert bare.status_code == 422 and bare.json()["rule"] == "IssuerNotNamed"
    assert f"TH:{reference} or VN:{reference}" in bare.json()["detail"]
    claimed = sg.post(f"/api/v1/documents/VN:{reference}/accept", json={"declaration": "sg-900100"})
    assert claimed.status_code == 200, claimed.text
    state = wait_state(net.members["SG"], f"VN:{reference}", {"accepted"})
    assert state["utilisations"][0]["declaration"] == "SG-900100"

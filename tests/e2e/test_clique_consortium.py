"""The node on real consensus: four members, each with its own geth Clique sealer (1-second blocks) and its
own Origo node process that talks only to it, all made from `origo network generate --consensus clique`.

The flows and faults run in order on one network, as a real consortium lives through them. Every fault is
counted from the chain: each accepted document is anchored exactly once (``anchored_ids`` reads every
BatchAnchored event and its manifest), none is lost.
"""

from __future__ import annotations

import collections
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from origo_node.anchoring import batch_manifest
from origo_node.chain.artifacts import load_artifact
from origo_node.payload import LocalPayloadStore
from support.clique import CliqueConsortium, Sealer, clique_consortium
from support.network import Client, anchored_ids, sample, wait_for, wait_state
from web3 import Web3

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.xdist_group("clique")]
CODES = ("VN", "SG", "TH", "MY")
SETTINGS = {"batch_interval_s": 0.5, "index_poll_s": 0.2}


@pytest.fixture(scope="module")
def clique(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CliqueConsortium]:
    with clique_consortium(tmp_path_factory.mktemp("clique"), CODES, node_settings=SETTINGS) as consortium:
        yield consortium


#: Every document VN's officers got a 202 for, in this module.
ACCEPTED: list[str] = []


def issue_at_vn(clique: CliqueConsortium, reference: str) -> str:
    doc = sample("form-d/vn-sg-coffee.json")
    doc["referenceNumber"] = reference
    response = Client(clique.net.members["VN"]).post("/api/v1/documents", json=doc)
    assert response.status_code == 202, response.text
    doc_id = str(response.json()["document_id"])
    ACCEPTED.append(doc_id)
    return doc_id


def assert_anchored_exactly_once(clique: CliqueConsortium) -> None:
    counts = collections.Counter(anchored_ids(clique.net, "VN"))
    assert {d: n for d, n in counts.items() if n != 1} == {}, "a document anchored twice"
    assert [d for d in ACCEPTED if d not in counts] == [], "an accepted document was lost"


def head_advances(sealer: Sealer, blocks: int, timeout: float) -> int:
    start = sealer.head()
    return int(wait_for(lambda: (h := sealer.head()) >= start + blocks and h, timeout, "the chain to go on"))


def vote_at(admin: Client, proposal_id: int) -> dict[str, Any]:
    """Vote yes at one member's node once that node's own sealer holds the proposal: a proposal made at
    another node reaches it a block or two later, and before that the node rightly answers 404."""
    wait_for(
        lambda: admin.get(f"/api/v1/consortium/proposals/{proposal_id}").status_code == 200,
        30,
        f"proposal {proposal_id} to reach the voter's node",
    )
    answer = admin.post(f"/api/v1/consortium/proposals/{proposal_id}/vote")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def health(clique: CliqueConsortium, code: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{clique.net.members[code].url}/healthz", timeout=30).json()
    return body


def test_the_generated_network_seals_and_every_node_follows_its_own_sealer(clique: CliqueConsortium) -> None:
    vn = clique.sealers["VN"]
    sealers = sorted(s.address for s in clique.sealers.values())
    assert vn.signers() == sealers
    # The genesis contracts answer on geth (London bytecode): the Membership's validators are the sealers.
    w3 = Web3(Web3.HTTPProvider(vn.rpc_url))
    membership = w3.eth.contract(address=clique.net.membership, abi=load_artifact("Membership")[0])
    assert sorted(membership.functions.getValidators().call()) == sealers
    first = head_advances(vn, 8, timeout=30)
    assert {vn.signer_of(n) for n in range(1, first + 1)} == set(sealers), "every member seals"
    for code in CODES:
        body = health(clique, code)
        assert body["status"] == "ok", body["reasons"]
        wait_for(
            lambda code=code: (h := health(clique, code)["sealers"]) and h["disagreeing"] == 0, 20, "sealers"
        )


def test_flows_issue_index_accept_and_revoke_between_members(clique: CliqueConsortium) -> None:
    doc_id = issue_at_vn(clique, "VN-HCM-2026-700001")
    for node in clique.net.members.values():
        wait_state(node, doc_id, {"valid"}, timeout=30)
    accepted = Client(clique.net.members["SG"]).post(
        f"/api/v1/documents/VN:{doc_id}/accept", json={"declaration": "SG-1"}
    )
    assert accepted.status_code == 200, accepted.text
    for node in clique.net.members.values():
        wait_state(node, doc_id, {"accepted"}, timeout=30)
    revoked = issue_at_vn(clique, "VN-HCM-2026-700002")
    # Each node follows its own sealer: VN's may see the anchoring a block after TH's does, and VN's node
    # refuses a revocation of what it has not seen anchored ("not anchored yet; try again").
    for node in clique.net.members.values():
        wait_state(node, revoked, {"valid"}, timeout=30)
    answer = Client(clique.net.members["VN"]).post(
        f"/api/v1/documents/VN:{revoked}/revoke", json={"reason_code": 2, "reason": "exporter error"}
    )
    assert answer.status_code == 200, answer.text
    for node in clique.net.members.values():
        assert wait_state(node, revoked, {"revoked"})["revocation"]["reason"] == "exporter error"
    # Flow 1's far end: the importing member reads the payload VN sealed for it (fetched from VN's node).
    payload = wait_for(
        lambda: (
            (r := Client(clique.net.members["SG"]).get(f"/api/v1/documents/VN:{doc_id}/payload"))
            and r.status_code == 200
            and r.json()
        ),
        30,
        "SG to read the payload",
    )
    assert payload["referenceNumber"] == "VN-HCM-2026-700001"
    # Flow 7: every member's auditor reads the same trail, block and transaction for each event.
    trails = [
        Client(clique.net.members[code], "auditor").get(f"/api/v1/documents/{doc_id}/trail").json()["events"]
        for code in CODES
    ]
    assert [e["kind"] for e in trails[0]] == ["anchored", "accepted"]
    assert all(trail == trails[0] for trail in trails), "the members' auditors read different trails"
    assert_anchored_exactly_once(clique)


def everywhere(clique: CliqueConsortium, doc_id: str, states: set[str]) -> list[dict[str, Any]]:
    """The document's status at every member's node once each (following its own sealer) shows one of
    ``states``."""
    return [wait_state(node, doc_id, states, timeout=45) for node in clique.net.members.values()]


def test_flows_supersede_verification_and_manifest_on_real_consensus(clique: CliqueConsortium) -> None:
    """RUNBOOK flows 4-6 with each node on its own sealer: a supersession, a verification answered "not
    confirmed" that refuses the claim, and a manifest linked at the importing member."""
    vn, sg = Client(clique.net.members["VN"]), Client(clique.net.members["SG"])
    old = issue_at_vn(clique, "VN-HCM-2026-700500")
    doubted = issue_at_vn(clique, "VN-HCM-2026-700501")
    manifest_doc = sample("manifest/vn-sg-vessel.json")
    manifest_doc["referenceNumber"] = "MSC-ISA-2647S-VNSGN-CLIQUE"
    filed = vn.post("/api/v1/documents", json=manifest_doc)
    assert filed.status_code == 202, filed.text
    manifest_id = filed.json()["document_id"]
    for doc_id in (old, doubted, manifest_id):
        everywhere(clique, doc_id, {"valid"})

    replacement = sample("form-d/vn-sg-coffee.json")
    replacement["referenceNumber"] = "VN-HCM-2026-700502"
    replacement["items"][0]["description"] += " (corrected)"
    answer = vn.post(f"/api/v1/documents/VN:{old}/supersede", json=replacement)
    assert answer.status_code == 202, answer.text
    new_id = answer.json()["document_id"]
    ACCEPTED.append(new_id)
    for status in everywhere(clique, old, {"superseded"}):
        assert status["superseded_by"] == new_id
    assert {s["supersedes"] for s in everywhere(clique, new_id, {"valid"})} == {old}

    doubt = {"reason": "origin doubtful"}
    opened = sg.post(f"/api/v1/documents/VN:{doubted}/verification-request", json=doubt)
    assert opened.status_code == 200, opened.text
    everywhere(clique, doubted, {"under_verification"})
    answered = vn.post(
        f"/api/v1/documents/VN:{doubted}/verification-answer",
        json={"confirmed": False, "reason": "no such producer"},
    )
    assert answered.status_code == 200, answered.text
    for status in everywhere(clique, doubted, {"not_confirmed"}):
        assert status["verification"]["answer_reason"] == "no such producer"
    refused = sg.post(f"/api/v1/documents/VN:{doubted}/accept", json={"declaration": "SG-C-1"})
    assert refused.status_code == 409 and refused.json()["rule"] == "RegistryNotConfirmed", refused.text

    def linked() -> dict[str, Any] | None:
        body: dict[str, Any] = sg.get(f"/api/v1/documents/{manifest_id}/links").json()
        ids = {c["document_id"] for cons in body.get("consignments", []) for c in cons["certificates"]}
        return body if {doubted, new_id} & ids else None

    wait_for(linked, 60, "SG to link the certificates to the manifest")
    assert_anchored_exactly_once(clique)


def test_one_sealer_killed_the_chain_goes_on(clique: CliqueConsortium) -> None:
    clique.sealers["MY"].kill()
    head_advances(clique.sealers["VN"], 4, timeout=20)
    doc_id = issue_at_vn(clique, "VN-HCM-2026-700003")
    wait_state(clique.net.members["SG"], doc_id, {"valid"})
    clique.sealers["MY"].start()  # --gcmode archive: it restarts cleanly from its own head
    wait_state(clique.net.members["MY"], doc_id, {"valid"}, timeout=60)
    assert_anchored_exactly_once(clique)


def test_below_the_signing_majority_the_chain_stops_and_accepted_documents_wait(
    clique: CliqueConsortium,
) -> None:
    vn = clique.sealers["VN"]
    clique.sealers["TH"].kill()
    clique.sealers["MY"].kill()  # two of four: Clique needs three
    stopped = wait_for(lambda: (h := vn.head(), time.sleep(3), vn.head() == h)[-1], 20, "the chain to stop")
    assert stopped
    waiting = [issue_at_vn(clique, f"VN-HCM-2026-70010{i}") for i in range(3)]
    body = wait_for(
        lambda: (h := health(clique, "VN"))["status"] == "degraded" and h, 30, "VN's node to say degraded"
    )
    assert any(
        "the chain has made no block for" in r and "needs 3 of its 4 sealers" in r for r in body["reasons"]
    )
    assert body["outbox_pending"] >= 3
    # Back one at a time, as the RUNBOOK says: two restarted at once on the head they stopped at can each seal
    # a block there before they are peered, and leave two halves of equal weight that never reconcile.
    clique.sealers["TH"].start()
    head_advances(vn, 2, timeout=60)  # three of four: the chain goes on
    clique.sealers["MY"].start()
    for doc_id in waiting:
        wait_state(clique.net.members["SG"], doc_id, {"valid"}, timeout=60)
    wait_for(lambda: health(clique, "VN")["status"] == "ok", 30, "VN's node to be ok again")
    assert_anchored_exactly_once(clique)


def test_a_members_own_chain_node_restarts_and_its_node_misses_nothing(clique: CliqueConsortium) -> None:
    clique.sealers["SG"].stop()
    during = [issue_at_vn(clique, f"VN-HCM-2026-70020{i}") for i in range(2)]
    for doc_id in during:
        wait_state(clique.net.members["TH"], doc_id, {"valid"})
    time.sleep(2)
    unseen = httpx.get(f"{clique.net.members['SG'].url}/api/v1/documents/{during[0]}", timeout=30)
    assert unseen.status_code == 404, "SG's node cannot know it: its chain node is down"
    clique.sealers["SG"].start()
    # TH's chain node never stopped: SG's node must end up saying what TH's says, for every document.
    th, sg = Client(clique.net.members["TH"]), Client(clique.net.members["SG"])
    for doc_id in ACCEPTED:
        expected = th.get(f"/api/v1/documents/{doc_id}").json()["state"]
        wait_state(clique.net.members["SG"], doc_id, {expected}, timeout=60)
    assert {sg.get(f"/api/v1/documents/{d}").json()["state"] for d in during} == {"valid"}
    assert_anchored_exactly_once(clique)


def test_after_a_partition_heals_every_index_equals_the_chain(clique: CliqueConsortium) -> None:
    vn, th = clique.sealers["VN"], clique.sealers["TH"]
    forked = None
    for _ in range(3):
        # VN alone against the other three. Clique lets a sealer seal again only after two others did, so
        # VN, cut off while it is not one of the last two signers, seals one block of its own and waits;
        # the three seal on. On healing, VN's one block is the lighter branch and is dropped. (Two against
        # two can leave halves of equal weight that never reconcile: the RUNBOOK says what to do then.)
        wait_for(lambda: _may_seal_next(vn), 15, "VN not to be one of the last two signers")
        clique.partition(("VN",))
        doc_id = issue_at_vn(
            clique, f"VN-HCM-2026-70030{len(ACCEPTED)}"
        )  # on VN's side of the fork, if at all
        deadline = time.monotonic() + 10
        while not (forked := _diverged(vn, th)) and time.monotonic() < deadline:
            time.sleep(0.5)
        clique.heal(("VN",))
        if forked:
            break
    assert forked, "no fork in three tries"

    def one_chain() -> bool:
        head = min(s.head() for s in clique.sealers.values())
        hashes = {s.rpc("eth_getBlockByNumber", hex(head), False)["hash"] for s in clique.sealers.values()}
        return head > forked and len(hashes) == 1

    wait_for(one_chain, 60, "the sealers to agree on one chain")
    head_advances(vn, 3, timeout=30)
    wait_state(clique.net.members["TH"], doc_id, {"valid"}, timeout=60)
    assert_anchored_exactly_once(clique)
    # Every node's index: each anchored document at the block and transaction the chain has it in.
    chain_view = _anchoring_blocks(clique)
    for code, node in clique.net.members.items():
        auditor = Client(node, "auditor")
        for document, where in chain_view.items():
            events = _trail_once_indexed(auditor, document, code)
            anchored = [(e["block"], e["tx"]) for e in events if e["kind"] == "anchored"]
            assert anchored == [where], f"{code}'s index has {document} at {anchored}, the chain at {where}"
    assert th.head() >= vn.head() - 2


def _trail_once_indexed(auditor: Client, document: str, code: str) -> list[dict[str, Any]]:
    """The document's trail at one node, once that node has indexed it (right after a heal it may not yet)."""
    answer = wait_for(
        lambda: (r := auditor.get(f"/api/v1/documents/{document}/trail")).status_code == 200 and r,
        30,
        f"{code}'s node to index {document} after the partition healed",
    )
    events: list[dict[str, Any]] = answer.json()["events"]
    return events


def _may_seal_next(sealer: Sealer) -> bool:
    """Whether ``sealer`` signed neither of the last two blocks: of four sealers, it may seal the next."""
    head = sealer.head()
    try:
        return sealer.address not in {sealer.signer_of(head), sealer.signer_of(head - 1)}
    except RuntimeError:  # the head was replaced between the two reads (a one-block reorganisation)
        return False


def _diverged(a: Sealer, b: Sealer) -> int | None:
    """The height at which ``a`` and ``b`` hold different blocks, if they do."""
    height = min(a.head(), b.head())
    for number in range(height, max(0, height - 4), -1):
        if (
            a.rpc("eth_getBlockByNumber", hex(number), False)["hash"]
            != b.rpc("eth_getBlockByNumber", hex(number), False)["hash"]
        ):
            return number
    return None


def _anchoring_blocks(clique: CliqueConsortium) -> dict[str, tuple[int, str]]:
    w3 = Web3(Web3.HTTPProvider(clique.sealers["TH"].rpc_url))
    registry = w3.eth.contract(
        address=Web3.to_checksum_address(clique.net.registry), abi=load_artifact("DocumentRegistry")[0]
    )
    store = LocalPayloadStore(clique.net.members["VN"].data_dir / "payloads")
    found: dict[str, tuple[int, str]] = {}
    for event in registry.events.BatchAnchored().get_logs(from_block=0):
        args = event["args"]
        entries = batch_manifest.decode(
            store.get(args["manifestCid"]), issuer="VN", root=bytes(args["root"]), count=args["count"]
        )
        for entry in entries:
            found["0x" + entry.leaf.document_id.hex()] = (
                int(event["blockNumber"]),
                "0x" + bytes(event["transactionHash"]).hex(),
            )
    return found


def test_a_suspended_member_stops_sealing_and_seals_again_once_reinstated(clique: CliqueConsortium) -> None:
    vn = clique.sealers["VN"]
    my = clique.sealers["MY"].address
    admins = {code: Client(clique.net.members[code], "admin") for code in CODES}
    suspend = admins["VN"].post(
        "/api/v1/consortium/proposals", json={"kind": "suspend_member", "target": "MY"}
    )
    assert suspend.status_code == 201, suspend.text
    vote_at(admins["SG"], suspend.json()["id"])
    assert vote_at(admins["TH"], suspend.json()["id"])["executed"]
    # No operator touches geth: the members' nodes vote MY's sealer out.
    wait_for(lambda: my not in vn.signers(), 40, "MY's sealer to be voted out")
    after = vn.head()
    head_advances(vn, 6, timeout=20)
    assert my not in {vn.signer_of(n) for n in range(after + 1, vn.head() + 1)}, "a suspended member sealed"
    wait_for(lambda: health(clique, "SG")["sealers"]["disagreeing"] == 0, 20, "SG to see the sealers agree")
    reinstate = admins["VN"].post(
        "/api/v1/consortium/proposals", json={"kind": "reinstate_member", "target": "MY"}
    )
    assert reinstate.status_code == 201, reinstate.text
    assert vote_at(admins["SG"], reinstate.json()["id"])["executed"]
    wait_for(lambda: my in vn.signers(), 40, "MY's sealer to be voted back in")
    back = vn.head()
    wait_for(
        lambda: my in {vn.signer_of(n) for n in range(back + 1, vn.head() + 1)},
        30,
        "MY to seal a block again",
    )
    metrics = httpx.get(f"{clique.net.members['TH'].url}/metrics", timeout=5).text
    wait_for(
        lambda: "origo_sealers_disagreeing 0.0" in httpx.get(f"{clique.net.members['TH'].url}/metrics").text,
        20,
        "TH's metrics to show the sealers agree",
    )
    assert "origo_sealers_disagreeing" in metrics


def test_a_member_voted_in_after_the_genesis_becomes_a_sealer(clique: CliqueConsortium) -> None:
    """BN joins as the RUNBOOK says (`origo network add-member`, its geth a follower), the members vote it in
    on the Membership, and their nodes vote its sealer in on the chain: no operator touches geth's votes."""
    proposal = clique.join("BN", node_settings=SETTINGS)
    vn, bn = clique.sealers["VN"], clique.sealers["BN"]
    assert bn.address not in vn.signers()
    doc_id = issue_at_vn(clique, "VN-HCM-2026-700400")
    wait_state(clique.net.members["BN"], doc_id, {"valid"}, timeout=60)  # it follows the chain
    admins = {code: Client(clique.net.members[code], "admin") for code in CODES}
    body = {"kind": "add_member", "member": proposal}
    proposed = admins["VN"].post("/api/v1/consortium/proposals", json=body)
    assert proposed.status_code == 201, proposed.text
    executed = False
    for code in ("SG", "TH", "MY"):
        executed = vote_at(admins[code], proposed.json()["id"])["executed"]
        if executed:
            break
    assert executed
    wait_for(lambda: bn.address in vn.signers(), 60, "BN's sealer to be voted in")
    voted = vn.head()
    sealed_by = lambda: {vn.signer_of(n) for n in range(voted + 1, vn.head() + 1)}  # noqa: E731
    wait_for(lambda: bn.address in sealed_by(), 60, "BN to seal a block")
    wait_for(lambda: health(clique, "BN")["sealers"]["disagreeing"] == 0, 30, "BN to see the sealers agree")
    assert_anchored_exactly_once(clique)

"""The services, the batcher and the indexer together on the fake chain and a temporary store (no anvil)."""

from __future__ import annotations

import json
import time
from dataclasses import replace
from typing import Any

import pytest
from fakenode_support import Consortium, FakeNode, form_d
from origo_node.documents.action_params import Accept, ItemClaim, Revoke, Supersede
from origo_node.errors import ChainRuleViolated, Conflict, NotFound, OrigoError, ValidationFailed
from origo_node.services.governance import Candidate


def anchored_ids(consortium: Consortium) -> list[str]:
    """Every document id in every batch the chain holds, read from the chain's events and the manifests."""
    from origo_node.anchoring import batch_manifest

    ids: list[str] = []
    any_node = next(iter(consortium.nodes.values()))
    for event in consortium.chain.events(0, consortium.chain.head()):
        if event.name == "BatchAnchored":
            raw = any_node.payloads.get(event.args["manifestCid"])
            entries = batch_manifest.decode(
                raw, issuer=event.args["issuer"].decode(), root=event.args["root"], count=event.args["count"]
            )
            ids.extend("0x" + e.leaf.document_id.hex() for e in entries)
    return ids


def issue(consortium: Consortium, *references: str) -> list[str]:
    vn = consortium.nodes["VN"]
    return [vn.issuing.issue(form_d(ref)).document_id for ref in references]


def test_an_issued_document_is_pending_then_anchored_once_and_indexed_by_every_member(
    consortium: Consortium,
) -> None:
    [doc] = issue(consortium, "VN-HCM-2026-U0001")
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    assert vn.status.status(doc).state == "pending"
    with pytest.raises(NotFound):
        sg.status.status(doc)
    consortium.settle()
    assert anchored_ids(consortium) == [doc]
    for node in (vn, sg):
        status = node.status.status(doc).answer().model_dump(mode="json")
        assert status["state"] == "valid" and status["anchor"]["block"] is not None
    assert vn.outbox_pending() == 0
    verdict = sg.verify.verify_id(doc).answer().model_dump(mode="json")
    assert verdict["verdict"] == "valid" and verdict["checks"]["signature"] is True


def test_a_reference_is_issued_once(consortium: Consortium) -> None:
    issue(consortium, "VN-HCM-2026-U0002")
    with pytest.raises(Conflict):
        issue(consortium, "VN-HCM-2026-U0002")


def test_many_documents_go_in_few_batches(consortium: Consortium) -> None:
    docs = issue(consortium, *(f"VN-HCM-2026-M{i:04d}" for i in range(150)))
    consortium.settle()
    anchored = anchored_ids(consortium)
    assert sorted(anchored) == sorted(docs)
    batches = [e for e in consortium.chain.events(0, consortium.chain.head()) if e.name == "BatchAnchored"]
    assert len(batches) == 3  # 64 + 64 + 22


def test_the_importer_accepts_in_part_then_in_full(consortium: Consortium) -> None:
    [doc] = issue(consortium, "VN-HCM-2026-U0003")
    consortium.settle()
    sg, vn = consortium.nodes["SG"], consortium.nodes["VN"]
    params = Accept(declaration="SG-IMP-1", claims=(ItemClaim(1, 1_000),))
    action = sg.actions.submit(sg.status.resolver.resolve(doc), params, wait_s=0)
    consortium.settle()
    assert sg.actions.get(action.id).state == "done"
    status = vn.status.status(doc).answer().model_dump(mode="json")
    assert status["state"] == "partially_accepted"
    (used,) = status["utilisations"]
    assert used["claims"] == [{"item": 1, "unit": "KGM", "quantity": "1.000", "remaining": "19199.000"}]
    rest = sg.actions.submit(sg.status.resolver.resolve(doc), Accept(declaration="SG-IMP-2"), 0)
    consortium.settle()
    assert sg.actions.get(rest.id).state == "done"
    status = vn.status.status(doc).answer().model_dump(mode="json")
    assert status["state"] == "accepted" and status["utilisations"][1]["whole_certificate"] is True
    assert status["items"][0]["remaining"] == "0.000"


def test_a_refused_action_is_answered_at_once_and_nothing_is_queued(consortium: Consortium) -> None:
    [doc] = issue(consortium, "VN-HCM-2026-U0004")
    consortium.settle()
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    # Only the importing member may accept: VN's node is refused by the chain's rule before anything is sent.
    with pytest.raises(ChainRuleViolated) as refused:
        vn.actions.submit(vn.status.resolver.resolve(doc), Accept(declaration="X"), wait_s=0)
    assert refused.value.details["rule"] == "RegistryWrongMember"
    assert vn.db.read().execute("SELECT count(*) FROM actions").fetchone()[0] == 0
    with pytest.raises(ValidationFailed):
        sg.actions.submit(sg.status.resolver.resolve(doc), Accept(declaration="é" * 40), wait_s=0)


def test_an_action_on_a_pending_document_is_a_conflict(consortium: Consortium) -> None:
    [doc] = issue(consortium, "VN-HCM-2026-U0005")
    with pytest.raises(Conflict):
        consortium.nodes["VN"].actions.submit(
            consortium.nodes["VN"].status.resolver.resolve(doc), Revoke(reason_code=1, reason="x"), wait_s=0
        )


def test_revocation_and_supersession_reach_every_index(consortium: Consortium) -> None:
    old, other = issue(consortium, "VN-HCM-2026-U0006", "VN-HCM-2026-U0007")
    consortium.settle()
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    vn.actions.submit(
        vn.status.resolver.resolve(other), Revoke(reason_code=2, reason="issued in error"), wait_s=0
    )
    new = vn.issuing.issue(form_d("VN-HCM-2026-U0008"), supersedes=old).document_id
    vn.actions.submit(vn.status.resolver.resolve(old), Supersede(replacement_id=new), wait_s=0)
    consortium.settle()
    assert sg.status.status(other).state == "revoked"
    assert sg.status.status(other).answer().model_dump(mode="json")["revocation"]["reason_code"] == 2
    assert sg.status.status(old).state == "superseded"
    assert sg.status.status(old).superseded_by == new
    assert sg.status.status(new).state == "valid"


def _stored_by_an_older_node(node: FakeNode, kind: str, document_id: str, params: str) -> int:
    """An action row as the node wrote it before its parameters were typed: the JSON written as it was."""
    with node.db.transaction() as conn:
        cursor = conn.execute(
            "INSERT INTO actions (kind, document_id, params, state, created_at)"
            " VALUES (?, ?, ?, 'pending', ?) RETURNING id",
            (kind, document_id, params, time.time()),
        )
        return int(cursor.fetchone()[0])


def test_actions_stored_in_the_old_json_form_load_and_are_sent(consortium: Consortium) -> None:
    revoked, claimed = issue(consortium, "VN-HCM-2026-U0009", "VN-HCM-2026-U0010")
    consortium.settle()
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    # Recorded before documents were named by their issuer (so on this member's own document) ...
    revocation = '{"reason_code": 2, "reason": "issued in error"}'
    revoke_id = _stored_by_an_older_node(vn, "revoke", revoked, revocation)
    # ... and an accept recorded before claims named items: a quantity alone, on the one item's quantity.
    claim = '{"declaration": "SG-IMP-OLD", "quantity": "5", "issuer": "VN"}'
    accept_id = _stored_by_an_older_node(sg, "accept", claimed, claim)
    pending = vn.actions.get(revoke_id)
    assert (pending.kind, pending.state, pending.params) == ("revoke", "pending", json.loads(revocation))
    consortium.settle()
    assert vn.actions.get(revoke_id).state == "done" and sg.actions.get(accept_id).state == "done"
    assert sg.status.status(revoked).answer().model_dump(mode="json")["revocation"]["reason_code"] == 2
    status = vn.status.status(claimed).answer().model_dump(mode="json")
    assert status["state"] == "partially_accepted"
    (used,) = status["utilisations"]
    assert used["declaration"] == "SG-IMP-OLD"
    assert used["claims"] == [{"item": 1, "unit": "KGM", "quantity": "5.000", "remaining": "19195.000"}]


def test_a_suspended_member_cannot_anchor_and_its_documents_wait(consortium: Consortium) -> None:
    from fakenode_support import admin_account
    from origo_node.chain import calls

    chain = consortium.chain
    # VN's suspension needs two votes of three members (quorum 50.01%): SG proposes, TH votes.
    for code, call in (("SG", calls.propose_status_change(1, b"VN")), ("TH", calls.vote(1))):
        account = admin_account(code)
        signed = chain.sign(account, call, nonce=chain.nonce(account.address), gas=100_000, gas_price=1)
        chain.send_raw(signed.raw)
    consortium.settle()
    vn = consortium.nodes["VN"]
    suspended = vn.directory.get("VN")
    assert suspended is not None and not suspended.active
    # The node refuses new documents for a suspended member ...
    with pytest.raises(OrigoError):
        vn.issuing.issue(form_d("VN-HCM-2026-U0009"))
    # ... and the chain refuses its batches, whatever a node does.
    with pytest.raises(ChainRuleViolated) as refused:
        vn.sender.simulate(calls.anchor_batch(b"\1" * 32, 1, "bafy"))
    assert refused.value.details["rule"] == "RegistryNotIssuer"


def test_the_index_rebuilds_from_the_chain_alone(consortium: Consortium) -> None:
    docs = issue(consortium, "VN-HCM-2026-U0010", "VN-HCM-2026-U0011")
    consortium.settle()
    sg = consortium.nodes["SG"]
    before = [sg.status.status(d) for d in docs]
    sg.db.drop_index()
    consortium.settle()
    after = [sg.status.status(d) for d in docs]
    for a, b in zip(before, after, strict=True):
        assert replace(a, reference=None) == replace(b, reference=None)


def test_governance_proposes_votes_and_reads(consortium: Consortium) -> None:
    from fakenode_support import admin_account
    from origo_node.chain.sender import TxSender
    from origo_node.services.governance import AddMember, ChangeQuorum, ChangeStatus, GovernanceService

    vn = consortium.nodes["VN"]
    admin = TxSender(consortium.chain, admin_account("VN"))
    service = GovernanceService(consortium.chain, admin, vn.directory, tx_timeout_s=1.0)
    proposal = service.propose(ChangeQuorum(quorum_bps=7000))
    assert (proposal.kind, proposal.proposer, proposal.quorum_bps) == ("change_quorum", "VN", 7000)
    assert proposal.yes_votes == 1 and not proposal.executed
    assert [p.id for p in service.proposals()] == [proposal.id]
    with pytest.raises(ChainRuleViolated):
        service.vote(proposal.id)  # VN voted when it proposed
    wrongs: list[tuple[str, dict[str, Any]]] = [
        ("/member/code", {"code": "xx"}),
        ("/member/name", {"name": "  "}),
        ("/member/encryption_key", {"encryption_key": "abcd"}),
        ("/member/encryption_key", {"encryption_key": "0xzz"}),
        ("/member/admin", {"admin": "0x12"}),
        ("/member/validator", {"validator": "nobody"}),
        ("/member/issuers/1", {"issuers": (ADMIN, "0x12")}),
    ]
    for pointer, wrong in wrongs:
        with pytest.raises(ValidationFailed) as refused:
            service.propose(AddMember(member=replace(CANDIDATE, **wrong)))
        assert [e["pointer"] for e in refused.value.errors] == [pointer]
    with pytest.raises(ValidationFailed) as refused:
        service.propose(ChangeQuorum(quorum_bps=0))
    assert [e["pointer"] for e in refused.value.errors] == ["/quorum_bps"]
    admission = service.propose(AddMember(member=CANDIDATE))
    assert (admission.kind, admission.target, admission.yes_votes) == ("add_member", "KH", 1)
    suspension = service.propose(ChangeStatus(kind="suspend_member", target="SG"))
    assert (suspension.kind, suspension.target) == ("suspend_member", "SG")
    with pytest.raises(ValidationFailed):
        service.propose(ChangeStatus(kind="remove_member", target="sg"))


ADMIN = "0x" + "ab" * 20
CANDIDATE = Candidate(
    code="KH",
    name="Customs KH",
    admin=ADMIN,
    encryption_key="0x" + "04" * 32,
    endpoint="https://kh.example",
)

"""The desk's typed answers on the fake chain: the check before issuing, and a supersession."""

from __future__ import annotations

import pytest
from fakenode_support import Consortium, form_d
from origo_node.errors import NotFound
from origo_node.services.bulk_check import DeskService
from origo_node.services.officer_desk import OfficerDesk
from origo_node.store.index import IndexRepository
from origo_node.store.outbox import OutboxRepository


def test_a_check_tells_issued_identical_from_different_and_refused_from_new(consortium: Consortium) -> None:
    vn = consortium.nodes["VN"]
    issued = form_d("VN-HCM-2026-D0001")
    vn.issuing.issue(issued)
    changed = form_d("VN-HCM-2026-D0001")
    changed["items"][0]["description"] += " (changed)"
    no_exporter = form_d("VN-HCM-2026-D0003")
    del no_exporter["exporter"]
    desk = DeskService(OutboxRepository(vn.db), IndexRepository(vn.db), vn.issuing)
    for moment in ("accepted", "anchored"):  # the outbox answers first, then the index
        results = desk.check([issued, changed, form_d("VN-HCM-2026-D0002"), no_exporter, 42]).results
        assert [(r.index, r.valid, r.already_issued) for r in results] == [
            (0, True, "identical"),
            (1, True, "different"),
            (2, True, None),
            (3, False, None),
            (4, False, None),
        ], moment
        assert results[0].document_id == results[1].document_id and results[0].digest != results[1].digest
        refused = results[3].problem
        assert refused is not None and refused.status == 422
        assert [e["pointer"] for e in refused.errors or ()] == ["/exporter"]
        assert results[3].answer().model_dump(mode="json") == {
            "index": 3,
            "valid": False,
            "document_id": None,
            "reference": None,
            "digest": None,
            "already_issued": None,
            "problem": refused.answer().model_dump(mode="json"),
        }
        consortium.settle()
    # Checking stored nothing: the new document is unknown after the check, as before.
    with pytest.raises(NotFound):
        vn.status.resolver.resolve(results[2].document_id or "")
    assert desk.issued_digest("VN", results[2].document_id or "") is None


def test_a_supersession_answers_the_replacement_the_old_one_and_the_action(consortium: Consortium) -> None:
    vn, sg = consortium.nodes["VN"], consortium.nodes["SG"]
    old = vn.issuing.issue(form_d("VN-HCM-2026-D0010")).document_id
    consortium.settle()
    desk = OfficerDesk("VN", vn.status, vn.issuing, vn.actions, vn.checker)
    replacement = form_d("VN-HCM-2026-D0011")
    answer = desk.supersede("VN:VN-HCM-2026-D0010", replacement, ["SG"])
    assert answer.supersedes == old and answer.supersedes.issuer == "VN"
    assert answer.replacement.reference == "VN-HCM-2026-D0011"
    assert (answer.action.kind, answer.action.params["replacement_id"]) == (
        "supersede",
        answer.replacement.document_id,
    )
    shown = answer.answer().model_dump(mode="json")
    assert list(shown)[-2:] == ["supersedes", "action"] and shown["supersedes"] == old
    assert shown["action"]["document_id"] == old and shown["state"] == "pending"
    consortium.settle()
    assert sg.status.status(old).superseded_by == answer.replacement.document_id

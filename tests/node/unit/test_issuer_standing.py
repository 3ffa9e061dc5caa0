"""The issuer check alone: the member directory as a node remembers it (its stored snapshot), no chain."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from origo_node.errors import Conflict
from origo_node.members import MemberDirectory, MemberStatus
from origo_node.services.issuer_standing import RULE, require_registered_issuer
from origo_node.store.db import Database

ISSUER = "0x" + "ab" * 20
OTHER = "0x" + "cd" * 20


def directory(tmp_path: Path, issuers: list[str]) -> MemberDirectory:
    db = Database(tmp_path / "node.db")
    member = {
        "code": "VN",
        "name": "General Department of Vietnam Customs",
        "admin": "0x" + "01" * 20,
        "validator": "0x" + "01" * 20,
        "status": int(MemberStatus.ACTIVE),
        "encryption_key": "00",
        "endpoint": "http://127.0.0.1:8701",
        "joined_at_block": 1,
        "issuers": issuers,
    }
    with db.transaction() as conn:
        conn.execute("INSERT INTO node_facts (name, value) VALUES ('members', ?)", (json.dumps([member]),))
    return MemberDirectory(client=None, db=db)  # type: ignore[arg-type]  # never refreshed here


def test_a_registered_issuer_passes_whatever_the_address_case(tmp_path: Path) -> None:
    require_registered_issuer(directory(tmp_path, [ISSUER.upper().replace("0X", "0x")]), "VN", ISSUER)


@pytest.mark.parametrize("issuers", [[OTHER], []])
def test_an_account_that_is_not_an_issuer_is_refused_with_the_facts(
    tmp_path: Path, issuers: list[str]
) -> None:
    with pytest.raises(Conflict) as refused:
        require_registered_issuer(directory(tmp_path, issuers), "VN", ISSUER)
    assert refused.value.details["rule"] == RULE
    assert f"account {ISSUER}, which is not (or no longer) an issuer of VN" in refused.value.message
    assert f"its issuers there: {OTHER if issuers else 'none'}" in refused.value.message


def test_an_unknown_member_is_left_to_the_membership_check(tmp_path: Path) -> None:
    require_registered_issuer(directory(tmp_path, [OTHER]), "SG", ISSUER)

"""Governance through this member's admin account: propose, vote, and read the proposals."""

from __future__ import annotations

from typing import Any

from web3 import Web3

from origo_node.chain.client import ChainClient, TxSender
from origo_node.errors import ChainError, Forbidden, ValidationFailed
from origo_node.members import MemberDirectory
from origo_node.store.db import Database

KINDS = ("add_member", "suspend_member", "reinstate_member", "remove_member", "change_quorum")
_STATUS_KIND = {"suspend_member": 1, "reinstate_member": 2, "remove_member": 3}


def _bad(pointer: str, message: str) -> ValidationFailed:
    return ValidationFailed("the proposal is not valid", errors=[{"pointer": pointer, "message": message}])


def _code(value: Any, pointer: str) -> bytes:
    if not isinstance(value, str) or len(value) != 2 or not value.isalpha() or not value.isupper():
        raise _bad(pointer, "must be a member code such as 'TH'")
    return value.encode("ascii")


def _address(value: Any, pointer: str) -> str:
    if not isinstance(value, str) or not Web3.is_address(value):
        raise _bad(pointer, "must be an account address (0x + 40 hex digits)")
    return str(Web3.to_checksum_address(value))


class GovernanceService:
    def __init__(
        self,
        db: Database,
        client: ChainClient,
        admin: TxSender | None,
        directory: MemberDirectory,
        tx_timeout_s: float,
    ) -> None:
        self._db = db
        self._tx_timeout_s = tx_timeout_s
        self._client = client
        self._admin = admin
        self._directory = directory

    def proposals(self) -> list[dict[str, Any]]:
        fns = self._client.membership.functions
        count = int(self._client.call(lambda: fns.proposalCount().call()))
        return [self.proposal(i) for i in range(count, 0, -1)]

    def proposal(self, proposal_id: int) -> dict[str, Any]:
        fns = self._client.membership.functions
        info = self._client.call(lambda: fns.proposal(proposal_id).call())
        kinds = ["add_member", "suspend_member", "reinstate_member", "remove_member", "change_quorum"]
        result: dict[str, Any] = {
            "id": int(info[0]),
            "kind": kinds[int(info[1])],
            "proposer": bytes(info[2]).decode("ascii"),
            "target": bytes(info[3]).decode("ascii") if bytes(info[3]) != b"\0\0" else None,
            "quorum_bps": int(info[4]) or None,
            "deadline": int(info[5]),
            "yes_votes": int(info[6]),
            "required_votes": int(info[7]),
            "executed": bool(info[8]),
            "expired": bool(info[9]),
        }
        return result

    def propose(self, body: dict[str, Any]) -> dict[str, Any]:
        sender = self._require_admin()
        fns = self._client.membership.functions
        kind = body.get("kind")
        if kind == "add_member":
            member = body.get("member")
            if not isinstance(member, dict):
                raise _bad("/member", "required for add_member")
            call = fns.proposeAddMember(self._member_init(member))
        elif kind in _STATUS_KIND:
            call = fns.proposeStatusChange(_STATUS_KIND[kind], _code(body.get("target"), "/target"))
        elif kind == "change_quorum":
            bps = body.get("quorum_bps")
            if not isinstance(bps, int) or not 0 < bps <= 10_000:
                raise _bad("/quorum_bps", "must be an integer in (0, 10000]")
            call = fns.proposeQuorum(bps)
        else:
            raise _bad("/kind", f"must be one of {', '.join(KINDS)}")
        receipt = self._send(sender, call)
        created = self._client.membership.events.ProposalCreated().process_receipt(receipt)
        return self.proposal(int(created[0]["args"]["id"]))

    def vote(self, proposal_id: int) -> dict[str, Any]:
        sender = self._require_admin()
        self._send(sender, self._client.membership.functions.vote(proposal_id))
        return self.proposal(proposal_id)

    def _member_init(self, m: dict[str, Any]) -> tuple[Any, ...]:
        name, endpoint, key = m.get("name"), m.get("endpoint"), m.get("encryption_key")
        if not isinstance(name, str) or not name.strip():
            raise _bad("/member/name", "required")
        if not isinstance(endpoint, str):
            raise _bad("/member/endpoint", "required: the member node's URL")
        if not isinstance(key, str) or not key.startswith("0x"):
            raise _bad("/member/encryption_key", "required: the member's published encryption key, 0x-hex")
        try:
            key_bytes = bytes.fromhex(key[2:])
        except ValueError as exc:
            raise _bad("/member/encryption_key", "not hex") from exc
        issuers = m.get("issuers") or []
        if not isinstance(issuers, list):
            raise _bad("/member/issuers", "must be a list of addresses")
        return (
            _code(m.get("code"), "/member/code"),
            name,
            _address(m.get("admin"), "/member/admin"),
            _address(m.get("validator") or m.get("admin"), "/member/validator"),
            [_address(a, f"/member/issuers/{i}") for i, a in enumerate(issuers)],
            key_bytes,
            endpoint,
        )

    def _require_admin(self) -> TxSender:
        if self._admin is None:
            raise Forbidden("this node holds no admin key for its member; governance is done elsewhere")
        return self._admin

    def _send(self, sender: TxSender, call: Any) -> Any:
        signed = sender.prepare(call)
        sender.broadcast(signed.raw)
        receipt = sender.wait(signed.tx_hash, self._tx_timeout_s)
        if receipt is None:
            raise ChainError("the governance transaction was not mined in time", tx=signed.tx_hash)
        if receipt["status"] != 1:
            raise ChainError("the governance transaction reverted", tx=signed.tx_hash)
        return receipt

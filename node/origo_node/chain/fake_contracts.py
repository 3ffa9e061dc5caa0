"""The fake chain's model of the two contracts: the rules the node relies on, in plain Python.

It follows contracts/DocumentRegistry.sol and contracts/Membership.sol for what the node calls (anchoring,
the six document actions, proposals and votes) and raises the same custom errors by name. As on chain, a
document is named by (issuer, id) and a batch by (issuer, root). The conformance
suite holds it to the real contracts on anvil; a rule the contracts change is changed here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from eth_abi.abi import encode as abi_encode

from origo_node.chain.merkle import Leaf, leaf_hash, verify
from origo_node.chain.port import AnchoredBatch, Call, MemberRecord, ProposalRecord
from origo_node.errors import ChainRuleViolated

Emitted = tuple[str, str, dict[str, Any]]  # (contract, event name, arguments)

_ACTIVE, _SUSPENDED, _REMOVED = 1, 2, 3
#: ``IMembership.MemberInit``, as a proposal to add a member carries it ABI-encoded.
_MEMBER_INIT = "(bytes2,string,address,address,address[],bytes,string)"
_STATUS_OF_KIND = {1: _SUSPENDED, 2: _ACTIVE, 3: _REMOVED}


def refuse(rule: str, *args: Any) -> ChainRuleViolated:
    shown = ["0x" + a.hex() if isinstance(a, bytes) else a for a in args]
    return ChainRuleViolated(f"the chain refused: {rule}", rule=rule, args=shown)


def declaration_fault(declaration: bytes) -> int | None:
    """The first byte of a bytes32 declaration that is not in canonical form, as the registry finds it
    (``_requireCanonicalDeclaration``); None when it is canonical."""
    length = next((i for i, b in enumerate(declaration) if b == 0), 32)
    if length == 0:
        return 0
    for i, b in enumerate(declaration):
        if i >= length:
            allowed = b == 0
        elif b == 0x20:
            allowed = (
                0 < i < length - 1
                and declaration[i - 1] != 0x20
                and declaration[i - 1] not in b"-/."
                and declaration[i + 1] not in b"-/."
            )
        else:
            allowed = 0x20 < b < 0x7F and not 0x61 <= b <= 0x7A
        if not allowed:
            return i
    return None


@dataclass
class _DocState:
    leaf_tag: bytes = b""
    declarations: frozenset[bytes] = frozenset()
    claimed: dict[int, int] = field(default_factory=dict)  # item index -> thousandths claimed item by item
    full: bool = False
    revoked: bool = False
    rejected: bool = False
    superseded_by: bytes = b""
    verification_open: bool = False
    not_confirmed: bool = False  # the last verification request was answered "not confirmed"
    reason_code: int = 0


@dataclass
class _Proposal:
    kind: int
    proposer: str
    target: str | None
    quorum_bps: int
    deadline: int
    member: MemberRecord | None
    votes: set[str] = field(default_factory=set)
    executed: bool = False


@dataclass
class ContractState:
    members: dict[str, MemberRecord]
    quorum_bps: int = 5001
    voting_period: int = 24 * 3600
    batches: dict[tuple[str, bytes], AnchoredBatch] = field(default_factory=dict)
    documents: dict[tuple[str, bytes], _DocState] = field(default_factory=dict)
    proposals: list[_Proposal] = field(default_factory=list)

    # ------------------------------------------------------------ who is who

    def issuer_member(self, account: str) -> str | None:
        for m in self.members.values():
            if m.status == _ACTIVE and account.lower() in (a.lower() for a in m.issuers):
                return m.code
        return None

    def admin_member(self, account: str) -> str | None:
        for m in self.members.values():
            if m.status == _ACTIVE and m.admin.lower() == account.lower():
                return m.code
        return None

    def required_votes(self) -> int:
        active = sum(1 for m in self.members.values() if m.status == _ACTIVE)
        return max(1, (active * self.quorum_bps + 9_999) // 10_000)

    def proposal_record(self, proposal_id: int, now: int) -> ProposalRecord:
        if not 0 < proposal_id <= len(self.proposals):
            raise refuse("MembershipUnknownProposal", proposal_id)
        p = self.proposals[proposal_id - 1]
        return ProposalRecord(
            id=proposal_id,
            kind=p.kind,
            proposer=p.proposer,
            target=p.target,
            quorum_bps=p.quorum_bps,
            deadline=p.deadline,
            yes_votes=len(p.votes),
            required_votes=self.required_votes(),
            executed=p.executed,
            expired=not p.executed and now >= p.deadline,
        )

    # ------------------------------------------------------------ transactions

    def apply(self, sender: str, call: Call, block: int, now: int) -> list[Emitted]:
        """Runs ``call`` from ``sender``; the events it emits, or ChainRuleViolated (state untouched)."""
        handler = getattr(self, f"_{call.contract}_{call.function}", None)
        if handler is None:
            raise refuse("Revert")
        result: list[Emitted] = handler(sender, block, now, *call.args)
        return result

    def _registry_anchorBatch(
        self, sender: str, block: int, now: int, root: bytes, count: int, cid: str
    ) -> Any:
        issuer = self.issuer_member(sender)
        if issuer is None:
            raise refuse("RegistryNotIssuer", sender)
        if count == 0:
            raise refuse("RegistryEmptyBatch")
        if (issuer, root) in self.batches:
            raise refuse("RegistryBatchExists", issuer.encode(), root)
        self.batches[(issuer, root)] = AnchoredBatch(issuer, count, block, now)
        args = {
            "root": root,
            "issuer": issuer.encode(),
            "account": sender,
            "count": count,
            "manifestCid": cid,
        }
        return [("registry", "BatchAnchored", args)]

    def _authorise(self, sender: str, expected: str) -> None:
        actual = self.issuer_member(sender)
        if actual is None:
            raise refuse("RegistryNotIssuer", sender)
        if actual != expected:
            raise refuse("RegistryWrongMember", sender, actual.encode(), expected.encode())

    def _load(self, values: Any, root: bytes, proof: list[bytes]) -> tuple[Leaf, _DocState]:
        leaf = Leaf.from_abi_tuple(values)
        h = leaf_hash(leaf)
        batch = self.batches.get((leaf.issuer, root))
        if batch is None or not verify(proof, root, h):
            raise refuse("RegistryNotAnchored", leaf.document_id, root)
        state = replace(self.documents.get((leaf.issuer, leaf.document_id), _DocState()))
        state.claimed = dict(state.claimed)  # a refused call must leave the stored counts as they were
        if not state.leaf_tag:
            state.leaf_tag = h[:16]
        elif state.leaf_tag != h[:16]:
            raise refuse("RegistryLeafMismatch", leaf.document_id)
        return leaf, state

    def _not_ended(self, doc_id: bytes, s: _DocState) -> None:
        if s.revoked:
            raise refuse("RegistryRevoked", doc_id, s.reason_code)
        if s.superseded_by:
            raise refuse("RegistrySuperseded", doc_id, s.superseded_by)

    def _registry_revoke(self, sender: str, _b: int, _n: int, *a: Any) -> Any:
        values, root, proof, code, reason = a
        self._authorise(sender, Leaf.from_abi_tuple(values).issuer)
        leaf, s = self._load(values, root, proof)
        self._not_ended(leaf.document_id, s)
        s.revoked, s.reason_code = True, code
        self.documents[(leaf.issuer, leaf.document_id)] = s
        args = {
            "documentId": leaf.document_id,
            "issuer": leaf.issuer.encode(),
            "account": sender,
            "reasonCode": code,
            "reason": reason,
        }
        return [("registry", "DocumentRevoked", args)]

    def _registry_supersede(self, sender: str, _b: int, _n: int, *a: Any) -> Any:
        old, old_root, old_proof, new, new_root, new_proof = a
        old_leaf, new_leaf = Leaf.from_abi_tuple(old), Leaf.from_abi_tuple(new)
        self._authorise(sender, old_leaf.issuer)
        if new_leaf.document_id == old_leaf.document_id or new_leaf.issuer != old_leaf.issuer:
            raise refuse("RegistryInvalidReplacement", old_leaf.document_id, new_leaf.document_id)
        _, s = self._load(old, old_root, old_proof)
        self._not_ended(old_leaf.document_id, s)
        _, replacement = self._load(new, new_root, new_proof)
        self._not_ended(new_leaf.document_id, replacement)
        s.superseded_by = new_leaf.document_id
        self.documents[(old_leaf.issuer, old_leaf.document_id)] = s
        args = {
            "documentId": old_leaf.document_id,
            "replacementId": new_leaf.document_id,
            "issuer": old_leaf.issuer.encode(),
            "account": sender,
        }
        return [("registry", "DocumentSuperseded", args)]

    def _registry_accept(self, sender: str, _b: int, now: int, *a: Any) -> Any:
        values, root, proof, declaration, claims = a
        self._authorise(sender, Leaf.from_abi_tuple(values).importer)
        fault = declaration_fault(declaration)
        if fault is not None:
            raise refuse("RegistryDeclarationNotCanonical", declaration, fault)
        leaf, s = self._load(values, root, proof)
        doc = leaf.document_id
        self._not_ended(doc, s)
        if leaf.expires_at and now >= leaf.expires_at:
            raise refuse("RegistryExpired", doc, leaf.expires_at)
        if s.rejected:
            raise refuse("RegistryRejected", doc)
        if s.verification_open:
            raise refuse("RegistryUnderVerification", leaf.issuer.encode(), doc)
        if s.not_confirmed:
            raise refuse("RegistryNotConfirmed", leaf.issuer.encode(), doc)
        if s.full:
            raise refuse("RegistryFullyUtilised", doc)
        if declaration in s.declarations:
            raise refuse("RegistryDeclarationUsed", leaf.issuer.encode(), doc, declaration)
        s.declarations = s.declarations | {declaration}
        taken = [self._claim_item(leaf, s, int(item), int(quantity)) for item, quantity in claims]
        # No claims is the whole certificate; otherwise it is used up when every item's quantity is.
        quantities = leaf.quantities
        s.full = not claims or (
            0 < len(quantities) <= 256 and all(0 < q <= s.claimed.get(i, 0) for i, q in enumerate(quantities))
        )
        self.documents[(leaf.issuer, doc)] = s
        args = {
            "documentId": doc,
            "issuer": leaf.issuer.encode(),
            "importer": leaf.importer.encode(),
            "account": sender,
            "declaration": declaration,
            "claims": taken,
            "fullyUtilised": s.full,
        }
        return [("registry", "DocumentAccepted", args)]

    @staticmethod
    def _claim_item(leaf: Leaf, s: _DocState, item: int, quantity: int) -> dict[str, int]:
        doc = leaf.document_id
        if item >= len(leaf.quantities):
            raise refuse("RegistryNoSuchItem", doc, item, len(leaf.quantities))
        total = leaf.quantities[item]
        if total == 0:
            raise refuse("RegistryQuantityNotTracked", doc, item)
        claimed = s.claimed.get(item, 0)
        remaining = total - claimed
        if remaining == 0:
            raise refuse("RegistryItemFullyUtilised", doc, item)
        quantity = quantity or remaining
        if quantity > remaining:
            raise refuse("RegistryQuantityExceeded", doc, item, quantity, remaining)
        s.claimed[item] = claimed + quantity
        return {"item": item, "quantity": quantity}

    def _registry_reject(self, sender: str, _b: int, _n: int, *a: Any) -> Any:
        values, root, proof, code, reason = a
        self._authorise(sender, Leaf.from_abi_tuple(values).importer)
        leaf, s = self._load(values, root, proof)
        if s.rejected:
            raise refuse("RegistryRejected", leaf.document_id)
        s.rejected = True
        if not s.revoked:
            s.reason_code = code
        self.documents[(leaf.issuer, leaf.document_id)] = s
        args = {
            "documentId": leaf.document_id,
            "issuer": leaf.issuer.encode(),
            "importer": leaf.importer.encode(),
            "account": sender,
            "reasonCode": code,
            "reason": reason,
        }
        return [("registry", "DocumentRejected", args)]

    def _registry_requestVerification(self, sender: str, _b: int, _n: int, *a: Any) -> Any:
        values, root, proof, reason = a
        self._authorise(sender, Leaf.from_abi_tuple(values).importer)
        leaf, s = self._load(values, root, proof)
        if s.verification_open:
            raise refuse("RegistryVerificationOpen", leaf.document_id)
        s.verification_open, s.not_confirmed = True, False
        self.documents[(leaf.issuer, leaf.document_id)] = s
        args = {
            "documentId": leaf.document_id,
            "issuer": leaf.issuer.encode(),
            "importer": leaf.importer.encode(),
            "account": sender,
            "reason": reason,
        }
        return [("registry", "VerificationRequested", args)]

    def _registry_answerVerification(self, sender: str, _b: int, _n: int, *a: Any) -> Any:
        values, root, proof, confirmed, reason = a
        self._authorise(sender, Leaf.from_abi_tuple(values).issuer)
        leaf, s = self._load(values, root, proof)
        if not s.verification_open:
            raise refuse("RegistryNoVerificationOpen", leaf.document_id)
        s.verification_open, s.not_confirmed = False, not confirmed
        self.documents[(leaf.issuer, leaf.document_id)] = s
        args = {
            "documentId": leaf.document_id,
            "issuer": leaf.issuer.encode(),
            "account": sender,
            "confirmed": confirmed,
            "reason": reason,
        }
        return [("registry", "VerificationAnswered", args)]

    # ------------------------------------------------------------ governance

    def _propose(
        self, sender: str, now: int, kind: int, target: str | None, bps: int, member: MemberRecord | None,
        data: bytes = b"",
    ) -> Any:  # fmt: skip
        proposer = self.admin_member(sender)
        if proposer is None:
            raise refuse("MembershipNotAdmin", sender)
        deadline = now + self.voting_period
        self.proposals.append(_Proposal(kind, proposer, target, bps, deadline, member))
        proposal_id = len(self.proposals)
        # As the contract's event gives them: the indexed arguments first, no target as two zero bytes.
        shown = (target or "\0\0").encode()
        args = {"id": proposal_id, "proposer": proposer.encode(), "kind": kind, "target": shown,
                "newQuorumBps": bps, "deadline": deadline, "data": data}  # fmt: skip
        return [("membership", "ProposalCreated", args), *self._vote(proposal_id, proposer)]

    def _membership_proposeStatusChange(
        self, sender: str, _b: int, now: int, kind: int, target: bytes
    ) -> Any:
        code = bytes(target).decode("ascii")
        if code not in self.members:
            raise refuse("MembershipUnknownMember", target)
        return self._propose(sender, now, kind, code, 0, None)

    def _membership_proposeQuorum(self, sender: str, _b: int, now: int, bps: int) -> Any:
        if not 0 < bps <= 10_000:
            raise refuse("MembershipInvalidQuorum", bps)
        return self._propose(sender, now, 4, None, bps, None)

    def _membership_proposeAddMember(self, sender: str, block: int, now: int, m: Any) -> Any:
        code, name, admin, validator, issuers, key, endpoint = m
        record = MemberRecord(
            bytes(code).decode("ascii"),
            name,
            admin,
            validator,
            _ACTIVE,
            bytes(key),
            endpoint,
            block,
            tuple(issuers),
        )
        if record.code in self.members:
            raise refuse("MembershipMemberExists", bytes(code))
        return self._propose(sender, now, 0, record.code, 0, record, abi_encode([_MEMBER_INIT], [m]))

    def _membership_vote(self, sender: str, _b: int, now: int, proposal_id: int) -> Any:
        voter = self.admin_member(sender)
        if voter is None:
            raise refuse("MembershipNotAdmin", sender)
        p = self.proposal_record(proposal_id, now)
        if p.executed:
            raise refuse("MembershipProposalExecuted", proposal_id)
        if p.expired:
            raise refuse("MembershipProposalExpired", proposal_id, p.deadline)
        if voter in self.proposals[proposal_id - 1].votes:
            raise refuse("MembershipAlreadyVoted", proposal_id, voter.encode())
        return self._vote(proposal_id, voter)

    def _vote(self, proposal_id: int, voter: str) -> list[Emitted]:
        p = self.proposals[proposal_id - 1]
        p.votes.add(voter)
        tally = {"id": proposal_id, "voter": voter.encode(), "yesVotes": len(p.votes),
                 "requiredVotes": self.required_votes()}  # fmt: skip
        emitted: list[Emitted] = [("membership", "Voted", tally)]
        if len(p.votes) < self.required_votes():
            return emitted
        p.executed = True
        if p.member is not None:
            self.members[p.member.code] = p.member
            emitted.extend(member_added(p.member, proposal_id))
        elif p.target is not None:
            previous = self.members[p.target].status
            self.members[p.target] = replace(self.members[p.target], status=_STATUS_OF_KIND[p.kind])
            args = {"code": p.target.encode(), "previous": previous, "current": _STATUS_OF_KIND[p.kind],
                    "proposalId": proposal_id}  # fmt: skip
            emitted.append(("membership", "MemberStatusChanged", args))
        else:
            args = {"previousBps": self.quorum_bps, "newBps": p.quorum_bps, "proposalId": proposal_id}
            self.quorum_bps = p.quorum_bps
            emitted.append(("membership", "QuorumChanged", args))
        emitted.append(("membership", "ProposalExecuted", {"id": proposal_id}))
        return emitted


def member_added(m: MemberRecord, proposal_id: int) -> list[Emitted]:
    """The events the membership contract emits for a member it adds (at deployment or by a vote)."""
    code = m.code.encode()
    args = {"code": code, "name": m.name, "admin": m.admin, "validator": m.validator,
            "encryptionKey": m.encryption_key, "endpoint": m.endpoint, "proposalId": proposal_id}  # fmt: skip
    issuers = [("membership", "IssuerAdded", {"code": code, "account": a}) for a in m.issuers]
    return [("membership", "MemberAdded", args), *issuers]

"""The fake chain's model of the two contracts: the rules the node relies on, in plain Python.

It follows contracts/DocumentRegistry.sol for what the node calls (anchoring and the six document actions),
and contracts/Membership.sol through ``chain.fake_membership`` (proposals and votes), and raises the same
custom errors by name. As on chain, a document is named by (issuer, id) and a batch by (issuer, root). The
conformance suite holds it to the real contracts on anvil; a rule the contracts change is changed here too.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from origo_node.chain.fake_membership import ACTIVE, Emitted, MembershipState, member_added, refuse
from origo_node.chain.merkle import Leaf, leaf_hash, verify
from origo_node.chain.port import AnchoredBatch, Call


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
class ContractState(MembershipState):
    """Both contracts: the registry's rules here, the membership's in ``MembershipState``."""

    batches: dict[tuple[str, bytes], AnchoredBatch] = field(default_factory=dict)
    documents: dict[tuple[str, bytes], _DocState] = field(default_factory=dict)

    # ------------------------------------------------------------ who is who

    def issuer_member(self, account: str) -> str | None:
        for m in self.members.values():
            if m.status == ACTIVE and account.lower() in (a.lower() for a in m.issuers):
                return m.code
        return None

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


__all__ = ["ContractState", "declaration_fault", "member_added", "refuse"]

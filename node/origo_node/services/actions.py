"""Officers' actions on anchored documents, each one chain transaction sent exactly once.

A request is simulated first (the contract's rules answer at once: a claim beyond what is left is refused
before anything is queued), then signed, recorded with its signed bytes, and only then broadcast. A worker
finishes what a crash interrupted by rebroadcasting the same bytes, so an action is never applied twice.
Supersession waits in the queue until its replacement is anchored. Each kind of action takes its own typed
parameters (``documents/action_params.py``); an accept's carry its claims already resolved to items
(``services/claims.py``), so a resend after a crash claims exactly the same.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from typing import Any

from origo_api.answers import Action

from origo_node.chain import calls
from origo_node.chain.port import Call, Receipt, SignedTx
from origo_node.chain.sender import TxSender
from origo_node.documents.action_failure import ActionFailure
from origo_node.documents.action_params import (
    Accept,
    ActionParams,
    AnswerVerification,
    Reject,
    RequestVerification,
    Revoke,
    Supersede,
    params_json,
)
from origo_node.documents.references import canonical_declaration
from origo_node.errors import ChainRuleViolated, Conflict, NotFound, OrigoError
from origo_node.services import claims
from origo_node.services.naming import DocumentKey
from origo_node.services.proofs import ProofService
from origo_node.services.reading import leaf_of
from origo_node.store.ports import ActionStore, IndexStore, OutboxStore
from origo_node.store.rows import ActionRecord

log = logging.getLogger(__name__)

_DECLARATION = re.compile(r"^[\x20-\x7e]{1,32}$")


def declaration_bytes(text: str) -> bytes:
    """The declaration as the chain takes it: its canonical form (``documents.references``; the registry
    refuses any other), ASCII, padded to 32 bytes. ``SG-D1``, `` SG-D1`` and ``sg-d1`` are one declaration."""
    canonical = canonical_declaration(text)
    if not _DECLARATION.match(canonical):
        raise claims.bad(
            "/declaration", "must be 1 to 32 printable ASCII characters (the import declaration number)"
        )
    return canonical.encode("ascii").ljust(32, b"\0")


class ActionService:
    def __init__(
        self,
        actions: ActionStore,
        index: IndexStore,
        outbox: OutboxStore,
        sender: TxSender,
        member: str,
        proofs: ProofService,
        *,
        confirmations: int = 0,
        replace_after_s: float = 60.0,
    ) -> None:
        #: Blocks on top of an action's before it counts as done: until then a reorganisation may drop it,
        #: and the sender finds it gone and sends the same bytes again.
        self._confirmations = confirmations
        #: How long a sent action may wait unmined before it is sent again at a higher fee (as batches are).
        self._replace_after_s = replace_after_s
        self._pending_since: dict[int, float] = {}
        self._actions = actions
        self._index = index
        self._outbox = outbox
        self._proofs = proofs
        self._sender = sender
        self._member = member
        #: Set by the node: wakes the action loop when it runs in this process.
        self.wake: Callable[[], None] | None = None

    # ------------------------------------------------------------------ requests

    def submit(self, document: DocumentKey, params: ActionParams, wait_s: float) -> Action:
        """Checks and records one action on ``document``, then waits up to ``wait_s`` for the sender to get it
        mined.

        Only the simulation happens here; signing and sending is the action loop's, in the one process that
        holds the node's background lock, so that API worker processes never hand out the same nonce twice.
        """
        waits = not isinstance(params, Supersede)  # a supersession waits for its replacement to be anchored
        if waits:
            self._sender.simulate(self._call(document, params))  # a refusal → 409 now
        # The document is named by (issuer, id): the issuer is recorded with the action's parameters.
        action_id = self._actions.add(str.__str__(document), document.issuer, params)
        if self.wake is not None:
            self.wake()
        deadline = time.monotonic() + wait_s
        while waits and time.monotonic() < deadline:
            if self.get(action_id).state in ("done", "failed"):
                break
            time.sleep(0.05)
        return self.get(action_id)

    def get(self, action_id: int) -> Action:
        record = self._actions.get(action_id)
        if record is None:
            raise NotFound(f"no action {action_id}")
        return Action(
            id=record.id,
            kind=record.kind,
            document_id=record.document_id,
            params=params_json(record.params, record.issuer),
            state=record.state,
            tx=record.tx_hash,
            block=record.block,
            error=None if record.error is None else record.error.answer(),
        )

    # ------------------------------------------------------------------ worker

    def run_once(self) -> int:
        """Finishes interrupted actions and sends supersessions whose replacement is anchored."""
        progressed = 0
        for record in self._actions.open():
            if record.state == "sent" and record.tx_hash is not None and record.raw_tx is not None:
                signed = SignedTx(tx_hash=record.tx_hash, raw=record.raw_tx, nonce=-1)
                progressed += self._drive(record, signed)
            else:
                progressed += self._start_pending(record)
        return progressed

    def _start_pending(self, record: ActionRecord) -> int:
        params = record.params
        if isinstance(params, Supersede) and not self._index.has_document(
            self._member, params.replacement_id
        ):
            return 0
        try:
            signed = self._sender.prepare(self._call(self._document(record), params))
        except ChainRuleViolated as exc:
            self._actions.mark_failed(record.id, ActionFailure.refused(exc))
            return 1
        except OrigoError:
            return 0
        try:
            self._actions.mark_sent(record.id, signed.tx_hash, signed.raw)
        except BaseException:
            # Never recorded, so never sent: its nonce must not become a gap later transactions wait behind.
            self._sender.release(signed)
            raise
        return self._drive(record, signed)

    def _drive(self, record: ActionRecord, signed: SignedTx) -> int:
        action_id = record.id
        # A receipt first: a transaction sent on an earlier pass may be mined already, and sending its bytes
        # again would then fail with "nonce too low" although nothing is wrong.
        receipt = self._receipt(action_id, signed)
        if receipt is None:
            if not self._sender.resend(signed):
                # The signed bytes were dropped: sign again (the simulation tells whether it still applies).
                self._pending_since.pop(action_id, None)
                self._sender.resync()
                self._actions.requeue(action_id)
            elif self._stuck(action_id):
                self._replace(record, signed)
            return 0
        self._pending_since.pop(action_id, None)
        if self._confirmations and self._sender.chain.head() - receipt.block < self._confirmations:
            return 0
        if receipt.ok:
            self._actions.mark_done(action_id, receipt.block)
        else:
            self._actions.mark_failed(action_id, ActionFailure.reverted(signed.tx_hash))
        return 1

    def _receipt(self, action_id: int, signed: SignedTx) -> Receipt | None:
        """The receipt of the action's present transaction or, after a fee bump, of one it replaced: the
        chain mines whichever of them it took first, and the others never."""
        receipt = self._sender.receipt(signed.tx_hash)
        if receipt is not None:
            return receipt
        for tx_hash in self._actions.earlier_txs(action_id):  # read only while the present one is unmined
            receipt = self._sender.receipt(tx_hash)
            if receipt is not None:
                return receipt
        return None

    def _stuck(self, action_id: int) -> bool:
        since = self._pending_since.setdefault(action_id, time.monotonic())
        return time.monotonic() - since >= self._replace_after_s

    def _replace(self, record: ActionRecord, signed: SignedTx) -> None:
        """Still unmined after ``replace_after_s`` (a fee too low): the same call at the same nonce, paying
        more. The transaction replaced is kept, since the chain may still mine it instead."""
        try:
            replacement = self._sender.replace(signed, self._call(self._document(record), record.params))
        except OrigoError:
            return  # mined meanwhile (the call no longer simulates) or the chain is away: next round tells
        if replacement is None:
            return
        self._actions.replace_tx(record.id, signed.tx_hash, replacement.tx_hash, replacement.raw)
        self._pending_since[record.id] = time.monotonic()
        log.warning(
            "action %s (%s) pending too long; sent again at a higher fee as %s",
            record.id,
            record.kind,
            replacement.tx_hash,
        )
        self._sender.broadcast(replacement.raw)

    # ------------------------------------------------------------------ calls

    def _proof_args(self, key: DocumentKey) -> tuple[tuple[Any, ...], bytes, list[bytes]]:
        if not self._index.has_document(key.issuer, key):
            if key.issuer == self._member and self._outbox.get(key) is not None:
                raise Conflict(f"document {key.named} is not anchored yet; try again in a few seconds")
            raise NotFound(f"document {key.named} is not anchored")
        row, root, proof = self._proofs.proof(key)
        return leaf_of(row).to_abi_tuple(), root, proof

    def _document(self, record: ActionRecord) -> DocumentKey:
        # Actions recorded before keys carried the issuer can only be this member's own (revoke and the like).
        return DocumentKey(record.issuer or self._member, record.document_id)

    def _call(self, document: DocumentKey, params: ActionParams) -> Call:
        leaf, root, proof = self._proof_args(document)
        match params:
            case Revoke() | Reject():
                return calls.document_action(
                    params.KIND, leaf, root, proof, params.reason_code, params.reason
                )
            case Accept():
                declaration = declaration_bytes(params.declaration)
                return calls.accept(leaf, root, proof, declaration, params.on_chain())
            case RequestVerification():
                return calls.document_action(params.KIND, leaf, root, proof, params.reason)
            case AnswerVerification():
                return calls.document_action(params.KIND, leaf, root, proof, params.confirmed, params.reason)
            case Supersede():
                new_leaf, new_root, new_proof = self._proof_args(
                    DocumentKey(self._member, params.replacement_id)
                )
                return calls.supersede(leaf, root, proof, new_leaf, new_root, new_proof)

"""Officers' actions on anchored documents, each one chain transaction sent exactly once.

A request is simulated first (the contract's rules answer at once: a claim beyond what is left is refused
before
anything is queued), then signed, recorded with its signed bytes, and only then broadcast. A worker
finishes what
a crash interrupted by rebroadcasting the same bytes, so an action is never applied twice. Supersession
waits in
the queue until its replacement is anchored.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from origo_node.chain.client import ChainClient, SignedTx, TxSender
from origo_node.errors import ChainRuleViolated, Conflict, NotFound, OrigoError, ValidationFailed
from origo_node.services.naming import DocumentKey
from origo_node.services.proofs import ProofService
from origo_node.services.reading import leaf_of
from origo_node.store.db import Database

log = logging.getLogger(__name__)

KINDS = ("revoke", "supersede", "accept", "reject", "verification_request", "verification_answer")
_DECLARATION = re.compile(r"^[\x20-\x7e]{1,32}$")


def parse_quantity(text: str | None) -> int:
    """Thousandths from a decimal string ("250", "250.5", "250.125"); 0 (= everything left) for None."""
    if text is None:
        return 0
    try:
        value = Decimal(str(text))
    except InvalidOperation as exc:
        raise _bad("/quantity", 'must be a decimal number, e.g. "250.000"') from exc
    scaled = value * 1000
    if value <= 0 or scaled != scaled.to_integral_value() or scaled >= 2**64:
        raise _bad("/quantity", "must be positive, with at most three decimals")
    return int(scaled)


def declaration_bytes(text: str) -> bytes:
    if not _DECLARATION.match(text):
        raise _bad(
            "/declaration", "must be 1 to 32 printable ASCII characters (the import declaration number)"
        )
    return text.encode("ascii").ljust(32, b"\0")


def _bad(pointer: str, message: str) -> ValidationFailed:
    return ValidationFailed("the request is not valid", errors=[{"pointer": pointer, "message": message}])


class ActionService:
    def __init__(
        self,
        db: Database,
        client: ChainClient,
        sender: TxSender,
        member: str,
        proofs: ProofService,
    ) -> None:
        self._db = db
        self._proofs = proofs
        self._client = client
        self._sender = sender
        self._member = member
        #: Set by the node: wakes the action loop when it runs in this process.
        self.wake: Callable[[], None] | None = None

    # ------------------------------------------------------------------ requests

    def submit(self, kind: str, document_id: str, params: dict[str, Any], wait_s: float) -> dict[str, Any]:
        """Checks and records one action, then waits up to ``wait_s`` for the sender to get it mined.

        Only the simulation happens here; signing and sending is the action loop's, in the one process that
        holds the node's background lock, so that API worker processes never hand out the same nonce twice.
        """
        # The document is named by (issuer, id): the issuer travels with the action's parameters.
        issuer = document_id.issuer if isinstance(document_id, DocumentKey) else self._member
        params = {**params, "issuer": issuer}
        if kind != "supersede":
            self._sender.simulate(self._call(kind, document_id, params))  # a refusal → 409 now
        action_id = self._record(kind, document_id, params, None)
        if self.wake is not None:
            self.wake()
        deadline = time.monotonic() + wait_s
        while kind != "supersede" and time.monotonic() < deadline:
            if self.get(action_id)["state"] in ("done", "failed"):
                break
            time.sleep(0.05)
        return self.get(action_id)

    def get(self, action_id: int) -> dict[str, Any]:
        row = self._db.read().execute("SELECT * FROM actions WHERE id = ?", (action_id,)).fetchone()
        if row is None:
            raise NotFound(f"no action {action_id}")
        return {
            "id": row["id"],
            "kind": row["kind"],
            "document_id": row["document_id"],
            "params": json.loads(row["params"]),
            "state": "done" if row["state"] == "done" else row["state"],
            "tx": row["tx_hash"],
            "block": row["block"],
            "error": None if row["error"] is None else json.loads(row["error"]),
        }

    # ------------------------------------------------------------------ worker

    def run_once(self) -> int:
        """Finishes interrupted actions and sends supersessions whose replacement is anchored."""
        rows = (
            self._db.read()
            .execute(
                "SELECT id, kind, document_id, params, tx_hash, raw_tx, state FROM actions"
                " WHERE state IN ('pending', 'sent') ORDER BY id"
            )
            .fetchall()
        )
        progressed = 0
        for row in rows:
            if row["state"] == "sent":
                signed = SignedTx(tx_hash=row["tx_hash"], raw=bytes(row["raw_tx"]), nonce=-1)
                progressed += self._drive(row["id"], signed)
            else:
                progressed += self._start_pending(row)
        return progressed

    def _start_pending(self, row: Any) -> int:
        params = json.loads(row["params"])
        if row["kind"] == "supersede" and not self._anchored(
            DocumentKey(self._member, params["replacement_id"])
        ):
            return 0
        try:
            signed = self._sender.prepare(self._call(row["kind"], row["document_id"], params))
        except ChainRuleViolated as exc:
            self._fail(row["id"], exc)
            return 1
        except OrigoError:
            return 0
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE actions SET state = 'sent', tx_hash = ?, raw_tx = ? WHERE id = ?",
                (signed.tx_hash, signed.raw, row["id"]),
            )
        return self._drive(row["id"], signed)

    def _drive(self, action_id: int, signed: SignedTx) -> int:
        # A receipt first: a transaction sent on an earlier pass may be mined already, and sending its bytes
        # again would then fail with "nonce too low" although nothing is wrong.
        receipt = self._sender.receipt(signed.tx_hash)
        if receipt is None:
            if not self._sender.resend(signed):
                self._requeue(action_id)
            return 0
        with self._db.transaction() as conn:
            if receipt["status"] == 1:
                conn.execute(
                    "UPDATE actions SET state = 'done', block = ? WHERE id = ?",
                    (int(receipt["blockNumber"]), action_id),
                )
            else:
                problem = {
                    "title": "the chain reverted the transaction",
                    "rule": "Reverted",
                    "tx": signed.tx_hash,
                }
                conn.execute(
                    "UPDATE actions SET state = 'failed', error = ? WHERE id = ?",
                    (json.dumps(problem), action_id),
                )
        return 1

    def _requeue(self, action_id: int) -> None:
        """The signed bytes were dropped: sign again (the simulation tells whether it still applies)."""
        self._sender.resync()
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE actions SET state = 'pending', tx_hash = NULL, raw_tx = NULL WHERE id = ?",
                (action_id,),
            )

    def _fail(self, action_id: int, exc: ChainRuleViolated) -> None:
        problem = {"title": exc.message, **exc.details}
        with self._db.transaction() as conn:
            conn.execute(
                "UPDATE actions SET state = 'failed', error = ? WHERE id = ?",
                (json.dumps(problem), action_id),
            )

    # ------------------------------------------------------------------ calls

    def _record(self, kind: str, document_id: str, params: dict[str, Any], signed: SignedTx | None) -> int:
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO actions (kind, document_id, params, state, tx_hash, raw_tx, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    kind,
                    document_id,
                    json.dumps(params),
                    "pending" if signed is None else "sent",
                    None if signed is None else signed.tx_hash,
                    None if signed is None else signed.raw,
                    time.time(),
                ),
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _anchored(self, key: DocumentKey) -> bool:
        row = (
            self._db.read()
            .execute("SELECT 1 FROM idx_documents WHERE issuer = ? AND document_id = ?", (key.issuer, key))
            .fetchone()
        )
        return row is not None

    def _proof_args(self, key: DocumentKey) -> tuple[tuple[Any, ...], bytes, list[bytes]]:
        if not self._anchored(key):
            pending = (
                self._db.read().execute("SELECT 1 FROM outbox WHERE document_id = ?", (key,)).fetchone()
                if key.issuer == self._member
                else None
            )
            if pending is not None:
                raise Conflict(f"document {key.qualified} is not anchored yet; try again in a few seconds")
            raise NotFound(f"document {key.qualified} is not anchored")
        row, root, proof = self._proofs.proof(key)
        return leaf_of(row).to_abi_tuple(), root, proof

    def _call(self, kind: str, document_id: str, params: dict[str, Any]) -> Any:
        fns = self._client.registry.functions
        # Actions recorded before keys carried the issuer can only be this member's own (revoke and the like).
        leaf, root, proof = self._proof_args(DocumentKey(params.get("issuer", self._member), document_id))
        if kind == "revoke":
            return fns.revoke(leaf, root, proof, int(params["reason_code"]), str(params.get("reason") or ""))
        if kind == "accept":
            return fns.accept(
                leaf,
                root,
                proof,
                declaration_bytes(params["declaration"]),
                parse_quantity(params.get("quantity")),
            )
        if kind == "reject":
            return fns.reject(leaf, root, proof, int(params["reason_code"]), str(params.get("reason") or ""))
        if kind == "verification_request":
            return fns.requestVerification(leaf, root, proof, str(params.get("reason") or ""))
        if kind == "verification_answer":
            return fns.answerVerification(
                leaf, root, proof, bool(params["confirmed"]), str(params.get("reason") or "")
            )
        if kind == "supersede":
            new_leaf, new_root, new_proof = self._proof_args(
                DocumentKey(self._member, params["replacement_id"])
            )
            return fns.supersede(leaf, root, proof, new_leaf, new_root, new_proof)
        raise ValueError(f"unknown action {kind}")

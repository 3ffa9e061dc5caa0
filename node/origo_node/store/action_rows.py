"""Officers' actions: recorded before anything is sent, then sent, then done or failed, each exactly once."""

from __future__ import annotations

import json
import time
from typing import Any

from origo_node.documents.action_failure import ActionFailure, failure_of
from origo_node.documents.action_params import ActionParams, params_json, params_of
from origo_node.store.database import StoreDatabase
from origo_node.store.rows import ActionRecord

_COLUMNS = "id, kind, document_id, params, state, tx_hash, raw_tx, block, error"


def _record(row: Any) -> ActionRecord:
    params, issuer = params_of(row["kind"], json.loads(row["params"]))
    return ActionRecord(
        id=int(row["id"]),
        document_id=row["document_id"],
        issuer=issuer,
        params=params,
        state=row["state"],
        tx_hash=row["tx_hash"],
        raw_tx=None if row["raw_tx"] is None else bytes(row["raw_tx"]),
        block=row["block"],
        error=None if row["error"] is None else failure_of(json.loads(row["error"])),
    )


class ActionRepository:
    def __init__(self, db: StoreDatabase) -> None:
        self._db = db

    def add(self, document_id: str, issuer: str, params: ActionParams) -> int:
        """A new action on the document ``(issuer, document_id)``, pending: the action sender signs and
        sends it. Its parameters are stored as JSON, the issuer among them (``documents.action_params``)."""
        stored = json.dumps(params_json(params, issuer))
        with self._db.transaction() as conn:
            cursor = conn.execute(
                "INSERT INTO actions (kind, document_id, params, state, created_at)"
                " VALUES (?, ?, ?, 'pending', ?) RETURNING id",
                (params.KIND, document_id, stored, time.time()),
            )
            # RETURNING rather than lastrowid: PostgreSQL has no lastrowid.
            return int(cursor.fetchone()[0])

    def get(self, action_id: int) -> ActionRecord | None:
        row = self._db.read().execute(f"SELECT {_COLUMNS} FROM actions WHERE id = ?", (action_id,)).fetchone()
        return None if row is None else _record(row)

    def count(self) -> int:
        return int(self._db.read().execute("SELECT count(*) FROM actions").fetchone()[0])

    def open(self) -> list[ActionRecord]:
        """Actions pending or sent, oldest first."""
        rows = (
            self._db.read()
            .execute(f"SELECT {_COLUMNS} FROM actions WHERE state IN ('pending', 'sent') ORDER BY id")
            .fetchall()
        )
        return [_record(row) for row in rows]

    def mark_sent(self, action_id: int, tx_hash: str, raw_tx: bytes) -> None:
        self._set(action_id, "state = 'sent', tx_hash = ?, raw_tx = ?", tx_hash, raw_tx)

    def mark_done(self, action_id: int, block: int) -> None:
        self._set(action_id, "state = 'done', block = ?", block)

    def mark_failed(self, action_id: int, failure: ActionFailure) -> None:
        """Failed for good; ``failure`` is kept as the problem JSON the node has always written."""
        self._set(action_id, "state = 'failed', error = ?", json.dumps(failure.as_json()))

    def replace_tx(self, action_id: int, earlier: str, tx_hash: str, raw_tx: bytes) -> None:
        """The action's transaction sent again at a higher fee: ``earlier`` is kept, since the chain may still
        mine it instead of the replacement."""
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO action_earlier_txs (action_id, tx_hash) VALUES (?, ?)",
                (action_id, earlier),
            )
            conn.execute(
                "UPDATE actions SET tx_hash = ?, raw_tx = ? WHERE id = ?", (tx_hash, raw_tx, action_id)
            )

    def earlier_txs(self, action_id: int) -> list[str]:
        rows = self._db.read().execute(
            "SELECT tx_hash FROM action_earlier_txs WHERE action_id = ? ORDER BY tx_hash", (action_id,)
        )
        return [str(row[0]) for row in rows.fetchall()]

    def requeue(self, action_id: int) -> None:
        """Its signed bytes were dropped: back to pending, to be signed again."""
        self._set(action_id, "state = 'pending', tx_hash = NULL, raw_tx = NULL")

    def _set(self, action_id: int, assignments: str, *values: Any) -> None:
        with self._db.transaction() as conn:
            conn.execute(f"UPDATE actions SET {assignments} WHERE id = ?", (*values, action_id))

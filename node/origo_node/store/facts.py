"""Small facts a node remembers across restarts, even with the chain down: chain id, members, chain head."""

from __future__ import annotations

import json
from typing import Any

from origo_node.store.database import StoreDatabase


class NodeFacts:
    def __init__(self, db: StoreDatabase) -> None:
        self._db = db

    def get(self, name: str) -> Any | None:
        """The fact's value (JSON), or None if it was never stored."""
        row = self._db.read().execute("SELECT value FROM node_facts WHERE name = ?", (name,)).fetchone()
        return None if row is None else json.loads(row["value"])

    def put(self, name: str, value: Any) -> None:
        with self._db.transaction() as conn:
            conn.execute(
                "INSERT INTO node_facts (name, value) VALUES (?, ?)"
                " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                (name, json.dumps(value)),
            )

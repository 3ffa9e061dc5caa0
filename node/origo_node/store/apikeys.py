"""API keys: random 256-bit tokens, stored as SHA-256 hashes (a slow hash adds nothing for keys this long)."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass
from typing import Literal

from origo_node.store.database import StoreDatabase

Role = Literal["officer", "auditor", "admin"]
ROLES: tuple[Role, ...] = ("officer", "auditor", "admin")
_PREFIX = "origo_"


@dataclass(frozen=True)
class ApiKey:
    id: int
    name: str
    role: Role


@dataclass(frozen=True, kw_only=True)
class StoredKey:
    """A key as the operator lists it: never the key itself (only its hash is kept), and when it was made
    and revoked (Unix seconds; ``revoked_at`` None while it is live)."""

    id: int
    name: str
    role: Role
    created_at: float
    revoked_at: float | None

    @property
    def live(self) -> bool:
        return self.revoked_at is None


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def create_key(db: StoreDatabase, role: Role, name: str) -> str:
    """Creates a key with ``role`` and returns it; only its hash is kept, so this is the one chance to
    see it."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    key = _PREFIX + secrets.token_urlsafe(32)
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO api_keys (name, role, key_hash, created_at) VALUES (?, ?, ?, ?)",
            (name, role, _hash(key), time.time()),
        )
    return key


def import_key(db: StoreDatabase, role: Role, name: str, key: str) -> None:
    """Registers a key chosen elsewhere (the devnet's printed demo keys); idempotent."""
    with db.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO api_keys (name, role, key_hash, created_at) VALUES (?, ?, ?, ?)",
            (name, role, _hash(key), time.time()),
        )


def find_key(db: StoreDatabase, key: str) -> ApiKey | None:
    """The live key matching ``key``, if any."""
    row = (
        db.read()
        .execute(
            "SELECT id, name, role FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL", (_hash(key),)
        )
        .fetchone()
    )
    return None if row is None else ApiKey(id=row["id"], name=row["name"], role=row["role"])


def revoke_key(db: StoreDatabase, key_id: int) -> bool:
    with db.transaction() as conn:
        cursor = conn.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", (time.time(), key_id)
        )
    return bool(cursor.rowcount == 1)


def list_keys(db: StoreDatabase) -> list[StoredKey]:
    """Every key, live or revoked, oldest first."""
    rows = (
        db.read()
        .execute("SELECT id, name, role, created_at, revoked_at FROM api_keys ORDER BY id")
        .fetchall()
    )
    return [
        StoredKey(
            id=int(row["id"]),
            name=row["name"],
            role=row["role"],
            created_at=float(row["created_at"]),
            revoked_at=None if row["revoked_at"] is None else float(row["revoked_at"]),
        )
        for row in rows
    ]

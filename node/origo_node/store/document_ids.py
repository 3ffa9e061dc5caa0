"""A document's id as ``idx_documents`` keys it, 32 bytes (store layout 8), and as the rest of the node spells
it, ``0x`` and 64 hexadecimal digits.

The id is in a document's row and again in its key, so bytes save 68 of the 500 bytes a document may take.
The other tables (the outbox, payload checks, events, webhooks) keep the spelled form: where one of them is
joined with ``idx_documents``, the SQL says ``id_bytes(column)``, a function SQLite gets from
``register_sql_functions`` and PostgreSQL's statements are rewritten to (``store/postgres.py``).
"""

from __future__ import annotations

import re
import sqlite3

_SPELLED = re.compile(r"0x[0-9a-fA-F]{64}")


def stored_id(spelled: str) -> bytes | None:
    """The id's 32 bytes; None for a text that is no id (nothing in the index has it)."""
    if not isinstance(spelled, str) or _SPELLED.fullmatch(spelled) is None:
        return None
    return bytes.fromhex(spelled[2:])


def spelled_id(stored: bytes) -> str:
    """The id read back, spelled as the node spells it (lower-case hexadecimal)."""
    return "0x" + bytes(stored).hex()


def register_sql_functions(connection: sqlite3.Connection) -> None:
    """``id_bytes(text)`` for this connection's statements (SQLite 3.40 has no ``unhex``)."""
    connection.create_function("id_bytes", 1, stored_id, deterministic=True)

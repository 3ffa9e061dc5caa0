"""A database written by an older node: the index (derivable from the chain) is dropped and rebuilt in the
current layout, and nothing the node alone knows (outbox, API keys, actions) is touched."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from origo_node.store.db import Database
from origo_node.store.schema import SCHEMA_VERSION


def test_an_index_in_the_old_layout_is_dropped_and_the_outbox_kept(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    Database(path).close()
    old = sqlite3.connect(path)
    old.execute("DROP TABLE idx_documents")
    old.execute("CREATE TABLE idx_documents (document_id TEXT PRIMARY KEY, proof TEXT NOT NULL)")
    old.execute("INSERT INTO idx_documents VALUES ('0x01', '[]')")
    old.execute("INSERT INTO api_keys (key_hash, role, name, created_at) VALUES ('h', 'officer', 'desk', 0)")
    old.execute("INSERT INTO idx_checkpoint (name, block, block_hash) VALUES ('chain', 99, '0x')")
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()

    db = Database(path)
    conn = db.read()
    columns = {row[1] for row in conn.execute("PRAGMA table_info(idx_documents)")}
    assert "proof" not in columns and "batch_log_index" in columns
    assert conn.execute("SELECT count(*) FROM idx_documents").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM idx_checkpoint").fetchone()[0] == 0  # replayed from the start
    assert conn.execute("SELECT name FROM api_keys").fetchone()[0] == "desk"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    db.close()


def test_a_current_database_is_opened_as_it_is(tmp_path: Path) -> None:
    path = tmp_path / "node.db"
    db = Database(path)
    with db.transaction() as conn:
        conn.execute("INSERT INTO idx_checkpoint (name, block, block_hash) VALUES ('chain', 7, '0x')")
    db.close()
    again = Database(path)
    assert again.read().execute("SELECT block FROM idx_checkpoint").fetchone()[0] == 7
    again.close()

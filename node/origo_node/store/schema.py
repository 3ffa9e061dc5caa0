"""The database schema. Tables prefixed ``idx_`` are the index: derived from the chain, safe to drop."""

# 2: idx_documents no longer stores each document's proof (services/proofs.py works it out).
# 3: a document is named by (issuer, id) and a batch by (issuer, root) in every index table, as on chain; the
#    outbox's refused batches and the officers' idempotency keys.
# 4: a document's quantities and units per item (idx_documents.quantities, quantity_units as JSON lists); an
#    outbox leaf carries ``quantities`` and its meta ``quantity_units``.
# 5: a payload check may find ``facts_mismatch`` (the chain's record of a document disagrees with it).
# 6: idx_documents is keyed by one unique index on (document_id, issuer) instead of a primary key on
#    (issuer, document_id) beside an index on document_id: one B-tree fewer to insert into at random places.
# 7: idx_documents keeps a document's type id, digest and signature as bytes, not hexadecimal text (137 bytes
#    a document less); nothing looks a document up by them.
# 8: idx_documents keeps the id as 32 bytes (store/document_ids.py), and leaves its batch's root, transaction
#    and time to the batch's row (idx_batches, found by the anchoring event's block and log index): 261 bytes
#    a document less.
import logging

from origo_node.errors import StoreError

log = logging.getLogger(__name__)

SCHEMA_VERSION = 8

#: Before 4, an outbox leaf had one ``quantity``; its issuer signed that layout, which the registry no longer
#: takes. Documents anchored already are fine (the index is rebuilt from the chain); documents still waiting
#: cannot be anchored by this version.
UNANCHORED_DOCUMENTS = (
    "SELECT count(*) FROM outbox WHERE batch_root IS NULL"
    " OR batch_root IN (SELECT root FROM batches WHERE state <> 'mined')"
)


def check_upgrade(version: int, unanchored: int, where: str) -> None:
    """Before a store of layout ``version`` is upgraded (``where`` names it for the operator): refuses in
    words, before anything changes, one whose documents this version could no longer anchor; otherwise says
    in the log that the index is rebuilt, since the node's first minutes are then spent replaying."""
    if version < 4 and unanchored:
        raise StoreError(
            f"{where} was written by an earlier version of Origo (store layout {version}) and holds"
            f" {unanchored} accepted document(s) not anchored yet. Their signed leaves have one quantity per"
            " certificate; this version anchors one quantity per item and cannot anchor them. Let the"
            " earlier version anchor them first (its health shows outbox_pending 0), or move the store aside"
            " and issue those documents again with this version.",
        )
    log.warning(
        "%s was written with store layout %d; this version uses layout %d: its index is dropped and rebuilt"
        " from the chain (the outbox, API keys and actions are kept)",
        where,
        version,
        SCHEMA_VERSION,
    )


SCHEMA = """
-- What this node accepted and must anchor exactly once. A row is written before the API answers 202.
CREATE TABLE IF NOT EXISTS outbox (
    document_id   TEXT PRIMARY KEY,           -- 0x-hex
    reference     TEXT NOT NULL,
    doc_type      TEXT NOT NULL,
    version       TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    importer      TEXT NOT NULL,
    leaf          TEXT NOT NULL,              -- JSON of the Leaf (hex fields)
    payload_cid   TEXT NOT NULL,              -- CID of the encrypted payload
    envelope      BLOB,                       -- the encrypted payload until it is in the payload store
    signature     TEXT NOT NULL,              -- EIP-712 signature of the leaf by the issuer key
    signer        TEXT NOT NULL,
    supersedes    TEXT,                       -- the document this one replaces, if any
    batch_root    TEXT,                       -- set when the batcher puts it in a batch
    received_at   REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS outbox_unbatched ON outbox (batch_root) WHERE batch_root IS NULL;

-- Batches this node built. A batch is sent until the chain has its root for this member; the root makes a
-- second anchoring of the same batch impossible (RegistryBatchExists), so resending after a crash is safe.
CREATE TABLE IF NOT EXISTS batches (
    root          TEXT PRIMARY KEY,
    manifest_cid  TEXT NOT NULL,
    count         INTEGER NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('built', 'sent', 'mined')),
    tx_hash       TEXT,
    raw_tx        BLOB,                       -- the signed transaction, rebroadcast as is after a crash
    block         INTEGER,
    created_at    REAL NOT NULL
);

-- Batches the consortium refused to anchor (this member was suspended or removed, or its issuing account
-- taken away, while they were in flight). The batch stays as built; while a row is here its documents show as
-- "refused" with this reason, and the batcher signs the batch again once the chain would take it (the member
-- reinstated), deleting the row.
CREATE TABLE IF NOT EXISTS batch_refusals (
    root          TEXT PRIMARY KEY,
    rule          TEXT NOT NULL,              -- the contract's error name, e.g. RegistryNotIssuer
    reason        TEXT NOT NULL,              -- plain words with the facts
    refused_at    REAL NOT NULL,
    tried_at      REAL NOT NULL               -- last time the batcher asked the chain again
);

-- Answers to officer POSTs that carried an Idempotency-Key: the same key (per API key) gets the same answer.
CREATE TABLE IF NOT EXISTS idempotency_keys (
    api_key_hash  TEXT NOT NULL,              -- whose key it is (keys are scoped per API key)
    idem_key      TEXT NOT NULL,
    request_hash  TEXT NOT NULL,              -- SHA-256 of method, path and body (another body is refused)
    state         TEXT NOT NULL CHECK (state IN ('running', 'done')),
    status_code   INTEGER,
    response      BLOB,
    content_type  TEXT,
    created_at    REAL NOT NULL,
    PRIMARY KEY (api_key_hash, idem_key)
);

-- Officers' actions on documents (revoke, accept...), sent as transactions by one worker, exactly once.
CREATE TABLE IF NOT EXISTS actions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,
    document_id   TEXT NOT NULL,
    params        TEXT NOT NULL,              -- JSON
    state         TEXT NOT NULL CHECK (state IN ('pending', 'sent', 'done', 'failed')),
    tx_hash       TEXT,
    raw_tx        BLOB,
    block         INTEGER,
    error         TEXT,                       -- JSON problem when failed
    created_at    REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS actions_open ON actions (state) WHERE state IN ('pending', 'sent');
-- Transactions an action sent before its present one (replaced at a higher fee): any of them may be the one
-- the chain mines, and only its receipt then says the action is done.
CREATE TABLE IF NOT EXISTS action_earlier_txs (
    action_id     INTEGER NOT NULL,
    tx_hash       TEXT NOT NULL,
    PRIMARY KEY (action_id, tx_hash)
);

-- Small facts the node must remember across restarts, even with the chain down (chain id, last member list).
CREATE TABLE IF NOT EXISTS node_facts (
    name          TEXT PRIMARY KEY,
    value         TEXT NOT NULL               -- JSON
);

CREATE TABLE IF NOT EXISTS api_keys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('officer', 'auditor', 'admin')),
    key_hash      TEXT NOT NULL UNIQUE,       -- SHA-256 of the key; keys are 256-bit random
    created_at    REAL NOT NULL,
    revoked_at    REAL
);

-- Index: where the indexer is (block number and hash, to notice a reorganisation).
CREATE TABLE IF NOT EXISTS idx_checkpoint (
    name          TEXT PRIMARY KEY,
    block         INTEGER NOT NULL,
    block_hash    TEXT NOT NULL
);

-- A batch is its issuer's: another member anchoring the same root has a row of its own.
CREATE TABLE IF NOT EXISTS idx_batches (
    root          TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    account       TEXT NOT NULL,
    count         INTEGER NOT NULL,
    manifest_cid  TEXT NOT NULL,
    block         INTEGER NOT NULL,
    tx_hash       TEXT NOT NULL,
    log_index     INTEGER NOT NULL,
    timestamp     INTEGER NOT NULL,
    manifest_state TEXT NOT NULL CHECK (manifest_state IN ('pending', 'indexed', 'invalid')),
    manifest_error TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    retry_at      REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (issuer, root)
);
CREATE INDEX IF NOT EXISTS idx_batches_pending ON idx_batches (manifest_state) WHERE manifest_state =
    'pending';
-- A document's row names its batch by the anchoring event (block, log index): a few bytes, not the root.
CREATE INDEX IF NOT EXISTS idx_batches_event ON idx_batches (block, log_index);

-- Every anchored document of every member, from the batch manifests, named by (issuer, id): a leaf of another
-- member that carries the same id is another document (first anchoring by the same issuer wins). What its
-- batch gives every document of it (root, transaction, time) is kept in the batch's row only.
CREATE TABLE IF NOT EXISTS idx_documents (
    document_id   BLOB NOT NULL,              -- the id's 32 bytes
    document_type BLOB NOT NULL,              -- the type id's 32 bytes
    digest        BLOB NOT NULL,              -- 32 bytes
    issuer        TEXT NOT NULL,
    importer      TEXT NOT NULL,
    issued_at     INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,
    quantities    TEXT NOT NULL,              -- JSON list of decimal strings, one per item: thousandths of
                                              -- its unit, "0" when the item gives no quantity
    payload_cid   TEXT NOT NULL,              -- the CID string
    signature     BLOB NOT NULL,              -- 65 bytes
    signer        TEXT NOT NULL,
    block         INTEGER NOT NULL,           -- its batch's: with the next, the batch's anchoring event
    batch_log_index INTEGER NOT NULL,
    type_name     TEXT,
    type_version  TEXT,
    quantity_units TEXT NOT NULL,             -- JSON list, one per item: its unit code or null
    recipients    TEXT NOT NULL,              -- JSON list of the members who can decrypt the payload
    -- One key serves both lookups, by id (every issuer that anchored it) and by (issuer, id); ids are
    -- random, so every insert lands on another page: two such B-trees cost 40% more of a replay's inserts
    -- at 700,000 documents than one, and 90 bytes a document on disk.
    UNIQUE (document_id, issuer)
);
-- The officers' work lists, newest first by member and role: without these each page sorted every document
-- of the member (0.2-0.6 s a page at 200,000 documents, growing with the index); with them a page reads its
-- own rows (13 bytes a document each).
CREATE INDEX IF NOT EXISTS idx_documents_issuer_block ON idx_documents (issuer, block);
CREATE INDEX IF NOT EXISTS idx_documents_importer_block ON idx_documents (importer, block);

-- Every life-cycle event, in chain order, with the issuer of the document it names. ``member`` is the member
-- that acted (the issuer or the importer, by the event's kind).
CREATE TABLE IF NOT EXISTS idx_events (
    block         INTEGER NOT NULL,
    log_index     INTEGER NOT NULL,
    tx_hash       TEXT NOT NULL,
    document_id   TEXT NOT NULL,
    issuer        TEXT NOT NULL,
    kind          TEXT NOT NULL,
    member        TEXT NOT NULL,
    account       TEXT NOT NULL,
    timestamp     INTEGER NOT NULL,
    fields        TEXT NOT NULL,              -- JSON
    PRIMARY KEY (block, log_index, document_id)
);
CREATE INDEX IF NOT EXISTS idx_events_document ON idx_events (issuer, document_id, block, log_index);

-- Membership events (governance history) and issuer history, for "was X an issuer of M at block B".
CREATE TABLE IF NOT EXISTS idx_membership_events (
    block         INTEGER NOT NULL,
    log_index     INTEGER NOT NULL,
    tx_hash       TEXT NOT NULL,
    kind          TEXT NOT NULL,
    member        TEXT,
    timestamp     INTEGER NOT NULL,
    fields        TEXT NOT NULL,
    PRIMARY KEY (block, log_index)
);

-- What this node learnt by opening payloads it may read (documents its member is concerned by).
-- ``id_mismatch``: the payload's issuer and reference do not give the anchored id (a leaf squatting an id).
-- ``facts_mismatch``: the leaf (importer, dates, quantities) or the manifest's units disagree with the
-- document.
CREATE TABLE IF NOT EXISTS idx_payload_checks (
    issuer        TEXT NOT NULL,
    document_id   TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('pending', 'ok', 'digest_mismatch', 'bad_signature',
                                                 'id_mismatch', 'facts_mismatch', 'not_a_recipient',
                                                 'unavailable')),
    detail        TEXT,
    reference     TEXT,
    checked_at    REAL,
    attempts      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (issuer, document_id)
);
CREATE INDEX IF NOT EXISTS idx_payload_checks_pending ON idx_payload_checks (state) WHERE state = 'pending';
"""

INDEX_TABLES = (
    "idx_checkpoint",
    "idx_batches",
    "idx_documents",
    "idx_events",
    "idx_membership_events",
    "idx_payload_checks",
)

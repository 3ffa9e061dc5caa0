"""VN's issuing side in one process, for the CPU benchmarks: the real ``IssuingService`` and ``Batcher`` over
an SQLite store and the embedded payload store, against the in-memory chain (``chain.fake``) with members
whose accounts come from the devnet's throw-away mnemonic."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_account import Account
from origo_network.anvil import TEST_MNEMONIC
from origo_node.anchoring.batcher import Batcher, BatchPolicy
from origo_node.chain import eip712
from origo_node.chain.fake import FakeChain
from origo_node.chain.port import MemberRecord
from origo_node.chain.sender import TxSender
from origo_node.crypto import EncryptionPrivateKey
from origo_node.members import MemberDirectory
from origo_node.payload import LocalPayloadStore
from origo_node.services.issuing import IssuingService, Signer
from origo_node.services.status import StatusService
from origo_node.store.db import Database
from origo_node.store.facts import NodeFacts
from origo_node.store.index import IndexRepository
from origo_node.store.outbox import OutboxRepository


def fake_chain(keys: dict[str, EncryptionPrivateKey]) -> tuple[FakeChain, Any]:
    """A chain whose members are ``keys``' codes (each with an admin and one issuer account), and the
    first member's issuer account."""
    accounts = _accounts(2 * len(keys) + 1)
    members = [
        MemberRecord(
            code=code,
            name=code,
            admin=accounts[2 * i + 1].address,
            validator=accounts[2 * i + 1].address,
            status=1,
            encryption_key=key.public_key_bytes(),
            endpoint="",
            joined_at_block=0,
            issuers=(accounts[2 * i + 2].address,),
        )
        for i, (code, key) in enumerate(keys.items())
    ]
    return FakeChain(members), accounts[2]


@dataclass(frozen=True)
class Issuer:
    """VN's node, as far as issuing and anchoring go."""

    db: Database
    outbox: OutboxRepository
    directory: MemberDirectory
    payloads: LocalPayloadStore
    service: IssuingService
    batcher: Batcher


def vn_issuer(chain: FakeChain, account: Any, db_file: Path, payload_dir: Path) -> Issuer:
    """VN's issuing service and batcher (batches of up to 4,096, anchored at once) on their own store."""
    db = Database(db_file)
    outbox = OutboxRepository(db)
    directory = MemberDirectory(chain, NodeFacts(db))
    directory.refresh()
    payloads = LocalPayloadStore(payload_dir)
    domain = eip712.domain_separator(chain.chain_id, chain.registry_address)
    service = IssuingService(
        outbox,
        directory,
        "VN",
        Signer(account.address, bytes(account.key), domain),
        max_document_bytes=256_000,
        resolver=StatusService(IndexRepository(db), outbox, directory, "VN").resolver,
    )
    batcher = Batcher(
        outbox, chain, TxSender(chain, account), payloads, "VN", BatchPolicy(0.0, 4096, confirmations=0)
    )
    return Issuer(db, outbox, directory, payloads, service, batcher)


def _accounts(count: int) -> list[Any]:
    Account.enable_unaudited_hdwallet_features()
    return [Account.from_mnemonic(TEST_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}") for i in range(count)]

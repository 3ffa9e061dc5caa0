"""A member's node without processes: its services, batcher and indexer on the fake chain and a temp store.

``Consortium`` holds one ``FakeChain`` and one node per member; ``settle`` runs the background steps (batcher,
action sender, indexer, payload reader) the way the node's loops would, until nothing moves. Members share
one payload directory, standing in for the gateways through which nodes fetch each other's blocks.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from eth_account import Account
from origo_network.anvil import TEST_MNEMONIC
from origo_node.anchoring.batcher import Batcher, BatchPolicy
from origo_node.chain import eip712
from origo_node.chain.fake import FakeChain
from origo_node.chain.port import ChainPort, MemberRecord
from origo_node.chain.sender import TxSender
from origo_node.crypto import EncryptionPrivateKey
from origo_node.indexer.indexer import Indexer
from origo_node.members import MemberDirectory
from origo_node.payload import LocalPayloadStore, PayloadStore
from origo_node.services.actions import ActionService
from origo_node.services.issuing import IssuingService, Signer
from origo_node.services.payload_checks import PayloadChecker
from origo_node.services.proofs import ProofService
from origo_node.services.reading import PayloadReader
from origo_node.services.status import StatusService
from origo_node.services.verifying import VerifyService
from origo_node.store.action_rows import ActionRepository
from origo_node.store.database import StoreDatabase
from origo_node.store.db import Database
from origo_node.store.facts import NodeFacts
from origo_node.store.index import IndexRepository
from origo_node.store.outbox import OutboxRepository

SAMPLES = Path(__file__).resolve().parents[2] / "samples"
CODES = ("VN", "SG", "TH")
#: Members whose codes sort before VN's: the hostile members of the look-alike tests (accounts after CODES').
BEFORE_VN = ("ID", "MY", "PH")
ALL_CODES = CODES + BEFORE_VN


@cache
def _account(index: int) -> Any:
    Account.enable_unaudited_hdwallet_features()
    return Account.from_mnemonic(TEST_MNEMONIC, account_path=f"m/44'/60'/0'/0/{index}")


@cache
def _encryption_key(code: str) -> EncryptionPrivateKey:
    return EncryptionPrivateKey.generate()


def issuer_account(code: str) -> Any:
    return _account(2 * ALL_CODES.index(code) + 2)


def admin_account(code: str) -> Any:
    return _account(2 * ALL_CODES.index(code) + 1)


def genesis(codes: tuple[str, ...] = CODES) -> list[MemberRecord]:
    return [
        MemberRecord(
            code=code,
            name=f"Customs {code}",
            admin=admin_account(code).address,
            validator=admin_account(code).address,
            status=1,
            encryption_key=_encryption_key(code).public_key_bytes(),
            endpoint="",
            joined_at_block=0,
            issuers=(issuer_account(code).address,),
        )
        for code in codes
    ]


def form_d(reference: str, issuer: str = "VN", importer: str = "SG") -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((SAMPLES / "form-d" / "vn-sg-coffee.json").read_text(encoding="utf-8"))
    assert (issuer, importer) == ("VN", "SG"), "the sample is a VN → SG certificate"
    doc["referenceNumber"] = reference
    return doc


@dataclass
class FakeNode:
    code: str
    db: StoreDatabase
    payloads: PayloadStore
    chain: ChainPort
    directory: MemberDirectory
    issuing: IssuingService
    status: StatusService
    verify: VerifyService
    proofs: ProofService
    actions: ActionService
    batcher: Batcher
    indexer: Indexer
    checker: PayloadChecker
    sender: TxSender

    def step(self) -> int:
        """One round of every background loop; how much moved."""
        moved = self.batcher.run_once(force=True)
        moved += self.actions.run_once()
        moved += self.indexer.run_once()
        moved += self.checker.run_once()
        return int(moved)

    def outbox_pending(self) -> int:
        return int(self.batcher.pending_count())


@dataclass
class Consortium:
    root: Path
    chain: FakeChain
    nodes: dict[str, FakeNode] = field(default_factory=dict)

    def settle(self, rounds: int = 30) -> None:
        """Runs every node's loops until a full round moves nothing (the fake chain mines at once)."""
        for _ in range(rounds):
            if sum(node.step() for node in self.nodes.values()) == 0:
                return
        raise AssertionError(f"still moving after {rounds} rounds")


def sqlite_store(data: Path, code: str) -> StoreDatabase:
    return Database(data / "node.db")


def new_node(
    root: Path,
    chain: ChainPort,
    code: str,
    *,
    confirmations: int = 0,
    replace_after_s: float = 60.0,
    open_store: Callable[[Path, str], StoreDatabase] = sqlite_store,
) -> FakeNode:
    """A member's node; ``open_store(data_dir, code)`` gives its database (an SQLite file by default)."""
    data = root / code
    data.mkdir(parents=True, exist_ok=True)
    db = open_store(data, code)
    payloads = LocalPayloadStore(root / "payloads")
    outbox, index, facts = OutboxRepository(db), IndexRepository(db), NodeFacts(db)
    directory = MemberDirectory(chain, facts)
    directory.refresh()
    domain = eip712.domain_separator(chain.chain_id, chain.registry_address)
    account = issuer_account(code)
    sender = TxSender(chain, account)
    status = StatusService(index, outbox, directory, code)
    proofs = ProofService(index, payloads)
    reader = PayloadReader(index, payloads, code, _encryption_key(code), domain)
    checker = PayloadChecker(index, reader)
    policy = BatchPolicy(0.0, 64, confirmations=confirmations, replace_after_s=replace_after_s)
    return FakeNode(
        code=code,
        db=db,
        payloads=payloads,
        chain=chain,
        directory=directory,
        issuing=IssuingService(
            outbox,
            directory,
            code,
            Signer(account.address, bytes(account.key), domain),
            max_document_bytes=256_000,
            resolver=status.resolver,
        ),
        status=status,
        verify=VerifyService(index, outbox, status, domain),
        proofs=proofs,
        actions=ActionService(
            ActionRepository(db),
            index,
            outbox,
            sender,
            code,
            proofs,
            confirmations=confirmations,
            replace_after_s=replace_after_s,
        ),
        batcher=Batcher(outbox, chain, sender, payloads, code, policy),
        indexer=Indexer(
            index,
            facts,
            chain,
            payloads,
            deployment_block=0,
            confirmations=confirmations,
            on_membership_change=directory.refresh,
            on_documents_indexed=checker.queue,
        ),
        checker=checker,
        sender=sender,
    )


def new_consortium(
    root: Path, codes: tuple[str, ...] = ("VN", "SG"), members: tuple[str, ...] = CODES, **options: Any
) -> Consortium:
    chain = FakeChain(genesis(members))
    consortium = Consortium(root, chain)
    for code in codes:
        consortium.nodes[code] = new_node(root, chain, code, **options)
    return consortium

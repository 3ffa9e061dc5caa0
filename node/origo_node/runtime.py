"""A running node: its settings turned into stores, chain access, services and background loops."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from origo_node.anchoring.batcher import Batcher, BatchPolicy
from origo_node.background import Loop
from origo_node.chain import eip712
from origo_node.chain.port import ChainPort
from origo_node.chain.sealers import JsonRpcSealers, SealerPort
from origo_node.chain.sender import TxSender
from origo_node.chain.web3_chain import Web3Chain
from origo_node.crypto import load_encryption_key
from origo_node.crypto.deferred import DeferredAccount, Lazy
from origo_node.errors import OrigoError
from origo_node.indexer.indexer import Indexer
from origo_node.indexer.manifest_checks import default_workers as default_manifest_workers
from origo_node.members import MemberDirectory
from origo_node.notify import Collector, Deliverer, NotifyStore
from origo_node.operations.backlog import anchoring_reasons
from origo_node.operations.key_rotation import load_retired_encryption_keys
from origo_node.operations.loop_health import (
    HEARTBEAT_S,
    STALE_AFTER_S,
    LoopHealth,
    LoopSnapshot,
    degraded_reasons,
    stored_snapshot,
)
from origo_node.operations.node_health import NodeHealth
from origo_node.operations.sealer_sync import SealerReport, SealerSync, report_reasons
from origo_node.payload import KuboPayloadStore, LocalPayloadStore, PayloadStore, PeerFetcher
from origo_node.services.actions import ActionService
from origo_node.services.bulk_check import DeskService
from origo_node.services.check_pool import default_workers
from origo_node.services.exports import ExportService
from origo_node.services.governance import GovernanceService
from origo_node.services.issuing import IssuingService, Signer
from origo_node.services.manifest_links import LinkingService
from origo_node.services.officer_desk import OfficerDesk
from origo_node.services.payload_checks import PayloadChecker
from origo_node.services.proofs import ProofService
from origo_node.services.reading import PayloadReader
from origo_node.services.risk.service import RiskService
from origo_node.services.status import StatusService
from origo_node.services.verifying import VerifyService
from origo_node.settings import NodeSettings
from origo_node.store.action_rows import ActionRepository
from origo_node.store.backends import open_background_lock, open_store
from origo_node.store.facts import NodeFacts
from origo_node.store.index import IndexRepository
from origo_node.store.outbox import OutboxRepository

log = logging.getLogger(__name__)


class Node:
    """Everything one member's node is made of; ``start`` runs the loops, ``stop`` ends them."""

    def __init__(
        self, settings: NodeSettings, chain: ChainPort | None = None, sealers: SealerPort | None = None
    ) -> None:
        self.settings = settings
        self.member = settings.member
        passphrase = settings.read_passphrase()
        self.db = open_store(settings)
        self.outbox = OutboxRepository(self.db)
        self.index = IndexRepository(self.db)
        self.facts = NodeFacts(self.db)
        #: The chain adapter: web3 over the settings' RPC endpoint, unless a test hands in another one.
        self.chain: ChainPort = chain or open_chain(settings)
        #: The chain node's sealer votes (Clique), following the membership. A test that hands in its own
        #: chain follows sealers only if it hands in their port too.
        #: anvil has no sealers: nothing to follow.
        if sealers is None and chain is None and settings.consensus != "anvil":
            sealers = JsonRpcSealers(settings.chain_rpc, timeout=settings.chain_timeout_s)
        expected = None if settings.consensus == "anvil" else settings.consensus
        self.sealer_sync = None if sealers is None else SealerSync(self.chain, sealers, expected=expected)
        self._sealer_port = sealers
        # Each key is decrypted when first used (crypto.deferred): a process that never signs, or a node that
        # is replaying the chain, pays no scrypt. ``serving`` checks the passphrase once at start.
        issuer = DeferredAccount(settings.signing_keystore, passphrase)
        admin = (
            DeferredAccount(settings.admin_keystore, passphrase) if settings.admin_keystore.exists() else None
        )
        encryption_key = Lazy(lambda: load_encryption_key(settings.encryption_keystore, passphrase))
        self.directory = MemberDirectory(self.chain, self.facts)
        self._fetcher = PeerFetcher([], timeout=3.0)
        self.payloads: PayloadStore = _payload_store(settings, self._fetcher)
        self.issuer_sender = TxSender(self.chain, issuer)
        self.admin_sender = None if admin is None else TxSender(self.chain, admin)
        self.domain = eip712.domain_separator(self._chain_id(), settings.registry_address)
        self.status = StatusService(self.index, self.outbox, self.directory, self.member)
        self.resolver = self.status.resolver  # the one resolver of what people type
        self.issuing = IssuingService(
            self.outbox,
            self.directory,
            self.member,
            Signer(address=str(issuer.address), private_key=lambda: issuer.key, domain=self.domain),
            max_document_bytes=settings.max_document_bytes,
            resolver=self.resolver,
        )
        self.verify = VerifyService(self.index, self.outbox, self.status, self.domain)
        #: "Would these be accepted, and were they issued already?" before an officer issues (stores nothing).
        self.pre_issue_check = DeskService(self.outbox, self.index, self.issuing)
        self.reader = PayloadReader(
            self.index,
            self.payloads,
            self.member,
            encryption_key,
            self.domain,
            retired_keys=Lazy(lambda: load_retired_encryption_keys(settings, passphrase)),
        )
        self.checker = PayloadChecker(
            self.index, self.reader, workers=_or_default(settings.payload_check_workers, default_workers())
        )
        self.proofs = ProofService(self.index, self.payloads)
        self.actions = ActionService(
            ActionRepository(self.db),
            self.index,
            self.outbox,
            self.issuer_sender,
            self.member,
            self.proofs,
            confirmations=settings.confirmations,
        )
        self.governance = GovernanceService(
            self.chain, self.admin_sender, self.directory, settings.tx_timeout_s
        )
        self.linking = LinkingService(self.index, self.reader, self.status, self.member)
        self.risk = RiskService(self.index, self.reader, self.status, self.facts, self.member, settings.risk)
        #: What an officer's action must meet before it is sent (who may act, on what), over the services.
        self.desk = OfficerDesk(
            self.member,
            self.status,
            self.issuing,
            self.actions,
            self.checker,
            self.risk.record_fully_used_claim,
        )
        self.exports = ExportService(self.chain, self.status, self.proofs, self._chain_id())
        self.batcher = Batcher(
            self.outbox,
            self.chain,
            self.issuer_sender,
            self.payloads,
            self.member,
            BatchPolicy(
                settings.batch_interval_s, settings.batch_max_documents, confirmations=settings.confirmations
            ),
        )
        self.indexer = Indexer(
            self.index,
            self.facts,
            self.chain,
            self.payloads,
            deployment_block=settings.deployment_block,
            confirmations=settings.confirmations,
            on_membership_change=self.refresh_members,
            on_documents_indexed=self.checker.queue,
            manifest_workers=_or_default(settings.manifest_check_workers, default_manifest_workers()),
        )
        self.notify = NotifyStore(self.db)
        self._collector = Collector(self.notify, self.member)
        self._deliverer = Deliverer(self.notify)
        poll = settings.index_poll_s
        self.loop_health = LoopHealth()
        track = self.loop_health.wrap
        actions_loop = Loop("actions", track("actions", self.actions.run_once), 0.2)
        self.actions.wake = actions_loop.wake
        # The loops that write to the chain or follow it run in ONE process per data directory (the holder of
        # the background lock), however many API worker processes serve requests.
        self.loops = [
            Loop("members", track("members", self._refresh_until_ready), 1.0),
            Loop("batcher", track("batcher", self.batcher.run_once), min(0.5, settings.batch_interval_s / 2)),
            Loop("indexer", track("indexer", self.indexer.run_once), poll),
            Loop("reader", track("reader", self._read_payloads), max(poll, 0.5)),
            actions_loop,
            # How the loops fare, written where the API worker processes read it for /healthz and /metrics; a
            # node serving from this one process reads it from memory and needs no heartbeat. (With the
            # heartbeat on, the kill -9 durability test, which runs one process, failed repeatedly on this
            # machine with a batch left unmined; the cause is not understood yet.)
            *([Loop("health", self._record_health, HEARTBEAT_S)] if settings.workers > 1 else []),
            Loop("webhooks", track("webhooks", self._notify_step), 0.5, max_backoff_s=5.0),
            *(
                [Loop("sealers", track("sealers", self.sealer_sync.run_once), 2.0)]
                if self.sealer_sync is not None
                else []
            ),
        ]
        self._lock = open_background_lock(settings)
        self._follower = Loop("follower", self._follow, 1.0)
        self._members_ready = False
        #: Seconds after start before this process may take the background lock. API worker processes wait,
        #: so that the node's dedicated background process (started with them) takes it; they take over only
        #: if it is gone.
        self.lead_after_s = 0.0
        self._started_at = 0.0

    def _read_payloads(self) -> int:
        # Reading payloads waits while the index catches up: statuses and verification come from the index,
        # and on two cores a new node's eight payload readers would otherwise slow its replay threefold.
        if self.indexer.catching_up():
            return 0
        return self.checker.run_once()

    def _notify_step(self) -> int:
        # Collect first: an event found now goes out in the same round.
        return self._collector.run_once() + self._deliverer.run_once()

    def _chain_id(self) -> int:
        """From the settings, else the chain (remembered, so a restart during a chain outage still works)."""
        if self.settings.chain_id is not None:
            return self.settings.chain_id
        stored = self.facts.get("chain_id")
        if stored is not None:
            return int(stored)
        chain_id = self.chain.chain_id
        self.facts.put("chain_id", chain_id)
        return chain_id

    def refresh_members(self) -> None:
        self.directory.refresh()
        self._fetcher.peers = self._peers()
        self._members_ready = True

    def _refresh_until_ready(self) -> int:
        # Runs until the first successful read of the membership; after that the indexer refreshes on events.
        if not self._members_ready:
            self.refresh_members()
        return 0

    def start(self) -> None:
        # With the members remembered from the last run, start at once (the chain may be down); the "members"
        # loop refreshes them in the background. On a first start, try once now so that issuing works at once.
        if not self.directory.all():
            try:
                self.refresh_members()
            except OrigoError as exc:
                log.warning(
                    "the membership could not be read yet (%s); retrying in the background", exc.message
                )
        self._started_at = time.monotonic()
        self._follower.start()

    def _follow(self) -> int:
        """Takes the background lock when it is free (at start, or when the holding process died); until then,
        keeps this process's view of the members in step with what the holder stores."""
        if self._lock.held:
            return 0
        may_lead = time.monotonic() - self._started_at >= self.lead_after_s
        if may_lead and self._lock.try_acquire():
            log.info("this process runs the batcher, indexer, reader and action sender")
            for loop in self.loops:
                loop.start()
            return 0
        self.directory.reload()
        self._fetcher.peers = self._peers()
        return 0

    def _peers(self) -> tuple[str, ...]:
        peers = [*self.directory.peer_endpoints(self.member), *self.settings.peers]
        return tuple(dict.fromkeys(p.rstrip("/") for p in peers if p))

    def stop(self) -> None:
        self._follower.stop()
        if self._lock.held:
            for loop in self.loops:
                loop.stop()
            self.checker.close()
            self.indexer.close()
            self._lock.release()
        self._fetcher.close()
        self._deliverer.close()
        if isinstance(self._sealer_port, JsonRpcSealers):
            self._sealer_port.close()
        self.db.close()

    def _record_health(self) -> int:
        # The head the indexer saw at its last poll, with its time: the API worker processes judge the chain
        # by it (the head itself does not change on a quiet chain, the time of the poll does).
        return self.loop_health.flush(
            self.db,
            chain_head=self.indexer.last_head,
            chain_head_at=self.indexer.last_head_at,
            sealers=self.sealer_report(),
        )

    def sealer_report(self) -> SealerReport | None:
        """The last comparison of the chain's sealers with the membership, from the process that makes it."""
        if self._lock.held:
            return None if self.sealer_sync is None else self.sealer_sync.report()
        stored = stored_snapshot(self.db)
        return None if stored is None else stored.sealers

    def loop_snapshot(self) -> LoopSnapshot | None:
        """How the background loops fare: from memory in the process that runs them, else as it last wrote."""
        return self.loop_health.snapshot() if self._lock.held else stored_snapshot(self.db)

    def health(self) -> NodeHealth:
        # No chain call here: health must answer at once even when the chain hangs. The indexer polls the head
        # every few hundred milliseconds; a head older than 30 s means the chain is out of reach.
        runs_loops = self._lock.held
        snapshot = self.loop_snapshot()
        head, seen = self.indexer.last_seen_head()
        if snapshot is not None and (snapshot.chain_head_at or 0) > (seen or 0):
            head, seen = snapshot.chain_head, snapshot.chain_head_at
        now = time.time()
        chain_ok = seen is not None and now - seen < 30
        reasons = []
        if not chain_ok:
            reasons.append(
                "the chain has not been reached yet"
                if seen is None
                else f"the chain has not answered for {now - seen:.0f} s"
            )
        waited = self._started_at > 0 and time.monotonic() - self._started_at > STALE_AFTER_S
        reasons += degraded_reasons(snapshot, now, expect_heartbeat=not runs_loops and waited)
        # Anchoring should take a few batch intervals; twenty (at least 30 s) means it is stuck.
        limit_s = max(30.0, 20 * self.settings.batch_interval_s)
        reasons += anchoring_reasons(self.outbox.anchoring_backlog(), now, limit_s)
        # Documents the consortium refused to anchor (member suspended or removed in flight) need an officer.
        refused = self.batcher.refusal()
        if refused is not None:
            reasons.append(
                f"the consortium refused to anchor {refused.documents} accepted document(s): {refused.reason}"
            )
        sealers = self.sealer_report()
        reasons += report_reasons(sealers, now)
        payload_problem = self.payloads.problem() if isinstance(self.payloads, KuboPayloadStore) else None
        if payload_problem is not None:
            reasons.append(payload_problem)
        indexed = self.indexer.checkpoint()
        return NodeHealth(
            reasons=tuple(reasons),
            member=self.member,
            payload_backend=self.settings.payload_backend,
            payload_problem=payload_problem,
            # The head recorded by the background process can be a heartbeat older than the index position.
            chain_head=None if head is None else max(int(head), indexed),
            indexed_block=indexed,
            outbox_pending=self.batcher.pending_count(),
            outbox_refused=refused,
            payloads_to_read=self.checker.backlog(),
            loops={loop.name: loop.last_error for loop in self.loops if loop.last_error},
            sealers=sealers,
        )


def open_chain(settings: NodeSettings, *, timeout: float | None = None) -> ChainPort:
    """The chain adapter the settings name, for the node and for the operator's commands that write to the
    chain without it (key rotation): the one place that picks it. ``timeout``: the RPC's, when not the
    settings' ``chain_timeout_s``."""
    return Web3Chain(
        settings.chain_rpc,
        settings.membership_address,
        settings.registry_address,
        timeout=settings.chain_timeout_s if timeout is None else timeout,
        logs_block_range=settings.logs_block_range,
    )


def _payload_store(settings: NodeSettings, fetcher: PeerFetcher) -> PayloadStore:
    if settings.payload_backend == "kubo":
        if not settings.kubo_api:
            raise ValueError("payload_backend = 'kubo' needs kubo_api (ORIGO_KUBO_API)")
        return KuboPayloadStore(settings.kubo_api)
    return LocalPayloadStore(Path(settings.data_dir) / "payloads", peers=fetcher)


def _or_default(setting: int | None, default: int) -> int:
    """A worker count from the settings, or the machine's default where none is set."""
    return default if setting is None else setting

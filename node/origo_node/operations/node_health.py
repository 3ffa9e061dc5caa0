"""What ``/healthz`` answers: "ok" or "degraded" with the reasons in plain words, and where the node is."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from origo_api.answers import Health, OutboxRefused, PayloadStoreHealth

from origo_node.operations.sealer_sync import SealerReport

if TYPE_CHECKING:  # the batcher's module brings web3; this one is read by /metrics and /healthz alone
    from origo_node.anchoring.batcher import AnchoringRefused


@dataclass(frozen=True)
class NodeHealth:
    #: Why the node is degraded, in plain words; none when all is well.
    reasons: tuple[str, ...]
    member: str
    payload_backend: str
    #: What the payload store reports wrong with itself (kubo out of reach, for example).
    payload_problem: str | None
    chain_head: int | None
    indexed_block: int
    outbox_pending: int
    #: Documents the consortium refused to anchor, and the latest reason.
    outbox_refused: AnchoringRefused | None
    payloads_to_read: int
    #: The last error of each background loop that has one, by loop name.
    loops: Mapping[str, str] = field(default_factory=dict)
    sealers: SealerReport | None = None

    @property
    def status(self) -> str:
        return "degraded" if self.reasons else "ok"

    @property
    def degraded(self) -> bool:
        return bool(self.reasons)

    def answer(self) -> Health:
        """The ``/healthz`` answer."""
        refused = self.outbox_refused
        return Health(
            status=self.status,
            member=self.member,
            chain_head=self.chain_head,
            indexed_block=self.indexed_block,
            outbox_pending=self.outbox_pending,
            payloads_to_read=self.payloads_to_read,
            reasons=list(self.reasons),
            payload_store=PayloadStoreHealth(backend=self.payload_backend, problem=self.payload_problem),
            outbox_refused=None
            if refused is None
            else OutboxRefused(documents=refused.documents, reason=refused.reason),
            loops=dict(self.loops),
            sealers=None if self.sealers is None else self.sealers.as_json(),  # as the sealer check stores it
        )

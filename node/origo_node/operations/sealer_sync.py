"""The membership vote drives the sealers: what the Membership contract decides, this node votes on its chain.

On Clique the sealers are kept by the chain, not by the contract, and change only when more than half of them
vote. So every member's node compares, at each round, the validators of the active members (read from the
Membership: ``member(code).validator`` of each member whose status is active, the same list as
``getValidators()``) with the chain's sealers (``clique_getSigners``), and proposes to its own chain node
every difference (``clique_propose(address, true)`` for an active member's validator that does not seal,
``false`` for a sealer that is no active member's validator), and discards its proposals that are settled. A
member admitted, suspended or removed by vote thus joins or leaves the sealers once the honest majority's
nodes have voted, without any operator; a hostile node's own proposals count as one sealer's vote only.

On QBFT (Besu, contract mode) the chain reads the contract itself; the node only compares
``qbft_getValidatorsByBlockNumber`` with the contract. On a chain node with neither (anvil) it does nothing.

The last comparison is kept as a report for ``/healthz`` and ``/metrics``: a difference is normal for the few
blocks a vote takes; one that lasts longer than :data:`GRACE_S` makes the node degraded, in plain words.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any, cast

from origo_node.chain.port import ChainPort, MemberRecord
from origo_node.chain.sealers import Consensus, SealerPort
from origo_node.errors import ChainError

#: How long the chain's sealers may differ from the membership before the node says so: a Clique vote needs
#: more than half of the sealers to seal one block each (11 sealers at 2 s: about 12 s; out-of-turn and
#: random choice among several pending votes make it longer).
GRACE_S = 60.0
#: A sealed chain makes a block every period (1-2 s) even when idle, unlike anvil: no new block for this long
#: means it has stopped, usually because fewer than half of the sealers (a third of QBFT validators) are up.
STALL_S = 15.0
_STATUS_NAMES = {1: "active", 2: "suspended", 3: "removed"}
_MISMATCH = {
    "none": "the settings say the chain runs {expected}, but its node answers neither clique_getSigners nor"
    " qbft_getValidatorsByBlockNumber: enable the clique (or qbft) RPC module on the chain node, so that this"
    " node can follow its sealers",
    "clique": "the settings say the chain runs {expected}, but its node runs Clique (consensus = 'clique')",
    "qbft": "the settings say the chain runs {expected}, but its node runs QBFT (consensus = 'qbft')",
}


@dataclass(frozen=True)
class SealerDifference:
    address: str
    #: The member whose validator this address is, if any (and its status in the membership).
    member: str | None
    status: str | None

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> SealerDifference:
        return cls(str(stored["address"]), stored.get("member"), stored.get("status"))

    def named(self) -> str:
        if self.member is None:
            return self.address
        return f"{self.address} (member {self.member}, {self.status})"


@dataclass
class SealerReport:
    consensus: Consensus
    #: Active members' validators the chain does not seal with.
    missing: list[SealerDifference] = field(default_factory=list)
    #: Sealers (validators) of the chain that are no active member's validator.
    extra: list[SealerDifference] = field(default_factory=list)
    disagreeing_since: float | None = None
    checked_at: float | None = None
    #: The chain head at this check, the time it was first seen, and how many sealers the chain counts.
    head: int | None = None
    head_since: float | None = None
    sealers: int = 0

    @property
    def disagreeing(self) -> int:
        return len(self.missing) + len(self.extra)

    def as_json(self) -> dict[str, Any]:
        """The report as ``/healthz`` shows it and the background process stores it."""
        return {**asdict(self), "disagreeing": self.disagreeing}

    @classmethod
    def from_json(cls, stored: Mapping[str, Any]) -> SealerReport:
        """The report another process of this node stored (``as_json``)."""
        return cls(
            consensus=cast(Consensus, stored["consensus"]),
            missing=[SealerDifference.from_json(d) for d in stored.get("missing", [])],
            extra=[SealerDifference.from_json(d) for d in stored.get("extra", [])],
            disagreeing_since=stored.get("disagreeing_since"),
            checked_at=stored.get("checked_at"),
            head=stored.get("head"),
            head_since=stored.get("head_since"),
            sealers=int(stored.get("sealers", 0)),
        )


def report_reasons(report: SealerReport | None, now: float, grace_s: float = GRACE_S) -> list[str]:
    """Plain words for ``/healthz``: a chain that stopped sealing, sealers that differ from the membership."""
    if report is None:
        return []
    reasons = []
    stalled = 0.0 if report.head_since is None else now - report.head_since
    if stalled >= STALL_S:
        needed = report.sealers // 2 + 1 if report.consensus == "clique" else 2 * report.sealers // 3 + 1
        reasons.append(
            f"the chain has made no block for {stalled:.0f} s (still at block {report.head}):"
            f" it needs {needed} of its {report.sealers} {_who(report)} online; accepted documents wait"
            " in the outbox until it goes on"
        )
    since = report.disagreeing_since
    if since is not None and now - since >= grace_s:
        reasons.append(_disagreement(report, now - since))
    return reasons


def _who(report: SealerReport) -> str:
    return "sealers" if report.consensus == "clique" else "validators"


def _disagreement(report: SealerReport, lasted: float) -> str:
    who = _who(report)
    parts = [f"{d.named()} is an active member's validator but does not seal" for d in report.missing]
    parts += [f"{d.named()} seals but is no active member's validator" for d in report.extra]
    remedy = (
        "this node keeps voting for the change; it needs more than half of the sealers' nodes to vote"
        if report.consensus == "clique"
        else "the chain does not follow the Membership contract (check the genesis' validator contract)"
    )
    lead = f"the chain's {who} have differed from the membership for {lasted:.0f} s: "
    return lead + "; ".join(parts) + f" ({remedy})"


class SealerSync:
    """One round per call of :meth:`run_once`, run by the node's background loop."""

    def __init__(
        self,
        chain: ChainPort,
        sealers: SealerPort,
        *,
        expected: Consensus | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._chain = chain
        self._expected = expected
        self._sealers = sealers
        self._clock = clock
        self._consensus: Consensus | None = None
        self._lock = threading.Lock()
        self._report: SealerReport | None = None

    def report(self) -> SealerReport | None:
        """The last comparison (None before the first, or on a chain with no sealers to follow): a copy, as
        the next round replaces it."""
        with self._lock:
            return None if self._report is None else replace(self._report)

    def run_once(self) -> int:
        """Compares once and, on Clique, votes; the number of votes proposed or discarded."""
        if self._consensus is None:
            found = self._sealers.consensus()
            if self._expected is not None and found != self._expected:
                raise ChainError(_MISMATCH.get(found, _MISMATCH["none"]).format(expected=self._expected))
            self._consensus = found
        if self._consensus == "none":
            return 0
        members = self._chain.members()
        wanted = {m.validator for m in members if m.status == 1}
        if not wanted:
            # The contract never lets the last member go; an empty list is a misread, and voting every sealer
            # out on it would stop the chain.
            return 0
        head = self._chain.head()
        actual = set(self._sealers.signers() if self._consensus == "clique" else self._sealers.validators())
        self._record(self._consensus, wanted, actual, members, head)
        return self._vote(wanted, actual) if self._consensus == "clique" else 0

    def _vote(self, wanted: set[str], actual: set[str]) -> int:
        pending = self._sealers.proposals()
        changes = 0
        for address in sorted(wanted - actual):
            if pending.get(address) is not True:
                self._sealers.propose(address, True)
                changes += 1
        for address in sorted(actual - wanted):
            if pending.get(address) is not False:
                self._sealers.propose(address, False)
                changes += 1
        for address in sorted(pending):
            # Settled, or wanted neither way: a stale proposal would vote again after a later change.
            if address not in wanted ^ actual:
                self._sealers.discard(address)
                changes += 1
        return changes

    def _record(
        self,
        consensus: Consensus,
        wanted: set[str],
        actual: set[str],
        members: list[MemberRecord],
        head: int,
    ) -> None:
        owners: dict[str, MemberRecord] = {}
        for m in members:  # an active member's claim on an address wins over a suspended one's
            if m.validator not in owners or m.status == 1:
                owners[m.validator] = m

        def difference(address: str) -> SealerDifference:
            owner = owners.get(address)
            if owner is None:
                return SealerDifference(address, None, None)
            return SealerDifference(address, owner.code, _STATUS_NAMES.get(owner.status, "unknown"))

        now = self._clock()
        with self._lock:
            previous = self._report
            report = SealerReport(
                consensus=consensus,
                missing=[difference(a) for a in sorted(wanted - actual)],
                extra=[difference(a) for a in sorted(actual - wanted)],
                checked_at=now,
                head=head,
                head_since=now,
                sealers=len(actual),
            )
            if previous is not None and previous.head == head:
                report.head_since = previous.head_since
            if report.disagreeing:
                since = previous.disagreeing_since if previous is not None else None
                report.disagreeing_since = since if since is not None else now
            self._report = report

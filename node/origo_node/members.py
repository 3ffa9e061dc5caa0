"""The consortium's members as the membership contract says now, cached and refreshed on membership events."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from enum import IntEnum

from origo_api.answers import Member as MemberAnswer

from origo_node.chain.port import ChainPort
from origo_node.store.ports import FactStore

_SNAPSHOT = "members"


class MemberStatus(IntEnum):
    NONE = 0
    ACTIVE = 1
    SUSPENDED = 2
    REMOVED = 3


@dataclass(frozen=True)
class Member:
    code: str
    name: str
    admin: str
    validator: str
    status: MemberStatus
    encryption_key: bytes
    endpoint: str
    joined_at_block: int
    issuers: tuple[str, ...] = field(default_factory=tuple)

    @property
    def active(self) -> bool:
        return self.status is MemberStatus.ACTIVE

    def answer(self) -> MemberAnswer:
        """The member as ``GET /api/v1/members`` shows it."""
        from origo_node.crypto import load_public_key

        try:
            suite = str(load_public_key(self.encryption_key).suite.name)
        except Exception:  # a member's key we cannot parse is shown as such, not hidden
            suite = "unknown"
        return MemberAnswer(
            code=self.code,
            name=self.name,
            status=self.status.name.lower(),
            endpoint=self.endpoint,
            admin=self.admin,
            validator=self.validator,
            issuers=list(self.issuers),
            encryption_suite=suite,
            joined_at_block=self.joined_at_block,
        )


def code_of(raw: bytes) -> str:
    """A member code from its ``bytes2`` form."""
    return raw.decode("ascii")


class MemberDirectory:
    """A thread-safe snapshot of every member, read from the contract's views."""

    def __init__(self, chain: ChainPort, facts: FactStore | None = None) -> None:
        self._chain = chain
        self._facts = facts
        self._lock = threading.Lock()
        self._members: dict[str, Member] = self._load_snapshot()

    def reload(self) -> None:
        """Takes the members stored by another process of this node (API workers follow the background)."""
        members = self._load_snapshot()
        if members:
            with self._lock:
                self._members = members

    def _load_snapshot(self) -> dict[str, Member]:
        """The members as last read, so that a node restarted while the chain is down can still accept."""
        stored = None if self._facts is None else self._facts.get(_SNAPSHOT)
        if stored is None:
            return {}
        members = {}
        for item in stored:
            item.update(
                status=MemberStatus(item["status"]),
                encryption_key=bytes.fromhex(item["encryption_key"]),
                issuers=tuple(item["issuers"]),
            )
            members[item["code"]] = Member(**item)
        return members

    def _save_snapshot(self, members: dict[str, Member]) -> None:
        if self._facts is None:
            return
        rows = [
            {
                **asdict(m),
                "status": int(m.status),
                "encryption_key": m.encryption_key.hex(),
                "issuers": list(m.issuers),
            }
            for m in members.values()
        ]
        self._facts.put(_SNAPSHOT, rows)

    def refresh(self) -> None:
        members: dict[str, Member] = {}
        for record in self._chain.members():
            members[record.code] = Member(
                code=record.code,
                name=record.name,
                admin=record.admin,
                validator=record.validator,
                status=MemberStatus(record.status),
                encryption_key=record.encryption_key,
                endpoint=record.endpoint,
                joined_at_block=record.joined_at_block,
                issuers=record.issuers,
            )
        self._save_snapshot(members)
        with self._lock:
            self._members = members

    def get(self, code: str) -> Member | None:
        with self._lock:
            return self._members.get(code)

    def all(self) -> list[Member]:
        with self._lock:
            return list(self._members.values())

    def active_codes(self) -> frozenset[str]:
        with self._lock:
            return frozenset(code for code, member in self._members.items() if member.active)

    def peer_endpoints(self, own: str) -> list[str]:
        """Other members' node URLs, where their trustless gateways answer."""
        with self._lock:
            return [m.endpoint for c, m in self._members.items() if c != own and m.endpoint]

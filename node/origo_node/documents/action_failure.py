"""Why an officer's action failed, typed: what the action's record keeps, and the API shows, as a problem.

The actions store keeps it as JSON in the action's ``error`` column with the keys the node has always
written, in this order: ``title`` (the words), then ``rule`` and ``args`` for a refusal by the contracts'
rules (the custom error and its arguments, as JSON), or ``rule`` ``Reverted`` and ``tx`` for a transaction
the chain mined and reverted. ``as_json`` gives exactly that, and ``failure_of`` reads it back, rows written
before this type included, so a failure recorded by an older node is answered the same. ``answer`` gives
the API's ``ActionError`` with the same members in the same order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from origo_api.answers import MISSING, ActionError

from origo_node.errors import ChainRuleViolated

#: What the API says of a failure recorded without words (none the node wrote; the route says the same).
UNWORDED = "the transaction failed"


@dataclass(frozen=True, kw_only=True)
class ActionFailure:
    title: str
    #: The contracts' custom error by name, ``Revert`` for a refusal without one, ``Reverted`` once mined.
    rule: str | None = None
    #: The custom error's arguments as JSON values (bytes as 0x-hex), in the error's order.
    args: tuple[Any, ...] | None = None
    #: The transaction the chain reverted.
    tx: str | None = None

    @classmethod
    def refused(cls, exc: ChainRuleViolated) -> ActionFailure:
        """The chain's rules refused the action's call before it was sent (the chain changed since the
        check)."""
        rule = exc.details.get("rule")
        args = exc.details.get("args")
        return cls(
            title=exc.message,
            rule=None if rule is None else str(rule),
            args=None if args is None else tuple(args),
        )

    @classmethod
    def reverted(cls, tx: str) -> ActionFailure:
        return cls(title="the chain reverted the transaction", rule="Reverted", tx=tx)

    def as_json(self) -> dict[str, Any]:
        shown: dict[str, Any] = {"title": self.title}
        if self.rule is not None:
            shown["rule"] = self.rule
        if self.args is not None:
            shown["args"] = list(self.args)
        if self.tx is not None:
            shown["tx"] = self.tx
        return shown

    def answer(self) -> ActionError:
        return ActionError(
            title=self.title,
            rule=MISSING if self.rule is None else self.rule,
            args=MISSING if self.args is None else list(self.args),
            tx=MISSING if self.tx is None else self.tx,
        )


def failure_of(stored: Mapping[str, Any]) -> ActionFailure:
    """The failure from its stored JSON (``as_json``'s keys; any other key is dropped: none was written)."""
    rule, args, tx = stored.get("rule"), stored.get("args"), stored.get("tx")
    return ActionFailure(
        title=str(stored.get("title", UNWORDED)),
        rule=None if rule is None else str(rule),
        args=None if args is None else tuple(args),
        tx=None if tx is None else str(tx),
    )

"""The score that orders the work list: the weights of the rules that fired, each rule counted once."""

from __future__ import annotations

from collections.abc import Sequence

from origo_node.services.risk import consistency, history, origin, value
from origo_node.services.risk.answers import Level
from origo_node.services.risk.catalogue import Signal
from origo_node.services.risk.dossier import Dossier
from origo_node.services.risk.settings import RiskSettings

#: Scores are capped: beyond this everything is "look now", and a long list of small signals must not bury a
#: document with one heavy one under the arithmetic.
MAX_SCORE = 100.0


def assess(dossier: Dossier, settings: RiskSettings) -> list[Signal]:
    """Every signal for the dossier's document, heaviest first (a pure function: no I/O)."""
    found = [
        *consistency.signals(dossier, settings),
        *origin.signals(dossier, settings),
        *value.signals(dossier, settings),
        *history.signals(dossier, settings),
    ]
    return ordered(found)


def ordered(found: Sequence[Signal]) -> list[Signal]:
    return sorted(found, key=lambda s: (-s.weight, s.rule, s.sentence))


def score(found: Sequence[Signal]) -> float:
    """Sum over the rules that fired of the rule's weight (once, however many items it fired on), capped."""
    by_rule: dict[str, float] = {}
    for signal in found:
        by_rule[signal.rule] = max(by_rule.get(signal.rule, 0.0), signal.weight)
    return min(MAX_SCORE, sum(by_rule.values()))


def level(points: float) -> Level:
    """How an officer reads a score: high, medium, low, or none."""
    if points >= 50:
        return "high"
    if points >= 20:
        return "medium"
    return "low" if points > 0 else "none"

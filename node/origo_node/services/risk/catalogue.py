"""The rules: each one's family, default weight and what it looks for, and the signal it produces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from origo_api import desk_answers
from origo_api.desk_answers import RiskFamily

from origo_node.services.risk.settings import RiskSettings


@dataclass(frozen=True)
class Rule:
    code: str
    family: RiskFamily
    weight: float  # the default; a member's settings may change it
    looks_for: str


_RULES = (
    Rule("hs_mismatch", "consistency", 30, "HS subheadings (6 digits) that differ between the documents"),
    Rule("quantity_mismatch", "consistency", 25, "quantities of the same goods beyond the tolerance"),
    Rule("weight_mismatch", "consistency", 20, "gross weights beyond the tolerance"),
    Rule("vessel_mismatch", "consistency", 20, "another vessel or flight"),
    Rule("port_mismatch", "consistency", 20, "another port of loading or discharge"),
    Rule("date_mismatch", "consistency", 15, "departure or invoice dates that differ"),
    Rule("consignee_mismatch", "consistency", 20, "another consignee"),
    Rule("certificate_not_found", "consistency", 10, "a certificate of origin cited but not received"),
    Rule("rvc_near_threshold", "origin", 20, "an RVC claimed close to (or below) its threshold"),
    Rule("retroactive", "origin", 15, "a certificate issued retroactively"),
    Rule("back_to_back", "origin", 10, "a back-to-back certificate"),
    Rule("third_country_invoicing", "origin", 10, "an invoice issued in a third country"),
    Rule("transshipment", "origin", 25, "a port of loading outside the exporting member"),
    Rule("unit_value_outlier", "value", 25, "a unit value far from this member's history for its subheading"),
    Rule("exporter_revoked", "history", 15, "the exporter's certificates revoked by their issuer"),
    Rule("exporter_rejected", "history", 15, "the exporter's certificates rejected at import"),
    Rule("exporter_not_confirmed", "history", 25, "verifications of the exporter's origin not confirmed"),
    Rule("fully_used_claim", "history", 20, "claims on the exporter's certificates once fully used"),
    Rule("payload_unfit", "integrity", 50, "a document whose content is not what its issuer anchored"),
)
RULES: dict[str, Rule] = {rule.code: rule for rule in _RULES}
FAMILIES = tuple(dict.fromkeys(rule.family for rule in _RULES))


#: A fact a signal shows: a figure, a code, a document's value (keyed by its name), or a list of them.
Evidence = str | int | float | Sequence[str] | None


@dataclass(frozen=True)
class Signal:
    """One thing an officer should look at: which rule, how much it weighs, a sentence, and the facts."""

    rule: str
    weight: float
    sentence: str
    evidence: Mapping[str, Evidence] = field(default_factory=dict)

    @property
    def family(self) -> RiskFamily:
        return RULES[self.rule].family

    def answer(self) -> desk_answers.RiskSignal:
        return desk_answers.RiskSignal(
            rule=self.rule,
            family=self.family,
            weight=self.weight,
            sentence=self.sentence,
            evidence=dict(self.evidence),
        )


class Emitter:
    """Makes signals for the rules a member has switched on, with the member's weights."""

    def __init__(self, settings: RiskSettings) -> None:
        self._settings = settings

    def enabled(self, rule: str) -> bool:
        setting = getattr(self._settings.rules, rule)
        return bool(setting.enabled)

    def weight(self, rule: str) -> float:
        setting = getattr(self._settings.rules, rule)
        return float(RULES[rule].weight if setting.weight is None else setting.weight)

    def __call__(self, rule: str, sentence: str, **evidence: Evidence) -> list[Signal]:
        """The signal, in a list (empty when the member switched the rule off), so rules can ``+=`` it."""
        if not self.enabled(rule):
            return []
        return [Signal(rule, self.weight(rule), sentence, evidence)]


def effective(settings: RiskSettings) -> tuple[desk_answers.RiskRule, ...]:
    """Every rule as this member applies it (for the API and the CLI)."""
    emit = Emitter(settings)
    return tuple(
        desk_answers.RiskRule(
            rule=rule.code,
            family=rule.family,
            enabled=emit.enabled(rule.code),
            weight=emit.weight(rule.code),
            default_weight=rule.weight,
            looks_for=rule.looks_for,
        )
        for rule in _RULES
    )

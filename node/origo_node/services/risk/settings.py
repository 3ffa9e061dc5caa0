"""A member's risk settings: each rule on or off with its weight, and the thresholds the rules use.

Nested in the node's settings as ``risk`` (``[risk]`` in node.toml, ``ORIGO_RISK__...`` in the environment,
e.g. ``ORIGO_RISK__RULES__TRANSSHIPMENT__WEIGHT=40`` or ``ORIGO_RISK__THRESHOLDS__WEIGHT_TOLERANCE_PCT=8``).
A rule left without a weight takes its default from the catalogue (``catalogue.RULES``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class RuleSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    weight: float | None = Field(default=None, ge=0, le=100, description="None: the rule's default weight.")


def _rule() -> RuleSetting:
    return RuleSetting()


class RiskRules(BaseModel):
    """One entry per rule of the catalogue (a test keeps the two in step)."""

    model_config = ConfigDict(extra="forbid")

    hs_mismatch: RuleSetting = Field(default_factory=_rule)
    quantity_mismatch: RuleSetting = Field(default_factory=_rule)
    weight_mismatch: RuleSetting = Field(default_factory=_rule)
    vessel_mismatch: RuleSetting = Field(default_factory=_rule)
    port_mismatch: RuleSetting = Field(default_factory=_rule)
    date_mismatch: RuleSetting = Field(default_factory=_rule)
    consignee_mismatch: RuleSetting = Field(default_factory=_rule)
    certificate_not_found: RuleSetting = Field(default_factory=_rule)
    rvc_near_threshold: RuleSetting = Field(default_factory=_rule)
    retroactive: RuleSetting = Field(default_factory=_rule)
    back_to_back: RuleSetting = Field(default_factory=_rule)
    third_country_invoicing: RuleSetting = Field(default_factory=_rule)
    transshipment: RuleSetting = Field(default_factory=_rule)
    unit_value_outlier: RuleSetting = Field(default_factory=_rule)
    exporter_revoked: RuleSetting = Field(default_factory=_rule)
    exporter_rejected: RuleSetting = Field(default_factory=_rule)
    exporter_not_confirmed: RuleSetting = Field(default_factory=_rule)
    fully_used_claim: RuleSetting = Field(default_factory=_rule)
    payload_unfit: RuleSetting = Field(default_factory=_rule)


class RiskThresholds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quantity_tolerance_pct: float = Field(
        default=2.0, ge=0, le=100, description="Quantities of the same goods may differ by this much."
    )
    weight_tolerance_pct: float = Field(
        default=5.0, ge=0, le=100, description="Gross weights may differ by this much (packing, scales)."
    )
    date_tolerance_days: int = Field(
        default=0, ge=0, le=30, description="Departure dates may differ by this."
    )
    rvc_threshold_pct: int = Field(
        default=40, ge=1, le=100, description="The RVC the rule of origin asks for."
    )
    rvc_margin_points: int = Field(
        default=3,
        ge=0,
        le=100,
        description="An RVC claimed within this many points of the threshold is close.",
    )
    value_min_observations: int = Field(
        default=5,
        ge=2,
        le=10_000,
        description="Earlier unit values of an HS subheading needed before judging.",
    )
    value_outlier_z: float = Field(
        default=3.5, gt=0, le=100, description="Robust z-score (median and MAD) beyond which a value is far."
    )
    max_documents: int = Field(
        default=2000, ge=1, le=100_000, description="How many of the newest documents the work list scores."
    )


class RiskSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rules: RiskRules = Field(default_factory=RiskRules)
    thresholds: RiskThresholds = Field(default_factory=RiskThresholds)

"""The score, the levels, and the settings that every member may tune."""

from __future__ import annotations

from pathlib import Path

import pytest
from origo_node.services.risk import scoring
from origo_node.services.risk.catalogue import RULES, Signal, effective
from origo_node.services.risk.settings import RiskRules, RiskSettings
from origo_node.settings import NodeSettings
from pydantic import ValidationError


def test_every_rule_has_a_setting_and_every_setting_a_rule() -> None:
    assert set(RiskRules.model_fields) == set(RULES)


def test_a_rule_counts_once_however_many_items_it_fired_on() -> None:
    found = [
        Signal("hs_mismatch", 30, "item 1"),
        Signal("hs_mismatch", 30, "item 2"),
        Signal("retroactive", 15, ""),
    ]
    assert scoring.score(found) == 45


def test_the_score_is_capped() -> None:
    found = [
        Signal(rule, 30, "") for rule in ("hs_mismatch", "transshipment", "payload_unfit", "retroactive")
    ]
    assert scoring.score(found) == scoring.MAX_SCORE == 100


@pytest.mark.parametrize(
    ("points", "level"), [(0, "none"), (10, "low"), (20, "medium"), (49, "medium"), (50, "high")]
)
def test_levels(points: float, level: str) -> None:
    assert scoring.level(points) == level


def test_the_effective_rules_show_the_members_weights() -> None:
    tuned = RiskSettings.model_validate(
        {"rules": {"transshipment": {"weight": 40}, "back_to_back": {"enabled": False}}}
    )
    rules = {rule.rule: rule for rule in effective(tuned)}
    assert (rules["transshipment"].weight, rules["transshipment"].default_weight) == (40, 25)
    assert rules["back_to_back"].enabled is False
    assert rules["hs_mismatch"].weight == RULES["hs_mismatch"].weight


def _node(**risk: object) -> NodeSettings:
    return NodeSettings(
        member="SG",
        data_dir="/tmp/x",
        chain_rpc="http://x",
        membership_address="0x1",
        registry_address="0x2",
        **risk,
    )


def test_the_node_reads_risk_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORIGO_RISK__RULES__TRANSSHIPMENT__WEIGHT", "40")
    monkeypatch.setenv("ORIGO_RISK__THRESHOLDS__WEIGHT_TOLERANCE_PCT", "8")
    settings = _node()
    assert settings.risk.rules.transshipment.weight == 40
    assert settings.risk.thresholds.weight_tolerance_pct == 8
    assert settings.risk.rules.hs_mismatch.enabled is True


def test_the_node_reads_risk_settings_from_node_toml(tmp_path: Path) -> None:
    from origo_node.settings import load_settings

    toml = tmp_path / "node.toml"
    toml.write_text(
        'member = "SG"\ndata_dir = "/tmp/x"\nchain_rpc = "http://x"\nmembership_address = "0x1"\n'
        'registry_address = "0x2"\n[risk.thresholds]\nvalue_min_observations = 12\n'
        "[risk.rules.retroactive]\nenabled = false\n",
        encoding="utf-8",
    )
    settings = load_settings(toml)
    assert settings.risk.thresholds.value_min_observations == 12
    assert settings.risk.rules.retroactive.enabled is False


@pytest.mark.parametrize(
    "risk",
    [
        {"rules": {"no_such_rule": {"enabled": True}}},
        {"rules": {"hs_mismatch": {"weight": -1}}},
        {"thresholds": {"weight_tolerance_pct": 300}},
        {"thresholds": {"value_min_observations": 1}},
    ],
)
def test_nonsense_settings_are_refused(risk: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        _node(risk=risk)

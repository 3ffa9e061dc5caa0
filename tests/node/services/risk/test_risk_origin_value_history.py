"""Origin, value, history and integrity signals: each fires on its crafted case; its near miss is silent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from origo_node.services.risk import history, integrity, origin, value
from origo_node.services.risk.dossier import Dossier, ExporterHistory
from origo_node.services.risk.library import Entry, Library
from origo_node.services.risk.settings import RiskSettings

from ._docs import doc, view

DEFAULTS = RiskSettings()


def origin_rules(kind: str, change: Any = None, name: str | None = None) -> list[str]:
    return [s.rule for s in origin.signals(Dossier(view(doc(kind, change, name))), DEFAULTS)]


# ------------------------------------------------------------------------------------------------ origin


def rvc(percent: int) -> Any:
    def change(d: dict[str, Any]) -> None:
        d["items"][0]["originCriterion"] = f"RVC {percent}%"
        d["items"][0]["fobValue"] = {"amount": "88320.00", "currency": "USD"}

    return change


@pytest.mark.parametrize(("percent", "fires"), [(41, True), (43, True), (39, True), (44, False), (60, False)])
def test_an_rvc_close_to_its_threshold(percent: int, fires: bool) -> None:
    assert origin_rules("certificate", rvc(percent)) == (["rvc_near_threshold"] if fires else [])


def test_the_rvc_threshold_and_margin_are_settings() -> None:
    tight = RiskSettings.model_validate({"thresholds": {"rvc_margin_points": 0}})
    subject = Dossier(view(doc("certificate", rvc(41))))
    assert origin.signals(subject, tight) == []
    stricter = RiskSettings.model_validate({"thresholds": {"rvc_threshold_pct": 45}})
    (signal,) = origin.signals(Dossier(view(doc("certificate", rvc(44)))), stricter)
    assert signal.sentence == (
        "Item 1 (HS 0901.11) claims a regional value content of 44%, below the 45% the rule asks for."
    )


def test_the_flags_of_box_13() -> None:
    # The samples: coffee has no flag; the autoparts are third-country invoiced (and RVC 40%); palm oil is
    # back-to-back, loaded in the member that issued it (the intermediate one).
    assert origin_rules("certificate") == []
    assert sorted(origin_rules("certificate", name="th-my-autoparts")) == [
        "rvc_near_threshold",
        "third_country_invoicing",
    ]
    assert origin_rules("certificate", name="id-ph-palm-oil") == ["back_to_back"]

    def retroactive(d: dict[str, Any]) -> None:
        d["flags"]["issuedRetroactively"] = True
        d["certification"]["date"] = "2026-11-25"

    assert origin_rules("certificate", retroactive) == ["retroactive"]


def test_a_port_of_loading_outside_the_exporting_member() -> None:
    loaded_in_singapore = lambda d: d["transport"].update(portOfLoading="SGSIN", portOfDischarge="SGSIN")  # noqa: E731
    (signal,) = origin.signals(Dossier(view(doc("declaration", loaded_in_singapore))), DEFAULTS)
    assert signal.rule == "transshipment"
    assert "Singapore (SGSIN), in SG, not in the exporting member VN" in signal.sentence
    assert origin_rules("certificate", lambda d: d["transport"].update(portOfLoading="KHKOS")) == [
        "transshipment"
    ]


def test_a_port_of_loading_in_the_exporting_member_is_no_transshipment() -> None:
    assert origin_rules("declaration", lambda d: d["transport"].update(portOfLoading="VNHPH")) == []
    assert origin_rules("certificate", lambda d: d["transport"].update(portOfLoading="VNCMT")) == []


def test_a_switched_off_rule_is_silent() -> None:
    off = RiskSettings.model_validate({"rules": {"third_country_invoicing": {"enabled": False}}})
    found = origin.signals(Dossier(view(doc("certificate", name="th-my-autoparts"))), off)
    assert [s.rule for s in found] == ["rvc_near_threshold"]


# ------------------------------------------------------------------------------------------------- value


def priced(unit_value: str, history_values: list[str]) -> list[str]:
    """The value signals of the coffee declaration valued at ``unit_value`` USD per KGM."""
    amount = Decimal(unit_value) * 19200
    subject = view(doc("declaration", lambda d: d["items"][0]["fobValue"].update(amount=f"{amount:.2f}")))
    prices = {("090111", "KGM", "USD"): tuple(Decimal(v) for v in history_values)}
    return [s.rule for s in value.signals(Dossier(subject, prices=prices), DEFAULTS)]


NORMAL = ["4.55", "4.60", "4.62", "4.48", "4.70", "4.58", "4.65"]


def test_a_unit_value_far_below_the_members_history() -> None:
    assert priced("2.10", NORMAL) == ["unit_value_outlier"]
    assert priced("9.80", NORMAL) == ["unit_value_outlier"]


def test_a_unit_value_inside_the_spread_is_silent() -> None:
    assert priced("4.75", NORMAL) == []


def test_too_little_history_says_nothing() -> None:
    assert priced("2.10", NORMAL[:4]) == []  # 4 < the default minimum of 5 observations


def test_a_few_wild_values_in_the_history_do_not_move_the_norm() -> None:
    # Median and MAD: two absurd earlier values leave the norm where the others put it.
    assert priced("2.10", [*NORMAL, "40.0", "0.01"]) == ["unit_value_outlier"]


def test_a_history_of_identical_values_judges_by_a_hundredth_of_the_median() -> None:
    same = ["4.60"] * 6
    assert priced("4.62", same) == []  # 0.4% off
    assert priced("5.10", same) == ["unit_value_outlier"]  # 11% off


def test_the_sentence_gives_the_value_the_norm_and_the_score() -> None:
    amount = Decimal("2.10") * 19200
    subject = view(doc("declaration", lambda d: d["items"][0]["fobValue"].update(amount=f"{amount:.2f}")))
    prices = {("090111", "KGM", "USD"): tuple(Decimal(v) for v in NORMAL)}
    (signal,) = value.signals(Dossier(subject, prices=prices), DEFAULTS)
    assert signal.sentence.startswith(
        "Item 1 (HS 090111) is valued at USD 2.1000 per KGM, far below the median USD 4.6000 of 7 exporters'"
        " earlier documents at this member (robust z-score"
    )
    assert signal.evidence["observations"] == 7 and signal.evidence["median"] == "4.6000"


def test_norm_is_median_and_mad() -> None:
    seen = value.norm([Decimal(v) for v in ("1", "2", "3", "4", "100")])
    assert (seen.median, seen.mad, seen.count) == (Decimal(3), Decimal(1), 5)


# ----------------------------------------------------------------------------------------------- history


def history_rules(seen: ExporterHistory, kind: str = "certificate") -> list[str]:
    return sorted(s.rule for s in history.signals(Dossier(view(doc(kind)), history=seen), DEFAULTS))


def test_the_exporters_history_signals() -> None:
    assert history_rules(ExporterHistory()) == []
    seen = ExporterHistory(
        revoked=("VN-HCM-2026-000101",),
        rejected=("VN-HCM-2026-000102",),
        not_confirmed=("VN-HCM-2026-000103",),
        fully_used_claims=(("VN-HCM-2026-000104", "SG-IMP-0009"),),
    )
    assert history_rules(seen) == [
        "exporter_not_confirmed",
        "exporter_rejected",
        "exporter_revoked",
        "fully_used_claim",
    ]
    assert history_rules(seen, "declaration") == history_rules(
        seen
    )  # known by the exporter, whatever the doc
    (claim,) = history.signals(
        Dossier(view(doc("certificate")), history=ExporterHistory(fully_used_claims=seen.fully_used_claims)),
        DEFAULTS,
    )
    assert "VN-HCM-2026-000104 (declaration SG-IMP-0009)" in claim.sentence
    assert history_rules(seen, "manifest") == []  # a manifest names no exporter


# --------------------------------------------------------------------------------------------- integrity


def test_an_unfit_payload_weighs_most() -> None:
    (signal,) = integrity.signals("facts_mismatch", "the chain records importer TH", DEFAULTS)
    assert signal.weight == 50 and "the chain records importer TH" in signal.sentence
    assert integrity.signals("ok", None, DEFAULTS) == []
    assert integrity.signals("pending", None, DEFAULTS) == []
    assert integrity.signals(None, None, DEFAULTS) == []


def declared(exporter: str, unit_value: str, number: int) -> Entry:
    def change(d: dict[str, Any]) -> None:
        d["referenceNumber"] = f"3058712{number:05d}"
        d["exporter"]["name"] = exporter
        d["items"][0]["fobValue"]["amount"] = f"{Decimal(unit_value) * 19200:.2f}"
        del d["items"][0]["certificateOfOrigin"]

    document = doc("declaration", change)
    return Entry(document, view(document))


def test_each_exporter_is_one_voice_in_the_norm() -> None:
    honest = [declared(f"Exporter {n}", f"4.{55 + n}", n) for n in range(6)]
    # One exporter files twenty cheap declarations: the norm stays where the six others put it.
    flood = [declared("Cheap Coffee Co", "2.10", 100 + n) for n in range(20)]
    subject = declared("Another Coffee Co", "2.10", 999)
    library = Library([*honest, *flood, subject])
    prices = library.prices(subject.view, {subject.view.key})
    assert len(prices[("090111", "KGM", "USD")]) == 7  # six honest exporters and the flood's one voice
    found = value.signals(Dossier(subject.view, prices=prices), DEFAULTS)
    assert [s.rule for s in found] == ["unit_value_outlier"]
    # Five documents of one exporter are one observation: too little history to speak.
    few = Library([*(declared("Solo Co", "4.60", n) for n in range(5)), subject])
    alone = few.prices(subject.view, {subject.view.key})
    assert value.signals(Dossier(subject.view, prices=alone), DEFAULTS) == []

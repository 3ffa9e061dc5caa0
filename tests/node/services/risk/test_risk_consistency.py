"""Consistency signals: each fires on its crafted disagreement and stays silent inside the tolerance."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from origo_node.services.risk import consistency
from origo_node.services.risk.dossier import Dossier, Linked
from origo_node.services.risk.library import MAX_LINKS, Entry, Library
from origo_node.services.risk.settings import RiskSettings

from ._docs import doc, view

Change = Callable[[dict[str, Any]], object]


def rules_for(
    subject_kind: str,
    change: Change | None = None,
    *,
    other_kind: str = "certificate",
    other_change: Change | None = None,
    settings: RiskSettings | None = None,
) -> list[str]:
    subject = view(doc(subject_kind, change))
    other = view(doc(other_kind, other_change))
    linked = [Linked(other, ("transport document",))]
    if subject.kind == "declaration" and other.kind != "certificate":
        linked.append(Linked(view(doc("certificate")), ("certificate of origin reference",)))  # as it cites
    dossier = Dossier(subject=subject, linked=tuple(linked))
    return sorted({s.rule for s in consistency.signals(dossier, settings or RiskSettings())})


def item(field: str, value: Any) -> Change:
    return lambda d: d["items"][0].__setitem__(field, value)


def test_the_samples_agree_with_each_other() -> None:
    assert rules_for("declaration") == []
    assert rules_for("declaration", other_kind="manifest") == []
    assert rules_for("certificate", other_kind="manifest") == []
    assert rules_for("manifest", other_kind="declaration") == []


FIRES: list[tuple[str, str, Change]] = [
    ("hs_mismatch", "certificate", item("hsCode", "0901.21")),
    ("hs_mismatch", "manifest", item("hsCode", "2101.11")),
    ("quantity_mismatch", "certificate", lambda d: d["items"][0]["quantity"].update(value=19700)),  # +2.6%
    ("weight_mismatch", "certificate", item("grossWeightKg", 20400)),  # +5.4%
    ("weight_mismatch", "manifest", item("grossWeightKg", 18300)),  # -5.4%
    ("vessel_mismatch", "certificate", lambda d: d["transport"].update(vesselOrFlight="MSC ANNA V.2651S")),
    ("vessel_mismatch", "manifest", lambda d: d["transport"].update(vesselOrFlight="CMA CGM TAGE")),
    ("port_mismatch", "certificate", lambda d: d["transport"].update(portOfDischarge="MYPKG")),
    ("port_mismatch", "manifest", lambda d: d["transport"].update(portOfLoading="VNCMT")),
    ("date_mismatch", "certificate", lambda d: d["transport"].update(departureDate="2026-11-22")),
    ("date_mismatch", "certificate", lambda d: d["invoice"].update(date="2026-11-16")),
    (
        "consignee_mismatch",
        "certificate",
        lambda d: d["consignee"].update(name="Lion City Trading Pte. Ltd."),
    ),
    ("consignee_mismatch", "manifest", lambda d: d["consignee"].update(name="Lion City Trading Pte. Ltd.")),
]


@pytest.mark.parametrize(("rule", "other", "change"), FIRES, ids=[f"{r}-{o}" for r, o, _ in FIRES])
def test_a_declaration_that_disagrees_fires(rule: str, other: str, change: Change) -> None:
    assert rules_for("declaration", change, other_kind=other) == [rule]


NEAR_MISSES: list[tuple[str, str, Change]] = [
    ("HS at 8 digits differs, at 6 it agrees", "certificate", item("hsCode", "0901.11.90")),
    ("quantity +1.6%, inside 2%", "certificate", lambda d: d["items"][0]["quantity"].update(value=19500)),
    ("weight +4.9%, inside 5%", "certificate", item("grossWeightKg", 20300)),
    ("weight -4.9%, inside 5%", "manifest", item("grossWeightKg", 18400)),
    (
        "the vessel written otherwise",
        "manifest",
        lambda d: d["transport"].update(vesselOrFlight="M/V msc isabella"),
    ),
    (
        "the consignee written otherwise",
        "certificate",
        lambda d: d["consignee"].update(name="STRAITS ROASTERS PTE LTD"),
    ),
]


@pytest.mark.parametrize(("why", "other", "change"), NEAR_MISSES, ids=[w for w, _, _ in NEAR_MISSES])
def test_a_near_miss_stays_silent(why: str, other: str, change: Change) -> None:
    assert rules_for("declaration", change, other_kind=other) == [], why


def test_the_tolerances_are_the_members_settings() -> None:
    change = item("grossWeightKg", 20400)  # +5.4%
    wide = RiskSettings.model_validate({"thresholds": {"weight_tolerance_pct": 6}})
    assert rules_for("declaration", change, settings=wide) == []
    late = lambda d: d["transport"].update(departureDate="2026-11-21")  # noqa: E731
    lenient = RiskSettings.model_validate({"thresholds": {"date_tolerance_days": 1}})
    assert rules_for("declaration", late, settings=lenient) == []
    assert rules_for("declaration", late) == ["date_mismatch"]


def test_fewer_goods_than_certified_are_normal_on_another_shipment_only() -> None:
    half = lambda d: d["items"][0]["quantity"].update(value=9600)  # noqa: E731
    assert rules_for("declaration", half) == ["quantity_mismatch"]  # the same B/L: all of it should be there
    other_shipment = lambda d: (half(d), d["transport"].update(transportDocument="MEDUVN264800050"))  # noqa: E731
    assert rules_for("declaration", other_shipment) == []
    more = lambda d: d["items"][0]["quantity"].update(value=25000)  # noqa: E731
    assert rules_for("declaration", lambda d: (other_shipment(d), more(d))) == ["quantity_mismatch"]


def test_a_certificate_sees_the_declaration_that_contradicts_it() -> None:
    assert rules_for("certificate", other_kind="declaration", other_change=item("hsCode", "0901.21")) == [
        "hs_mismatch"
    ]


def test_a_cited_certificate_that_is_not_linked_is_named() -> None:
    declaration = view(doc("declaration"))
    found = consistency.signals(Dossier(subject=declaration), RiskSettings())
    assert [s.rule for s in found] == ["certificate_not_found"]
    assert "VN:VN-HCM-2026-004512" in found[0].sentence


def test_a_sentence_names_both_documents_and_the_figures() -> None:
    subject = view(
        doc(
            "declaration",
            lambda d: (d["items"][0].pop("certificateOfOrigin"), item("grossWeightKg", 21500)(d)),
        )
    )
    manifest = view(doc("manifest"))
    (signal,) = consistency.signals(Dossier(subject, (Linked(manifest, ()),)), RiskSettings())
    assert signal.sentence == (
        "Gross weight 21,500 kg on the declaration 305871204330, 19,350 kg on B/L MEDUVN264700123 of manifest"
        " MSC-ISA-2647S-VNSGN (+11.1%, tolerance 5%)."
    )
    assert signal.weight == 20


def consignment(field: str, value: Any) -> Change:
    return lambda d: d["consignments"][0].__setitem__(field, value)


ON_THE_MANIFEST: list[tuple[str, Change]] = [
    ("hs_mismatch", consignment("hsCode", "0901.21")),
    ("weight_mismatch", consignment("grossWeightKg", 20400)),
    ("consignee_mismatch", consignment("consignee", {"name": "Lion City Trading", "country": "SG"})),
    ("vessel_mismatch", lambda d: d["vessel"].update(name="MSC ANNA")),
    ("port_mismatch", lambda d: d.update(portOfDischarge="MYPKG")),
    ("date_mismatch", lambda d: d.update(departureDate="2026-11-19")),
]


@pytest.mark.parametrize(("rule", "change"), ON_THE_MANIFEST, ids=[r for r, _ in ON_THE_MANIFEST])
def test_a_certificate_that_the_manifest_contradicts_fires(rule: str, change: Change) -> None:
    assert rules_for("certificate", other_kind="manifest", other_change=change) == [rule]
    # The same pair seen from the manifest's side.
    assert rules_for("manifest", change, other_kind="certificate") == [rule]


def test_a_consignment_under_another_bill_of_lading_is_not_compared() -> None:
    other_bl = consignment("transportDocument", "MEDUVN264799999")
    assert (
        rules_for(
            "certificate",
            other_kind="manifest",
            other_change=lambda d: (other_bl(d), consignment("hsCode", "0901.21")(d)),
        )
        == []
    )


def test_the_certificate_a_declaration_cites_is_never_cut_by_the_bound_on_links() -> None:
    """Sixty certificates of the same exporter reuse the declaration's invoice number and sort before the one
    the declaration cites: the bound on links keeps the cited one (found in a shared network, where the cited
    certificate was left out and the declaration's figures were never compared)."""

    def numbered(n: int) -> Any:
        def change(d: dict[str, Any]) -> None:
            d["referenceNumber"] = f"VN-AAA-2026-{n:05d}"
            d["transport"]["transportDocument"] = f"OTHER-BL-{n}"

        return change

    look_alikes = [doc("certificate", numbered(n)) for n in range(MAX_LINKS + 10)]
    cited = doc("certificate", lambda d: d.update(referenceNumber="VN-ZZZ-2026-99999"))
    declaration = doc(
        "declaration",
        lambda d: d["items"][0]["certificateOfOrigin"].update(referenceNumber="VN-ZZZ-2026-99999"),
    )
    entries = [Entry(d, view(d)) for d in [*look_alikes, cited, declaration]]
    library = Library(entries)
    links = library.linked(entries[-1])
    assert len(links) == MAX_LINKS
    assert links[0].view.reference == "VN-ZZZ-2026-99999"
    assert "certificate of origin reference" in links[0].by

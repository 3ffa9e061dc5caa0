"""Consistency: a certificate, a manifest and a declaration that describe the same shipment must agree.

HS codes are compared at six digits (the level every member's tariff shares), quantities and gross weights
within the member's tolerances, and vessel, ports, departure dates and consignee as written (normalised).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from origo_node.documents.consignment_match import normalise_reference, vessel_matches
from origo_node.services.risk.catalogue import Emitter, Signal
from origo_node.services.risk.dossier import Dossier
from origo_node.services.risk.settings import RiskSettings, RiskThresholds
from origo_node.services.risk.views import Consignment, DocView, Line


def signals(dossier: Dossier, settings: RiskSettings) -> list[Signal]:
    emit, limits = Emitter(settings), settings.thresholds
    subject = dossier.subject
    found: list[Signal] = []
    for link in dossier.linked:
        other = link.view
        if "manifest" in (subject.kind, other.kind):
            manifest, document = (subject, other) if subject.kind == "manifest" else (other, subject)
            found += against_manifest(document, manifest, emit, limits)
        elif {subject.kind, other.kind} == {"declaration", "certificate"}:
            declaration, certificate = (subject, other) if subject.kind == "declaration" else (other, subject)
            found += declaration_and_certificate(declaration, certificate, emit, limits)
    if subject.kind == "declaration":
        found += missing_certificates(subject, [link.view for link in dossier.linked], emit)
    return list({(s.rule, s.sentence): s for s in found}.values())


def beyond(given: Decimal, expected: Decimal, tolerance_pct: float) -> bool:
    """Whether ``given`` differs from ``expected`` by more than ``tolerance_pct`` percent of ``expected``."""
    return abs(given - expected) > expected * Decimal(str(tolerance_pct)) / 100


def _pct(given: Decimal, expected: Decimal) -> str:
    return f"{(given - expected) / expected * 100:+.1f}%"


def _same_carrier(one: str, other: str) -> bool:
    """Two free-text vessel or flight fields name the same carrier when either holds the other's words."""
    return vessel_matches(one, other) or vessel_matches(other, one)


def _transport(
    one: DocView, other: DocView, emit: Emitter, limits: RiskThresholds, carrier: bool
) -> list[Signal]:
    found: list[Signal] = []
    pair = f"{one.label} and {other.label}"
    if (
        carrier
        and one.leg.vessel
        and other.leg.vessel
        and not _same_carrier(one.leg.vessel, other.leg.vessel)
    ):
        found += emit(
            "vessel_mismatch",
            f"The {one.label} names {one.leg.vessel!r}; the {other.label} {other.leg.vessel!r}.",
            **{one.key: one.leg.vessel, other.key: other.leg.vessel},
        )
    for what, mine, theirs in (
        ("loading", one.leg.port_of_loading, other.leg.port_of_loading),
        ("discharge", one.leg.port_of_discharge, other.leg.port_of_discharge),
    ):
        if mine != theirs:
            found += emit(
                "port_mismatch",
                f"Port of {what}: {mine} on the {one.label}, {theirs} on the {other.label}.",
                port=what,
                **{one.key: mine, other.key: theirs},
            )
    days = abs((one.leg.departure - other.leg.departure).days)
    if days > limits.date_tolerance_days:
        found += emit(
            "date_mismatch",
            f"Departure on {one.leg.departure.isoformat()} by the {one.label}, on"
            f" {other.leg.departure.isoformat()} by the {other.label} ({days} days apart).",
            documents=pair,
            days=days,
        )
    return found


def _consignee(one: DocView | Consignment, one_label: str, other: DocView, emit: Emitter) -> list[Signal]:
    if one.consignee is None or other.consignee is None or one.consignee == other.consignee:
        return []
    return emit(
        "consignee_mismatch",
        f"The consignee is {one.consignee_shown!r} on the {one_label},"
        f" {other.consignee_shown!r} on the {other.label}.",
        **{one_label: one.consignee_shown, other.key: other.consignee_shown},
    )


def against_manifest(
    document: DocView, manifest: DocView, emit: Emitter, limits: RiskThresholds
) -> list[Signal]:
    """A certificate or declaration against the manifest's consignment under its transport document."""
    wanted = document.leg.transport_document
    found: list[Signal] = []
    for row in (c for c in manifest.consignments if c.transport_document == wanted):
        where = f"B/L {row.shown} of manifest {manifest.reference}"
        subheadings = sorted({line.hs6 for line in document.lines})
        if row.hs6 not in subheadings:
            found += emit(
                "hs_mismatch",
                f"The {document.label} gives HS {', '.join(subheadings)}; {where} gives {row.hs6}.",
                **{document.key: subheadings, manifest.key: row.hs6},
            )
        weights = [line.gross_kg for line in document.lines]
        if weights and all(w is not None for w in weights):
            total = sum((w for w in weights if w is not None), Decimal(0))
            if beyond(total, row.gross_kg, limits.weight_tolerance_pct):
                found += emit(
                    "weight_mismatch",
                    f"Gross weight {total:,} kg on the {document.label}, {row.gross_kg:,} kg on {where}"
                    f" ({_pct(total, row.gross_kg)}, tolerance {limits.weight_tolerance_pct:g}%).",
                    **{document.key: str(total), manifest.key: str(row.gross_kg)},
                )
        found += _consignee(row, where, document, emit)
        found += _transport(document, manifest, emit, limits, carrier=True)
    return found


def _by_goods(lines: list[Line]) -> dict[tuple[str, str | None], tuple[Decimal, Decimal | None]]:
    """(HS subheading, unit) → (quantity, gross weight) summed over lines; weight None where one lacks it."""
    quantity: dict[tuple[str, str | None], Decimal] = defaultdict(Decimal)
    weight: dict[tuple[str, str | None], Decimal | None] = {}
    for line in lines:
        key = (line.hs6, line.unit)
        quantity[key] += line.quantity or 0
        known = weight.get(key, Decimal(0))
        weight[key] = None if known is None or line.gross_kg is None else known + line.gross_kg
    return {key: (quantity[key], weight[key]) for key in quantity}


def declaration_and_certificate(
    declaration: DocView, certificate: DocView, emit: Emitter, limits: RiskThresholds
) -> list[Signal]:
    """The declared goods against the certificate's (subheadings, quantities, weights), then the shipment."""
    own = (certificate.issuer, normalise_reference(certificate.reference))
    covered = [line for line in declaration.lines if line.certificate == own] or list(declaration.lines)
    same_shipment = declaration.leg.transport_document == certificate.leg.transport_document
    certified = _by_goods(list(certificate.lines))
    subheadings = sorted({hs6 for hs6, _ in certified})
    found: list[Signal] = []
    for (hs6, unit), (quantity, weight) in _by_goods(covered).items():
        if hs6 not in subheadings:
            found += emit(
                "hs_mismatch",
                f"The {declaration.label} declares HS {hs6}; the {certificate.label} covers"
                f" {', '.join(subheadings)}.",
                **{declaration.key: hs6, certificate.key: subheadings},
            )
            continue
        match = certified.get((hs6, unit))
        if match is None:
            continue  # the certificate gives this subheading in another unit, or none: nothing to compare
        certified_quantity, certified_weight = match
        more = quantity > certified_quantity * (1 + Decimal(str(limits.quantity_tolerance_pct)) / 100)
        # Less than certified is normal when a certificate covers several shipments; not for the same one.
        if certified_quantity and (
            more or (same_shipment and beyond(quantity, certified_quantity, limits.quantity_tolerance_pct))
        ):
            found += emit(
                "quantity_mismatch",
                f"The {declaration.label} declares {quantity:,} {unit} of HS {hs6}; the {certificate.label}"
                f" covers {certified_quantity:,} {unit} ({_pct(quantity, certified_quantity)},"
                f" tolerance {limits.quantity_tolerance_pct:g}%).",
                **{declaration.key: str(quantity), certificate.key: str(certified_quantity)},
                unit=unit,
            )
        if (
            same_shipment
            and weight is not None
            and certified_weight
            and beyond(weight, certified_weight, limits.weight_tolerance_pct)
        ):
            found += emit(
                "weight_mismatch",
                f"Gross weight of HS {hs6}: {weight:,} kg on the {declaration.label}, {certified_weight:,} kg"
                f" on the {certificate.label} ({_pct(weight, certified_weight)},"
                f" tolerance {limits.weight_tolerance_pct:g}%).",
                **{declaration.key: str(weight), certificate.key: str(certified_weight)},
            )
    found += _invoice_dates(declaration, certificate, emit)
    found += _consignee(certificate, certificate.label, declaration, emit)
    found += _transport(declaration, certificate, emit, limits, carrier=True)
    return found


def _invoice_dates(declaration: DocView, certificate: DocView, emit: Emitter) -> list[Signal]:
    declared = next((line.invoice_date for line in declaration.lines), None)
    dates = {line.invoice_date for line in certificate.lines if line.invoice == declaration.invoice}
    if declared is None or not dates or declared in dates:
        return []
    shown = ", ".join(sorted(d.isoformat() for d in dates if d))
    return emit(
        "date_mismatch",
        f"Invoice {declaration.invoice} is dated {declared.isoformat()} on the {declaration.label}, {shown}"
        f" on the {certificate.label}.",
        invoice=declaration.invoice,
        **{declaration.key: declared.isoformat(), certificate.key: shown},
    )


def missing_certificates(declaration: DocView, linked: list[DocView], emit: Emitter) -> list[Signal]:
    """Certificates the declaration cites that this member has not received (or could not read)."""
    have = {(v.issuer, normalise_reference(v.reference)) for v in linked if v.kind == "certificate"}
    found: list[Signal] = []
    for line in declaration.lines:
        if line.certificate is not None and line.certificate not in have:
            issuer, reference = line.certificate
            found += emit(
                "certificate_not_found",
                f"Item {line.number} of the {declaration.label} cites certificate {issuer}:{reference},"
                " which is not linked to it: not received here, not readable, or not issued by"
                f" {declaration.issuer}.",
                item=line.number,
                certificate=f"{issuer}:{reference}",
            )
    return found

"""The documents this member has read, indexed the ways the rules link them.

The service keeps one library for the life of the process and adds the documents read since the last answer
(an anchored document never changes: the first anchoring of an id wins), so an answer does not rebuild the
indexes of every document. The states of documents do change: they are read per answer, not kept here.

Links join only documents of the same issuing member (``documents.consignment_match.declaration_links``
says why): a declaration to the certificates it cites or shares an invoice or a transport document with,
and to the manifest with a consignment under its transport document; a certificate to that manifest too.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from origo_node.documents.consignment_match import declaration_links, normalise_reference
from origo_node.documents.json_value import JsonObject
from origo_node.services.risk.dossier import Linked, PriceKey
from origo_node.services.risk.value import unit_values
from origo_node.services.risk.views import DocView, Kind

_KINDS: tuple[Kind, ...] = ("certificate", "manifest", "declaration")
#: The most documents linked to one subject (its links and its consistency signals come from these).
MAX_LINKS = 50


@dataclass(frozen=True)
class Entry:
    doc: JsonObject
    view: DocView


class Library:
    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries: dict[str, Entry] = {}
        self._grouped: dict[PriceKey, dict[tuple[str, str], list[tuple[str, Decimal]]]] = {}
        self._medians: dict[tuple[PriceKey, tuple[str, str]], Decimal] = {}
        # Keyed by kind too: only documents of another kind can be linked (``_ties``), so a subject does not
        # walk the hundreds of its own kind filed under one transport document or invoice.
        self._by_transport: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
        self._by_invoice: dict[tuple[str, str, str, str], list[Entry]] = defaultdict(list)
        self._by_reference: dict[tuple[str, str, str], list[Entry]] = defaultdict(list)
        self._by_exporter: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        #: Per HS subheading, unit and currency: (document, exporter, unit value) of each line giving one.
        self._prices: dict[PriceKey, list[tuple[str, tuple[str, str], Decimal]]] = defaultdict(list)
        self.add(entries)

    def add(self, entries: Iterable[Entry]) -> None:
        """Indexes documents not in the library yet (one already in it is left as it is)."""
        for entry in entries:
            if entry.view.key not in self.entries:
                self.entries[entry.view.key] = entry
                self._index(entry)
                # The norms of the goods it gives unit values for are worked out again when next asked.
                for price_key, _ in unit_values(entry.view.lines):
                    self._grouped.pop(price_key, None)

    def _index(self, entry: Entry) -> None:
        view = entry.view
        for document in _transport_documents(view):
            self._by_transport[(view.issuer, document, view.kind)].append(entry)
        for line in view.lines:
            if line.invoice and view.exporter:
                self._by_invoice[(view.issuer, view.exporter[1], line.invoice, view.kind)].append(entry)
            if line.certificate:
                self._by_reference[(*line.certificate, view.kind)].append(entry)
        if view.kind == "certificate":
            self._by_reference[(view.issuer, normalise_reference(view.reference), view.kind)].append(entry)
        if view.exporter is not None:
            self._by_exporter[view.exporter].append(entry)
        for price_key, unit_value in unit_values(view.lines):
            exporter = (view.issuer, view.exporter[1] if view.exporter else "")
            self._prices[price_key].append((view.key, exporter, unit_value))

    def linked(self, subject: Entry) -> list[Linked]:
        """The documents tied to ``subject``, each with what ties them."""
        view = subject.view
        others = [kind for kind in _KINDS if kind != view.kind]
        candidates: dict[str, Entry] = {}

        def add(found: dict[Any, list[Entry]], key: tuple[str, ...]) -> None:
            for kind in others:
                candidates.update((e.view.key, e) for e in found.get((*key, kind), ()))

        for document in _transport_documents(view):
            add(self._by_transport, (view.issuer, document))
        for line in view.lines:
            if line.invoice and view.exporter:
                add(self._by_invoice, (view.issuer, view.exporter[1], line.invoice))
            if line.certificate:
                add(self._by_reference, line.certificate)
        if view.kind == "certificate":
            add(self._by_reference, (view.issuer, normalise_reference(view.reference)))
        found = []
        for key, other in candidates.items():
            by = _ties(subject, other)
            if key != view.key and by:
                found.append(Linked(other.view, tuple(by)))
        # Bounded: an issuer filing hundreds of documents under one B/L or invoice number must not make every
        # assessment of them quadratic. The strongest ties first (the certificate a declaration cites, then a
        # shared transport document, then an invoice number, which many consignments of one exporter reuse),
        # so that the bound never cuts the document the subject names itself.
        return sorted(found, key=lambda link: (_strength(link.by), link.view.kind, link.view.reference))[
            :MAX_LINKS
        ]

    def exporter_documents_of(self, exporter: tuple[str, str]) -> list[DocView]:
        return [e.view for e in self._by_exporter.get(exporter, ())]

    def prices(self, subject: DocView, leave_out: set[str]) -> dict[PriceKey, tuple[Decimal, ...]]:
        """The norm's observations for the subject's goods, from documents other than ``leave_out``: one per
        exporter (the median of its unit values), so that an exporter filing many documents, or a member
        filing many for one exporter, counts once and cannot move the norm towards its own prices."""
        wanted = {price_key for price_key, _ in unit_values(subject.lines)}
        found: dict[PriceKey, tuple[Decimal, ...]] = {}
        for price_key in wanted:
            voices = []
            for exporter, values in self._by_exporter_price(price_key).items():
                # The exporter's median, worked out again only when a left-out document is among its values.
                if any(key in leave_out for key, _ in values):
                    kept = [value for key, value in values if key not in leave_out]
                    if kept:
                        voices.append(Decimal(statistics.median(kept)))
                else:
                    voices.append(self._medians[(price_key, exporter)])
            found[price_key] = tuple(voices)
        return found

    def _by_exporter_price(self, price_key: PriceKey) -> dict[tuple[str, str], list[tuple[str, Decimal]]]:
        """One kind of goods' unit values by exporter, with each group's median: worked out once, and again
        only after a document with such goods was added."""
        grouped = self._grouped.get(price_key)
        if grouped is None:
            grouped = defaultdict(list)
            for key, exporter, unit_value in self._prices.get(price_key, ()):
                grouped[exporter].append((key, unit_value))
            for exporter, values in grouped.items():
                self._medians[(price_key, exporter)] = Decimal(statistics.median(v for _, v in values))
            self._grouped[price_key] = grouped
        return grouped


def _transport_documents(view: DocView) -> list[str]:
    if view.kind == "manifest":
        return [c.transport_document for c in view.consignments]
    return [view.leg.transport_document] if view.leg.transport_document else []


_TIE_ORDER = ("certificate of origin reference", "transport document", "invoice")


def _strength(by: tuple[str, ...]) -> int:
    """The rank of a link's strongest tie (0 the strongest)."""
    return min((_TIE_ORDER.index(tie) for tie in by if tie in _TIE_ORDER), default=len(_TIE_ORDER))


def _ties(subject: Entry, other: Entry) -> list[str]:
    kinds = {subject.view.kind, other.view.kind}
    if subject.view.issuer != other.view.issuer or len(kinds) == 1:
        return []
    if "declaration" in kinds:
        declaration, target = (subject, other) if subject.view.kind == "declaration" else (other, subject)
        return declaration_links(declaration.doc, target.doc)
    # A certificate and a manifest: the certificate's transport document is one of the manifest's.
    certificate, manifest = (subject, other) if subject.view.kind == "certificate" else (other, subject)
    shared = set(_transport_documents(certificate.view)) & set(_transport_documents(manifest.view))
    return ["transport document"] if shared else []

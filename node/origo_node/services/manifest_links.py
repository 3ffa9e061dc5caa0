"""Linking certificates to the manifest of the ship that carries their goods, and flagging disagreements.

Runs at a member that can read both (the importing member): the certificates it may decrypt are matched to the
manifest's consignments by transport document, or by vessel and sailing date when the transport document is
wrong, which is exactly the case to flag.
"""

from __future__ import annotations

from origo_api.answers import Consignment, LinkedCertificate, ManifestLinks
from origo_api.states import DocumentState

from origo_node.documents import DocumentFacts, compare_with_manifest
from origo_node.documents.consignment_match import MANIFEST_TYPE, is_certificate, vessel_matches
from origo_node.documents.json_value import JsonObject
from origo_node.errors import OrigoError, ValidationFailed
from origo_node.services.agreement import facts_of
from origo_node.services.naming import DocumentKey
from origo_node.services.reading import PayloadReader
from origo_node.services.status import StatusService
from origo_node.store.ports import IndexStore


class LinkingService:
    def __init__(self, index: IndexStore, reader: PayloadReader, status: StatusService, member: str) -> None:
        self._index = index
        self._reader = reader
        self._status = status
        self._member = member

    def links(self, manifest_id: DocumentKey) -> ManifestLinks:
        manifest_doc = self._reader.read(manifest_id)
        manifest = _facts(manifest_doc)
        if manifest.doc_type != MANIFEST_TYPE:
            raise ValidationFailed(
                "links are computed for a cargo manifest",
                errors=[{"pointer": "/type", "message": f"document {manifest_id} is a {manifest.doc_type}"}],
            )
        consignments = [
            Consignment(transport_documents=list(c.transport_documents), vessel=c.vessel_or_flight)
            for c in manifest.transport
        ]
        unmatched: list[LinkedCertificate] = []
        for cert_key, cert in self._readable_certificates():
            slot = _consignment_index(cert, manifest)
            if slot is None and not _same_voyage(cert, manifest):
                continue
            discrepancies = compare_with_manifest(cert, manifest)
            entry = LinkedCertificate(
                document_id=str.__str__(cert_key),
                reference=cert.reference,
                issuer=cert.issuer,
                # A certificate that agrees with the manifest may still be revoked or used up: the officer
                # needs its state beside it.
                state=self._state(cert_key),
                consistent=not discrepancies,
                discrepancies=discrepancies,
            )
            if slot is None:
                unmatched.append(entry)
            else:
                consignments[slot].certificates.append(entry)
        flagged = sum(1 for c in consignments for e in c.certificates if not e.consistent) + len(unmatched)
        return ManifestLinks(
            manifest_id=str.__str__(manifest_id),
            reference=manifest.reference,
            consignments=consignments,
            same_voyage_unmatched=unmatched,
            flagged=flagged,
        )

    def _readable_certificates(self) -> list[tuple[DocumentKey, DocumentFacts]]:
        found = []
        for issuer, document_id in self._index.readable_document_keys(excluding_type=MANIFEST_TYPE):
            key = DocumentKey(issuer, document_id)
            try:
                found.append((key, _facts(self._reader.read(key))))
            except (OrigoError, ValueError, KeyError, TypeError):
                continue
        return [(key, facts) for key, facts in found if is_certificate(facts)]  # not export declarations

    def _state(self, key: DocumentKey) -> DocumentState | None:
        try:
            return self._status.status(key).state
        except OrigoError:
            return None


def _facts(document: JsonObject) -> DocumentFacts:
    facts = facts_of(document)
    if facts is None:
        raise ValueError("unknown type")
    return facts


def _consignment_index(cert: DocumentFacts, manifest: DocumentFacts) -> int | None:
    wanted = {d.upper().replace(" ", "") for leg in cert.transport for d in leg.transport_documents}
    for index, consignment in enumerate(manifest.transport):
        if wanted & {d.upper().replace(" ", "") for d in consignment.transport_documents}:
            return index
    return None


def _same_voyage(cert: DocumentFacts, manifest: DocumentFacts) -> bool:
    return any(
        vessel_matches(leg.vessel_or_flight, c.vessel_or_flight) and leg.departure_date == c.departure_date
        for leg in cert.transport
        for c in manifest.transport
    )

"""The risk service: gathers what the rules need from the index and the payloads, and ranks the work list.

Runs at the importing member's node over what it can read (payloads its checker opened and found good); the
signals and scores stay in this node. The documents it has read are kept in one library for the life of the
process: an anchored document never changes (the first anchoring of an id wins), so a document read once is
neither read nor indexed again; each answer adds only those read since the last one. States do change: they
are read per answer.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from origo_node.documents import type_names
from origo_node.documents.consignment_match import normalise_reference
from origo_node.errors import NotFound, OrigoError
from origo_node.services.document_status import DocumentStatus
from origo_node.services.naming import DocumentKey
from origo_node.services.reading import PayloadReader
from origo_node.services.risk import catalogue, integrity, scoring
from origo_node.services.risk.answers import Assessment, RiskLink, RiskWorkList, RulesInUse
from origo_node.services.risk.dossier import Dossier, ExporterHistory
from origo_node.services.risk.library import Entry, Library
from origo_node.services.risk.settings import RiskSettings
from origo_node.services.risk.views import Kind, view_of
from origo_node.services.status import StatusService
from origo_node.store.facts import NodeFacts
from origo_node.store.ports import IndexStore

log = logging.getLogger(__name__)
_PAGE = 500
#: Claims the chain refused because the certificate (or the item) was used up already.
FULLY_USED_RULES = ("RegistryFullyUtilised", "RegistryItemFullyUtilised")
_CLAIMS_KEPT = 20
#: A certificate's state, its verification's state and the claims refused on it.
Standing = tuple[str, str | None, list[str]]


class RiskService:
    def __init__(
        self,
        index: IndexStore,
        reader: PayloadReader,
        status: StatusService,
        facts: NodeFacts,
        member: str,
        settings: RiskSettings,
    ) -> None:
        self._index = index
        self._reader = reader
        self._status = status
        self._facts = facts
        self._member = member
        self.settings = settings
        self._library_kept = Library(())
        #: Documents whose reading gave a final answer (their figures, or a shape no view foresaw); a payload
        #: the store could not give now is tried again on the next answer.
        self._settled: set[str] = set()
        #: One answer at a time: the library grows and works out its norms as it is asked.
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ answers

    def rules(self) -> RulesInUse:
        return RulesInUse(
            member=self._member,
            rules=catalogue.effective(self.settings),
            thresholds=self.settings.thresholds,
        )

    def assess(self, key: DocumentKey) -> Assessment:
        """One document's signals, score and links, for this member's officers."""
        row = self._index.document(key.issuer, key)
        if row is None:
            raise NotFound(f"document {key.named} is not anchored (or not indexed yet)")
        with self._lock:
            return self._assessed(key, self._library(), _Answer(), with_links=True)

    def work_list(self, limit: int, kind: Kind | None = None) -> RiskWorkList:
        """The documents that arrived for this member, highest score first."""
        with self._lock:
            return self._work_list(limit, kind)

    def _work_list(self, limit: int, kind: Kind | None) -> RiskWorkList:
        library = self._library()
        answer = _Answer()
        assessed: list[Assessment] = []
        scanned = 0
        while scanned < self.settings.thresholds.max_documents:
            page = self._index.document_keys_of(self._member, "importer", scanned, _PAGE)
            if not page:
                break
            scanned += len(page)
            for issuer, document_id in page:
                key = DocumentKey(issuer, document_id)
                item = self._assessed(key, library, answer, with_links=False)
                if kind is None or item.kind == kind:
                    assessed.append(item)
        # Then by how many signals (a document with more to look at first), then newest first (a stable sort).
        assessed.sort(key=lambda item: (-item.score, -len(item.signals)))
        return RiskWorkList(member=self._member, scanned=scanned, documents=tuple(assessed[:limit]))

    def record_fully_used_claim(self, key: DocumentKey, declaration: str) -> None:
        """Remembers a claim refused on a used-up certificate: a sign of a certificate presented twice."""
        name = _claims_fact(key)
        earlier = self._facts.get(name) or []
        self._facts.put(name, [*earlier, normalise_reference(declaration)][-_CLAIMS_KEPT:])

    # ------------------------------------------------------------------ gathering

    def _assessed(
        self, key: DocumentKey, library: Library, shared: _Answer, *, with_links: bool
    ) -> Assessment:
        status = self._status_in(key, shared)
        check = self._index.payload_check(key.issuer, key)
        entry = library.entries.get(key.qualified)
        note = None
        if entry is None:
            signals = integrity.signals(
                check.state if check else None, check.detail if check else None, self.settings
            )
            links: list[RiskLink] = []
            if not signals:
                note = "not read yet: signals come once this node has read and checked the payload"
        else:
            linked = library.linked(entry)
            dossier = Dossier(
                subject=entry.view,
                linked=tuple(linked),
                history=self._history(entry, library, shared),
                prices=library.prices(entry.view, {entry.view.key, *(link.view.key for link in linked)}),
            )
            signals = scoring.assess(dossier, self.settings)
            links = [
                RiskLink(
                    document=link.view.key, kind=link.view.kind, reference=link.view.reference, by=link.by
                )
                for link in linked
            ]
        points = scoring.score(signals)
        return Assessment(
            document_id=str.__str__(key),
            issuer=key.issuer,
            reference=status.reference or (check.reference if check else None),
            type=status.type,
            kind=entry.view.kind if entry else _kind_of(status.type),
            state=status.state,
            payload_check=check.state if check else None,
            score=points,
            level=scoring.level(points),
            signals=tuple(signals),
            links=tuple(links) if with_links else None,
            note=note,
        )

    def _library(self) -> Library:
        """The library with every document read since the last answer added (each read once)."""
        keys = [DocumentKey(i, d) for i, d in self._index.readable_document_keys(excluding_type="")]
        readable = {key.qualified for key in keys}
        library = self._library_kept
        if not readable.issuperset(library.entries):
            # A document no longer found good (checked again): the library is built again without it.
            self._settled &= readable
            library = Library(e for name, e in library.entries.items() if name in readable)
            self._library_kept = library
        fresh = [entry for key in keys if key.qualified not in self._settled and (entry := self._entry(key))]
        library.add(fresh)
        return library

    def _entry(self, key: DocumentKey) -> Entry | None:
        name = key.qualified
        try:
            doc = self._reader.read(key)
            view = view_of(name, doc)
            entry = None if view is None else Entry(doc, view)
        except OrigoError as exc:
            log.info("risk: cannot read %s now (%s)", name, exc.message)
            return None  # not settled: the payload store may answer next time
        except (KeyError, TypeError, ValueError):
            # The checker found it good, so this is a shape no view foresaw: listed without signals; logged
            log.exception("risk: cannot read the figures of %s", name)
            entry = None
        self._settled.add(name)
        return entry

    def _history(self, subject: Entry, library: Library, answer: _Answer) -> ExporterHistory:
        if subject.view.exporter is None:
            return ExporterHistory()
        found = self._exporter_standing(subject.view.exporter, library, answer)

        def others(rows: list[tuple[str, str]]) -> tuple[str, ...]:
            # Its own state is on the list beside its signals.
            return tuple(reference for name, reference in rows if name != subject.view.key)

        return ExporterHistory(
            others(found.revoked), others(found.rejected), others(found.not_confirmed), tuple(found.claims)
        )

    def _exporter_standing(
        self, exporter: tuple[str, str], library: Library, answer: _Answer
    ) -> _ExporterStanding:
        """The states of the exporter's certificates, gathered once per answer for all of its documents."""
        kept = answer.exporters.get(exporter)
        if kept is not None:
            return kept
        found = _ExporterStanding()
        for view in library.exporter_documents_of(exporter):
            if view.kind != "certificate":
                continue
            state, verification, refused = self._standing(view.key, answer)
            found.claims += [(view.reference, declaration) for declaration in refused]
            if state == "revoked":
                found.revoked.append((view.key, view.reference))
            elif state == "rejected":
                found.rejected.append((view.key, view.reference))
            if verification == "not_confirmed":
                found.not_confirmed.append((view.key, view.reference))
        answer.exporters[exporter] = found
        return found

    def _standing(self, name: str, shared: _Answer) -> Standing:
        """A certificate's state, its verification's state and the claims refused on it, once per answer."""
        standing = shared.standing
        if name not in standing:
            issuer, document_id = name.split(":", 1)
            key = DocumentKey(issuer, document_id)
            # Only the states: the full status (with references) if this answer has it, else the cheaper one.
            status = shared.statuses.get(name) or self._status.lifecycle(key)
            verification = status.verification.state if status.verification else None
            refused = [str(d) for d in self._facts.get(_claims_fact(key)) or []]
            standing[name] = (str(status.state), verification, refused)
        return standing[name]

    def _status_in(self, key: DocumentKey, shared: _Answer) -> DocumentStatus:
        """A document's status, read once per answer (a subject, and in its exporter's history)."""
        status = shared.statuses.get(key.qualified)
        if status is None:
            status = shared.statuses[key.qualified] = self._status.status(key)
        return status


@dataclass
class _ExporterStanding:
    """(document, reference) of an exporter's certificates by state, and the claims refused on them."""

    revoked: list[tuple[str, str]] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    not_confirmed: list[tuple[str, str]] = field(default_factory=list)
    claims: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class _Answer:
    """What one answer reads once and uses for every document it assesses: states change between answers."""

    standing: dict[str, Standing] = field(default_factory=dict)
    exporters: dict[tuple[str, str], _ExporterStanding] = field(default_factory=dict)
    statuses: dict[str, DocumentStatus] = field(default_factory=dict)


def _claims_fact(key: DocumentKey) -> str:
    return f"risk.fully_used_claims.{key.qualified}"


_KIND_OF_TYPE: dict[str, Kind] = {
    type_names.FORM_D: "certificate",
    type_names.CARGO_MANIFEST: "manifest",
    type_names.ACDD: "declaration",
}


def _kind_of(doc_type: object) -> Kind | None:
    return _KIND_OF_TYPE.get(str(doc_type))

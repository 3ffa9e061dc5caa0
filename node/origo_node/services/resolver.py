"""The one place that turns what a person typed into the document it names.

What people type, and what it names (``services.naming`` has the rule for ids two issuers share):

- ``ISSUER:REFERENCE`` (``VN:VN-HCM-2026-004512``) and ``ISSUER:0x<id>``: that issuer's document, exactly.
- a bare reference: the document of the one member that used it. A reference is unique only within its
  issuer, and any member can anchor a document under another member's reference, so when several members
  used it the key is ambiguous everywhere (409, ``AmbiguousReference``, each issuer's full name listed):
  never silently one of them.
- a bare ``0x<id>``: see ``services.naming``; with the digest a QR code carries, the one leaf anchored with
  that digest is the document.
- the verification page's QR parameters: one of the above plus a digest.

A reference is compared in its canonical form (``documents.references``), which is also what its id hashes,
so ``vn-hcm-2026 -004512`` names the same document as ``VN-HCM-2026-004512`` and nothing else; nothing is
guessed beyond that form. An officer's action is taken only on a document named with its issuer
(``resolve_named``): a bare key is refused with the full name to type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from origo_node.documents import document_id as derive_document_id
from origo_node.documents.references import SERIES_TYPES, canonical_reference, in_issuers_series
from origo_node.errors import Conflict, NotFound, ValidationFailed
from origo_node.members import MemberDirectory
from origo_node.services.document_status import OtherIssuer, SharedReference
from origo_node.services.naming import DocumentKey, bare_id_issuers
from origo_node.store.ports import IndexStore, OutboxStore

#: A document id: 0x and 64 hex digits (the only place this pattern is written).
ID_PATTERN = r"0x[0-9a-fA-F]{64}"
#: A member's code as a person types it (ISO 3166-1 alpha-2, either case).
MEMBER_CODE_PATTERN = r"[A-Za-z]{2}"
_ID = re.compile(rf"^{ID_PATTERN}$")
_QUALIFIED = re.compile(rf"^({MEMBER_CODE_PATTERN})\s*:\s*(.+)$", re.DOTALL)
#: A reference in canonical form (documents/schema_parts.reference, upper case).
_REFERENCE = re.compile(r"^[A-Z0-9](?:[A-Z0-9 ./_-]{0,62}[A-Z0-9])?$")
MAX_KEY = 200
#: What a person is told when what they typed can be neither.
NOT_A_KEY = (
    "this is not a certificate reference or id: a reference has letters, digits and . / _ -"
    " (e.g. VN-HCM-2026-004512, or VN:VN-HCM-2026-004512), an id is 0x followed by 64 hex digits"
)


class NotAKey(NotFound):
    """What was typed is neither a reference nor an id: nothing can be found by it."""


@dataclass(frozen=True)
class Typed:
    """What a person typed, read: the issuer if they named it, and an id or a canonical reference."""

    issuer: str | None
    document_id: str | None
    reference: str | None

    @property
    def named(self) -> bool:
        return self.issuer is not None

    def key(self) -> DocumentKey:
        """The key of a typed text that names its issuer."""
        assert self.issuer is not None
        if self.document_id is not None:
            return DocumentKey(self.issuer, self.document_id)
        assert self.reference is not None
        return DocumentKey(self.issuer, id_of(self.issuer, self.reference), self.reference)


def id_of(issuer: str, reference: str) -> str:
    return "0x" + derive_document_id(issuer, reference).hex()


def is_id(text: str) -> bool:
    return bool(_ID.match(text))


def parse(text: str) -> Typed:
    """Reads a key; ``ValidationFailed`` (422) for an empty or overlong one, ``NotAKey`` (404) for text that
    is neither a reference nor an id."""
    text = text.strip()
    if not text or len(text) > MAX_KEY:
        raise ValidationFailed(
            "not a document key",
            errors=[{"pointer": "", "message": "give ISSUER:REFERENCE, ISSUER:0x<id>, an id or a reference"}],
        )
    qualified = _QUALIFIED.match(text)
    issuer = qualified.group(1).upper() if qualified else None
    rest = qualified.group(2).strip() if qualified else text
    if is_id(rest):
        return Typed(issuer, rest.lower(), None)
    reference = canonical_reference(rest) if rest.isascii() else ""
    if not _REFERENCE.match(reference):
        raise NotAKey(f"{text!r}: {NOT_A_KEY}")
    return Typed(issuer, None, reference)


def proven_reference(text: str, key: DocumentKey) -> str | None:
    """The reference, if ``text`` carried one that gives ``key``'s id under its issuer.

    Only a person who typed the reference (or scanned a QR code that carries it) gets it back: the id is the
    hash of issuer and reference, so a match proves they had it already.
    """
    try:
        typed = parse(text)
    except (NotFound, ValidationFailed):
        return None
    if typed.reference is None or typed.issuer not in (None, key.issuer):
        return None
    return typed.reference if id_of(key.issuer, typed.reference) == str.__str__(key) else None


class Resolver:
    def __init__(
        self, index: IndexStore, outbox: OutboxStore, directory: MemberDirectory, member: str = ""
    ) -> None:
        self._index = index
        self._outbox = outbox
        self._directory = directory
        self._member = member  # this node's member: its outbox holds that member's documents only

    def resolve(self, text: str, digest: str | None = None) -> DocumentKey:
        """The document ``text`` names (see the module's rules); ``digest`` (from a QR code) tells apart
        leaves of several issuers that carry one bare id."""
        if isinstance(text, DocumentKey):
            return text
        typed = parse(text)
        if typed.named:
            return typed.key()
        if typed.document_id is not None:
            return self._bare_id(typed.document_id, digest)
        assert typed.reference is not None
        issuers = self.issuers_of_reference(typed.reference)
        if not issuers:
            raise NotFound(f"no member issued a document with reference {typed.reference}")
        if len(issuers) > 1:
            raise self._ambiguous_reference(typed.reference, issuers)
        if not self.fits_issuer(issuers[0], typed.reference):
            raise self._out_of_series(typed.reference, issuers[0])
        return DocumentKey(issuers[0], id_of(issuers[0], typed.reference), typed.reference)

    def resolve_named(self, text: str) -> DocumentKey:
        """The document of an officer's action: named with its issuer, or refused with what to type."""
        if isinstance(text, DocumentKey):
            return text
        typed = parse(text)
        if typed.named:
            return typed.key()
        try:
            found = self.resolve(text)
        except Conflict as exc:
            raise _name_it(" or ".join(c["key"] for c in exc.details.get("candidates") or [])) from None
        except NotFound:
            raise _name_it("ISSUER:REFERENCE (e.g. VN:VN-HCM-2026-004512) or ISSUER:0x<id>") from None
        raise _name_it(found.named if typed.reference is not None else found.qualified)

    def issuers_of_reference(self, reference: str) -> list[str]:
        """Every member that anchored (or, this node's own member, accepted) a document under ``reference``,
        in code order: for each member code C, whether (C, id(C, reference)) exists."""
        reference = canonical_reference(reference)
        codes = {m.code for m in self._directory.all()} | ({self._member} if self._member else set())
        keys = {code: DocumentKey(code, id_of(code, reference)) for code in codes}
        # One query for every member's id, not one each: issuing asks this for every document.
        found = self._index.issuers_holding(list(keys.items()))
        # This node's own member also holds what it accepted and has not anchored yet.
        if self._member and self._member not in found and self._outbox.get(keys[self._member]) is not None:
            found.add(self._member)
        return [code for code in sorted(codes) if code in found]

    def fits_issuer(self, issuer: str, reference: str) -> bool:
        """Whether ``issuer``'s document under ``reference`` keeps its type's numbering rule: a certificate's
        reference is of its issuer's series (``documents.form_d``). One that breaks it is another member's
        look-alike, which a bare reference never lands on and which blocks no one's own reference."""
        key = DocumentKey(issuer, id_of(issuer, reference))
        row = self._index.document(issuer, key)
        if row is not None:
            type_name = row.type_name
        else:
            entry = self._outbox.get(key) if issuer == self._member else None
            type_name = None if entry is None else entry.doc_type
        return type_name not in SERIES_TYPES or in_issuers_series(issuer, reference)

    def shared_reference(self, issuer: str, reference: str | None) -> SharedReference | None:
        """The flag of a reference that other members anchored too (None: only ``issuer`` used it)."""
        if not reference:
            return None
        others = [code for code in self.issuers_of_reference(reference) if code != issuer]
        if not others:
            return None
        listed = tuple(OtherIssuer(**self._candidate(code, reference)) for code in others)
        names = ", ".join(f"{other.name} ({other.key})" for other in listed)
        return SharedReference(
            reference=reference,
            also_issued_by=listed,
            message=(
                f"Reference {reference} was used by another member too: {names}. A reference names a"
                f" certificate only with its issuer: this one is {issuer}:{reference}."
            ),
        )

    def exists(self, key: DocumentKey) -> bool:
        if key.issuer == self._member and self._outbox.get(key) is not None:
            return True
        return self._index.has_document(key.issuer, key)

    def member_name(self, code: str) -> str:
        """A member's name as the consortium registered it (the same on every node), else its code."""
        return getattr(self._directory.get(code), "name", None) or code

    # ------------------------------------------------------------------ bare ids

    def _bare_id(self, document_id: str, digest: str | None) -> DocumentKey:
        issuers = bare_id_issuers(self._index, self._outbox, document_id, self._member)
        if digest is not None and len(issuers) > 1:
            # The digest a QR code carries was printed from one leaf: that leaf is the document.
            printed = [code for code in issuers if self._digest_of(code, document_id) == digest.lower()]
            issuers = printed or issuers
        if not issuers:
            raise NotFound(f"document {document_id} is unknown to this node")
        if len(issuers) == 1:
            return DocumentKey(issuers[0], document_id)
        listed = [self._candidate(code, document_id) for code in issuers]
        raise Conflict(
            f"leaves of {len(issuers)} members ({', '.join(issuers)}) carry id {document_id}; a document is"
            f" named by its issuer and its id: type {_or(listed)}",
            rule="AmbiguousDocumentId",
            candidates=listed,
        )

    def _digest_of(self, issuer: str, document_id: str) -> str | None:
        row = self._index.document(issuer, document_id)
        return None if row is None else row.digest.lower()

    # ------------------------------------------------------------------ words

    def _candidate(self, code: str, name: str) -> dict[str, str]:
        return {"issuer": code, "key": f"{code}:{name}", "name": self.member_name(code)}

    def _out_of_series(self, reference: str, issuer: str) -> Conflict:
        listed = [self._candidate(issuer, reference)]
        return Conflict(
            f"the only certificate under reference {reference} was anchored by {self.member_name(issuer)}"
            f" ({issuer}), whose certificates' references begin with {issuer}-: it is not the certificate"
            f" of the series the reference names. Type {issuer}:{reference} only if you mean that one",
            rule="AmbiguousReference",
            candidates=listed,
        )

    def _ambiguous_reference(self, reference: str, issuers: list[str]) -> Conflict:
        listed = [self._candidate(code, reference) for code in issuers]
        return Conflict(
            f"{len(issuers)} members used reference {reference}, and a reference is unique only within its"
            f" issuer: type {_or(listed)}, as the certificate's issuing country shows",
            rule="AmbiguousReference",
            candidates=listed,
        )


def _or(listed: list[dict[str, str]]) -> str:
    return " or ".join(f"{c['key']} ({c['name']})" for c in listed)


def _name_it(what: str) -> ValidationFailed:
    message = f"an officer's action names the document with its issuer: type {what}"
    return ValidationFailed(message, errors=[{"pointer": "/key", "message": message}], rule="IssuerNotNamed")

"""The one door documents come in by: ``validate_document`` checks everything and reports it all at once."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, NoReturn

from origo_node.documents import pointer, registry
from origo_node.documents.base import DocumentType
from origo_node.documents.canonical import canonical_bytes
from origo_node.documents.model import DocumentFacts, Problem, ValidationContext
from origo_node.errors import ValidationFailed


@dataclass(frozen=True)
class ValidatedDocument:
    """A document that passed every check, with its type, its facts and its canonical bytes."""

    doc: dict[str, Any]
    doc_type: DocumentType
    facts: DocumentFacts
    canonical: bytes

    @property
    def digest(self) -> bytes:
        """SHA-256 of the canonical bytes, as anchored on the chain."""
        return hashlib.sha256(self.canonical).digest()


def validate_document(doc: object, ctx: ValidationContext) -> ValidatedDocument:
    """Check ``doc`` against its type's schema and domain rules; ``ValidationFailed`` lists every error.

    The steps that make the rest meaningless stop early with their own errors: not an object, not I-JSON,
    too large, type or version unknown. Past those, schema and domain problems are reported together.
    """
    if not isinstance(doc, dict):
        _fail("the document must be a JSON object", [Problem("", "must be a JSON object")])
    canonical = canonical_bytes(doc)  # raises ValidationFailed itself, pointing at the offending values
    if len(canonical) > ctx.max_bytes:
        _fail(
            "the document is too large",
            [
                Problem(
                    "", f"is {len(canonical)} bytes in canonical form; at most {ctx.max_bytes} are accepted"
                )
            ],
        )
    doc_type = _type_of(doc)
    problems = doc_type.validate(doc, ctx)
    if problems:
        _fail(f"the {doc_type.name} document has {len(problems)} problem(s)", problems)
    return ValidatedDocument(doc=doc, doc_type=doc_type, facts=doc_type.facts(doc, ctx), canonical=canonical)


def _type_of(doc: dict[str, Any]) -> DocumentType:
    name, version = doc.get("type"), doc.get("version")
    problems: list[Problem] = []
    if not isinstance(name, str):
        problems.append(Problem("/type", "required: the name of the document type, e.g. 'atiga-form-d'"))
    if not isinstance(version, str):
        problems.append(
            Problem("/version", "required: the version of the document type as a string, e.g. '1'")
        )
    if problems:
        _fail("the document does not say its type and version", problems)
    assert isinstance(name, str) and isinstance(version, str)
    doc_type = registry.find_type(name, version)
    if doc_type is not None:
        return doc_type
    if any(known.name == name for known in registry.all_types()):
        versions = sorted(known.version for known in registry.all_types() if known.name == name)
        _fail("unknown document version", [Problem("/version", f"{name} has versions {', '.join(versions)}")])
    names = sorted({known.name for known in registry.all_types()})
    _fail("unknown document type", [Problem("/type", f"unknown type {name!r}; known: {', '.join(names)}")])


def _fail(message: str, problems: list[Problem]) -> NoReturn:
    raise ValidationFailed(message, errors=[problem.as_dict() for problem in _by_pointer(problems)])


def _by_pointer(problems: list[Problem]) -> list[Problem]:
    """Sorted by pointer, with array indexes compared as numbers so /items/10 follows /items/9."""

    def key(problem: Problem) -> tuple[tuple[int, int, str], ...]:
        parts = problem.pointer.split("/")
        return tuple((0, int(part), "") if pointer.is_index(part) else (1, 0, part) for part in parts)

    return sorted(problems, key=key)

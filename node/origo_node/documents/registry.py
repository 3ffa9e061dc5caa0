"""Which document types this node knows, by name and version. Built-in types register themselves here."""

from __future__ import annotations

from origo_node.documents.acdd import ExportDeclaration
from origo_node.documents.base import DocumentType, SchemaDocumentType
from origo_node.documents.cargo_manifest import CargoManifest
from origo_node.documents.form_d import FormD
from origo_node.errors import NotFound

_TYPES: dict[tuple[str, str], DocumentType] = {}


def register_type(doc_type: DocumentType) -> None:
    """Make a type known. A name and version are registered once: a type never changes meaning silently."""
    key = (doc_type.name, doc_type.version)
    if key in _TYPES:
        raise ValueError(f"document type {key[0]} v{key[1]} is registered already")
    _TYPES[key] = doc_type


def find_type(name: str, version: str) -> DocumentType | None:
    return _TYPES.get((name, version))


def get_type(name: str, version: str) -> DocumentType:
    """The type registered as ``name`` in ``version``; ``NotFound`` if there is none."""
    doc_type = find_type(name, version)
    if doc_type is None:
        raise NotFound(f"no document type {name!r} in version {version!r}", name=name, version=version)
    return doc_type


def all_types() -> tuple[DocumentType, ...]:
    """Every registered type, ordered by name then version."""
    return tuple(_TYPES[key] for key in sorted(_TYPES))


def compile_validators() -> None:
    """Compiles every type's validators now: done by a process before it forks the API's workers, so that
    each starts with them instead of compiling its own at its first document."""
    for doc_type in _TYPES.values():
        if isinstance(doc_type, SchemaDocumentType):
            doc_type.warm()


register_type(FormD())
register_type(CargoManifest())
register_type(ExportDeclaration())

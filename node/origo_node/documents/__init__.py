"""The document layer: what the node accepts as a document, and what it derives from one.

Types are plugins (``registry``); ``validate_document`` is the single entry point for input from outside.
"""

from origo_node.documents.base import DocumentType, SchemaDocumentType
from origo_node.documents.canonical import canonical_bytes, digest, document_id, type_id
from origo_node.documents.consignment_match import compare_with_manifest
from origo_node.documents.model import DocumentFacts, Problem, TransportFacts, ValidationContext
from origo_node.documents.registry import all_types, find_type, get_type, register_type
from origo_node.documents.validation import ValidatedDocument, validate_document

__all__ = [
    "DocumentFacts",
    "DocumentType",
    "Problem",
    "SchemaDocumentType",
    "TransportFacts",
    "ValidatedDocument",
    "ValidationContext",
    "all_types",
    "canonical_bytes",
    "compare_with_manifest",
    "digest",
    "document_id",
    "find_type",
    "get_type",
    "register_type",
    "type_id",
    "validate_document",
]

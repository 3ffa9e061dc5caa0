"""The canonical form of a document (RFC 8785), its digest, and the ids derived from names and references.

The digest is what the chain anchors, so every node must produce the same bytes for the same document:
RFC 8785 fixes key order, whitespace, number and string forms. It only covers I-JSON (RFC 7493), so values
outside it (NaN, infinities, integers beyond 2**53, lone surrogates, non-string keys) are refused with a
pointer to where they are, rather than left to crash or, worse, to hash differently on another node.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Iterator
from typing import Any

import rfc8785

from origo_node.documents import pointer
from origo_node.documents.model import Problem
from origo_node.documents.references import canonical_reference
from origo_node.errors import ValidationFailed
from origo_node.hashing import keccak256

# Beyond this an integer is not exactly representable as an IEEE 754 double, which is all I-JSON promises.
_MAX_SAFE_INTEGER = 2**53 - 1
# Real documents nest a few levels; the cap keeps hostile input from exhausting the stack.
MAX_DEPTH = 32


def canonical_bytes(doc: Any) -> bytes:
    """RFC 8785 bytes of ``doc``; raises ``ValidationFailed`` listing every value that is not I-JSON."""
    # The quick test answers for nearly every document; only a document that fails it is walked again to say
    # where (building a pointer for every value cost as much as the canonical form itself).
    problems = [] if _is_ijson(doc, 0) else list(_non_ijson_values(doc, "", 0))
    if problems:
        raise ValidationFailed(
            "the document is not representable as I-JSON", errors=[p.as_dict() for p in problems]
        )
    try:
        return rfc8785.dumps(doc)
    # The scan above finds everything rfc8785 refuses; this only guards against the two drifting apart.
    except (rfc8785.CanonicalizationError, RecursionError) as exc:  # pragma: no cover
        raise ValidationFailed(
            "the document cannot be canonicalised", errors=[{"pointer": "", "message": str(exc)}]
        ) from exc


def digest(doc: Any) -> bytes:
    """SHA-256 of the canonical bytes: the 32 bytes anchored on the chain."""
    return hashlib.sha256(canonical_bytes(doc)).digest()


def document_id(issuer: str, reference: str) -> bytes:
    """The id anyone holding an issuer's reference can look up: it hashes the reference's canonical form
    (``documents.references``), so however a person types it, it names the same document."""
    return keccak256(f"origo:{issuer}:{canonical_reference(reference)}".encode())


@functools.lru_cache(maxsize=64)
def type_id(name: str, version: str) -> bytes:
    """The bytes32 the contracts know a document type by."""
    return keccak256(f"{name}/{version}".encode())


def _is_ijson(value: Any, depth: int) -> bool:
    """Whether ``value`` is certainly I-JSON within ``MAX_DEPTH``: when true, ``_non_ijson_values`` finds
    nothing (the two are tested against each other); when false, it is asked."""
    kind = type(value)
    if kind is str:
        return _is_unicode(value)
    if kind is dict:
        return depth < MAX_DEPTH and all(
            type(key) is str and _is_unicode(key) and _is_ijson(item, depth + 1)
            for key, item in value.items()
        )
    if kind is list or kind is tuple:
        return depth < MAX_DEPTH and all(_is_ijson(item, depth + 1) for item in value)
    if value is None or kind is bool:
        return True
    if kind is int:
        return bool(abs(value) <= _MAX_SAFE_INTEGER)
    if kind is float:
        return math.isfinite(value)
    return False  # subclasses and other types: the full walk says what they are


def _is_unicode(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _non_ijson_values(value: Any, at: str, depth: int) -> Iterator[Problem]:
    if depth > MAX_DEPTH:
        yield Problem(at, f"nested deeper than {MAX_DEPTH} levels")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                yield Problem(at, f"object key {key!r} is not a string")
                continue
            yield from _string_problems(key, pointer.join(at, key), "key")
            yield from _non_ijson_values(item, pointer.join(at, key), depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _non_ijson_values(item, pointer.join(at, index), depth + 1)
    elif isinstance(value, str):
        yield from _string_problems(value, at, "value")
    elif value is None or isinstance(value, bool):
        return
    elif isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            yield Problem(at, "integer is too large to be exact in JSON (beyond 2**53 - 1)")
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield Problem(at, "number must be finite (no NaN or Infinity)")
    else:
        yield Problem(at, f"a {type(value).__name__} is not a JSON value")


def _string_problems(text: str, at: str, what: str) -> Iterator[Problem]:
    if not _is_unicode(text):
        yield Problem(at, f"string {what} contains an unpaired surrogate, which is not valid Unicode")

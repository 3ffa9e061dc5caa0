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
from collections.abc import Iterable, Iterator
from typing import Any

import orjson
import rfc8785

from origo_node.documents import pointer
from origo_node.documents.model import Problem
from origo_node.documents.references import canonical_reference
from origo_node.errors import ValidationFailed
from origo_node.hashing import keccak256

# Beyond this an integer is not exactly representable as an IEEE 754 double, which is all I-JSON promises.
_MAX_SAFE_INTEGER = 2**53 - 1
# Fractions from here up orjson writes as ECMAScript does (every non-whole double is below 2**53).
_SMALLEST_PLAIN_FRACTION = 1e-5
# Real documents nest a few levels; the cap keeps hostile input from exhausting the stack.
MAX_DEPTH = 32


# What the quick scan of a document found, the worst value deciding.
_PLAIN = 0  # I-JSON that orjson's sorted, compact form writes as RFC 8785 does
_NEEDS_REFERENCE = 1  # I-JSON, but a number or a key that only the reference implementation writes right
_UNSURE = 2  # the full walk says whether it is I-JSON, and where it is not


def canonical_bytes(doc: Any) -> bytes:
    """RFC 8785 bytes of ``doc``; raises ``ValidationFailed`` listing every value that is not I-JSON."""
    # The quick scan answers for nearly every document; only a document that fails it is walked again to say
    # where (building a pointer for every value cost as much as the canonical form itself).
    found = _scan(doc, 0)
    if found == _PLAIN:
        # rfc8785 is pure Python: 0.13 ms of the 0.85 ms of CPU an issued document costs, against a few µs
        # here. The two agree where the scan says plain (tested against each other): integers, strings and
        # fractions of 1e-5 or more are written alike, and ASCII keys sort alike by bytes and by UTF-16 code
        # units. A whole or tiny float, or a key beyond ASCII, goes to the reference implementation.
        try:
            return orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # pragma: no cover - the scan admits nothing orjson refuses
            pass
    problems = [] if found != _UNSURE else list(_non_ijson_values(doc, "", 0))
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


def _scan(value: Any, depth: int) -> int:
    """``_PLAIN`` or ``_NEEDS_REFERENCE`` when ``value`` is certainly I-JSON within ``MAX_DEPTH`` (then
    ``_non_ijson_values`` finds nothing: the two are tested against each other); ``_UNSURE`` when the full
    walk must be asked. (Written for speed: it visits every value of every document issued or read.)"""
    kind = type(value)
    if kind is str:
        return _PLAIN if value.isascii() or _is_unicode(value) else _UNSURE
    if kind is dict:
        if depth >= MAX_DEPTH:
            return _UNSURE
        keys = _PLAIN
        for key in value:
            if type(key) is not str:
                return _UNSURE
            if not key.isascii():
                if not _is_unicode(key):
                    return _UNSURE
                keys = _NEEDS_REFERENCE
        return max(keys, _worst(value.values(), depth + 1))
    if kind is list or kind is tuple:
        return _UNSURE if depth >= MAX_DEPTH else _worst(value, depth + 1)
    if value is None or kind is bool:
        return _PLAIN
    if kind is int:
        return _PLAIN if -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER else _UNSURE
    if kind is float:
        if not math.isfinite(value):
            return _UNSURE
        # Both write the shortest digits that read back as the same double; they differ in form only for whole
        # numbers (1.0: "1" in ECMAScript) and beyond 1e-5 (ECMAScript writes 0.000001 in full).
        return (
            _PLAIN if abs(value) >= _SMALLEST_PLAIN_FRACTION and not value.is_integer() else _NEEDS_REFERENCE
        )
    return _UNSURE  # subclasses and other types: the full walk says what they are


def _worst(items: Iterable[Any], depth: int) -> int:
    """What ``_scan`` finds of ``items`` taken together: the worst of them, stopping at the first unsure."""
    worst = _PLAIN
    for item in items:
        found = _scan(item, depth)
        if found > worst:
            if found == _UNSURE:
                return _UNSURE
            worst = found
    return worst


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

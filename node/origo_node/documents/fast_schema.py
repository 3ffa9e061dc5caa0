"""A compiled yes/no check in front of jsonschema, for the documents that pass (nearly all of them).

jsonschema walks the schema for every document (0.33 ms for a Form D, half of all validation); fastjsonschema
compiles it to Python once (0.02 ms). jsonschema stays the authority: a document the compiled check refuses is
examined by jsonschema, whose errors are the ones reported, and if it finds none the document passes. So the
compiled check may be stricter, never laxer: it is only used for schemas whose every keyword means the same in
draft 7 (what fastjsonschema implements) as in draft 2020-12, and never for ``const``/``enum`` over numbers or
booleans, which fastjsonschema compares with ``==`` (so that ``true`` would equal ``1``), nor ``uniqueItems``
over anything but strings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import fastjsonschema

#: Keywords whose meaning is the same in draft 7 and draft 2020-12, and annotations that mean nothing.
SAME_IN_BOTH = frozenset(
    {
        "$id",
        "$schema",
        "additionalProperties",
        "const",
        "description",
        "enum",
        "exclusiveMaximum",
        "exclusiveMinimum",
        "items",
        "maxItems",
        "maxLength",
        "maximum",
        "minItems",
        "minLength",
        "minimum",
        "pattern",
        "properties",
        "required",
        "title",
        "type",
    }
)
# Keywords whose value is a map from names to subschemas, not a schema itself.
_MAPS_OF_SCHEMAS = frozenset({"properties"})


def compile_fast_check(schema: dict[str, Any]) -> Callable[[Any], bool] | None:
    """A function that says whether a document certainly passes ``schema``; None if the schema uses anything
    the compiled check might read differently from jsonschema."""
    if not _only_shared_keywords(schema):
        return None
    draft7 = {key: value for key, value in schema.items() if key not in ("$schema", "$id")}
    check = fastjsonschema.compile(draft7, use_formats=False)

    def passes(doc: Any) -> bool:
        try:
            check(doc)
        except fastjsonschema.JsonSchemaException:
            return False
        return True

    return passes


def _only_shared_keywords(schema: Any) -> bool:
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, dict):
        return False
    for keyword, value in schema.items():
        if keyword == "uniqueItems":
            # Equality of numbers, booleans and objects differs between the two; of strings it does not.
            items = schema.get("items")
            if not (isinstance(items, dict) and items.get("type") == "string"):
                return False
            continue
        if keyword not in SAME_IN_BOTH:
            return False
        values = value if keyword == "enum" else [value]
        if keyword in ("const", "enum") and not _only_strings_or_null(values):
            return False
        if keyword in _MAPS_OF_SCHEMAS:
            if not all(_only_shared_keywords(sub) for sub in value.values()):
                return False
        elif keyword in ("items", "additionalProperties") and not _only_shared_keywords(value):
            return False
    return True


def _only_strings_or_null(values: Any) -> bool:
    return isinstance(values, list) and all(v is None or isinstance(v, str) for v in values)

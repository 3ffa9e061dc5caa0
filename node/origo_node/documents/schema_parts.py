"""Builders for the JSON Schema (draft 2020-12) fragments the document types are made of.

Every constrained string carries a ``description``; the validator quotes it when a value breaks the pattern,
so the API's messages and the published schema say the same thing.
"""

from __future__ import annotations

from typing import Any

from origo_node.documents import checks

Schema = dict[str, Any]

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def obj(required: dict[str, Schema], optional: dict[str, Schema] | None = None) -> Schema:
    """A closed object: the required fields, the optional ones, and nothing else."""
    return {
        "type": "object",
        "properties": {**required, **(optional or {})},
        "required": list(required),
        "additionalProperties": False,
    }


def array(
    items: Schema, *, min_items: int = 1, max_items: int = 999, unique: bool = False, why: str | None = None
) -> Schema:
    """``why``: the reason for ``max_items``, quoted to whoever goes over it."""
    schema: Schema = {"type": "array", "items": items, "minItems": min_items, "maxItems": max_items}
    if unique:
        schema["uniqueItems"] = True
    if why:
        schema["description"] = why
    return schema


def text(max_length: int) -> Schema:
    """Free text that is not blank."""
    return {
        "type": "string",
        "minLength": 1,
        "maxLength": max_length,
        "pattern": r"\S",
        "description": "text that is not blank",
    }


def coded(pattern: str, description: str) -> Schema:
    return {"type": "string", "pattern": pattern, "description": description}


def const(value: str) -> Schema:
    return {"const": value}


def boolean() -> Schema:
    return {"type": "boolean"}


def positive_integer() -> Schema:
    return {"type": "integer", "minimum": 1, "maximum": 2**53 - 1}


def positive_number(maximum: int | None = None) -> Schema:
    schema: Schema = {"type": "number", "exclusiveMinimum": 0}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def country() -> Schema:
    return coded(checks.COUNTRY_PATTERN, "an ISO 3166-1 alpha-2 country code")


def locode() -> Schema:
    return coded(checks.LOCODE_PATTERN, "a UN/LOCODE, e.g. VNSGN")


def date() -> Schema:
    return coded(checks.DATE_PATTERN, "a date as YYYY-MM-DD")


def hs_code() -> Schema:
    return coded(checks.HS_CODE_PATTERN, "an HS code of 6 digits at least, e.g. 0901.11 or 090111")


def reference() -> Schema:
    # Surrounding blanks are tolerated (the facts strip them); inside, the characters references use.
    return {
        "type": "string",
        "maxLength": 64,
        "pattern": r"^\s*[A-Za-z0-9]([A-Za-z0-9 ./_-]*[A-Za-z0-9])?\s*$",
        "description": "a reference of letters, digits and . / _ - (at most 64 characters)",
    }


def packages() -> Schema:
    return obj(
        {
            "count": positive_integer(),
            "kind": coded(checks.PACKAGE_KIND_PATTERN, "a UN/ECE Rec. 21 package kind code, e.g. BG"),
        }
    )


def party(*, with_address: bool) -> Schema:
    fields: dict[str, Schema] = {"name": text(200)}
    if with_address:
        fields["address"] = text(500)
    fields["country"] = country()
    return obj(fields)


def document_header(type_name: str, version: str, issuer_field: str) -> dict[str, Schema]:
    return {
        "type": const(type_name),
        "version": const(version),
        "referenceNumber": reference(),
        issuer_field: coded(checks.COUNTRY_PATTERN, "the ISO 3166-1 alpha-2 code of the issuing member"),
    }


def root(schema_id: str, title: str, body: Schema) -> Schema:
    return {"$schema": DIALECT, "$id": schema_id, "title": title, **body}

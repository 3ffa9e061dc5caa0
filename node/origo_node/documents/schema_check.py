"""Runs a document through its JSON Schema and reports every violation as a ``Problem`` with a pointer.

jsonschema's own messages quote whole values and patterns; these say what a customs officer needs instead,
and point at the field itself (the missing one, the unknown one), not at the object around it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from origo_node.documents import pointer
from origo_node.documents.model import Problem

if TYPE_CHECKING:  # jsonschema is imported by the first validation (documents.base), not by every process
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError


def schema_problems(validator: Draft202012Validator, doc: Any) -> list[Problem]:
    """Every schema violation in ``doc``, each once."""
    found: dict[tuple[str, str], Problem] = {}
    for error in validator.iter_errors(doc):
        for problem in _explain(error):
            found.setdefault((problem.pointer, problem.message), problem)
    return list(found.values())


def _explain(error: ValidationError) -> Iterator[Problem]:
    at = pointer.from_path(error.absolute_path)
    keyword = error.validator
    limit: Any = error.validator_value
    instance: Any = error.instance
    schema: Any = error.schema
    if keyword == "required":
        # jsonschema reports one error per missing name but does not say which; recompute them all.
        for name in limit:
            if isinstance(instance, dict) and name not in instance:
                yield Problem(pointer.join(at, name), "required field is missing")
    elif keyword == "additionalProperties":
        known = schema.get("properties", {}) if isinstance(schema, dict) else {}
        for name in sorted(set(instance) - set(known)):
            yield Problem(pointer.join(at, name), "unknown field")
    else:
        yield Problem(at, _message(str(keyword), limit, instance, schema))


def _message(keyword: str, limit: Any, instance: Any, schema: Any) -> str:
    description = schema.get("description") if isinstance(schema, dict) else None
    match keyword:
        case "type":
            wanted = " or ".join(limit) if isinstance(limit, list) else str(limit)
            return f"must be of type {wanted}"
        case "const":
            return f"must be {limit!r}"
        case "pattern":
            return f"must be {description}" if description else f"must match {limit}"
        case "minLength" if limit == 1:
            return "must not be empty"
        case "minLength":
            return f"must be at least {limit} characters long"
        case "maxLength":
            return f"must be at most {limit} characters long"
        case "minimum":
            return f"must be at least {limit}"
        case "maximum":
            return f"must be at most {limit}"
        case "exclusiveMinimum":
            return f"must be greater than {limit}"
        case "minItems":
            return f"must have at least {limit} entr{'y' if limit == 1 else 'ies'}"
        case "maxItems":
            # The schema's description says why there is a limit, where the limit is not obvious.
            counted = f" (it has {len(instance)})" if isinstance(instance, list) else ""
            why = f": {description}" if description else ""
            return f"must have at most {limit} entries{counted}{why}"
        case "uniqueItems":
            return "must not list the same entry twice"
        case _:
            return f"breaks the schema's {keyword!r} rule"

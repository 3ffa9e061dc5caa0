"""The OpenAPI document: every status a route can answer, problem+json bodies, and the security schemes.

Routes declare their error answers with ``errors(...)``; ``document(app)`` then puts every error answer under
``application/problem+json`` with the ``Problem`` schema (FastAPI would list them as ``application/json``),
including FastAPI's own 422.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from origo_api.problems import MEDIA_TYPE, TITLES, Problem

_WHY = {
    400: "The body is not JSON this API reads (not UTF-8, malformed, nested too deeply)",
    401: "No API key, or one this node does not know",
    403: "The key's role may not do this, or this node's member is not the one the rules name",
    404: "No such document, action, proposal or type",
    408: "The body did not arrive in time",
    409: "The request clashes with the chain's or this node's records",
    413: "The body is larger than the node accepts",
    415: "The body is not application/json",
    422: "The request broke a rule; `errors` lists each one with a JSON pointer",
    502: "The payload store failed",
    503: "The chain is unavailable",
    507: "The node's disk is full",
}
#: What any request with a body may be answered by the body guard (``guard.RequestGuard``).
BODY = (400, 408, 413, 415, 422)
KEY = (401, 403)


def errors(*statuses: int | tuple[int, ...]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: each status with its reason and the Problem schema."""
    flat: set[int] = set()
    for status in statuses:
        flat.update(status if isinstance(status, tuple) else (status,))
    return {s: {"model": Problem, "description": _WHY.get(s, TITLES.get(s, "Error"))} for s in sorted(flat)}


def document(app: FastAPI) -> dict[str, Any]:
    """The app's OpenAPI, built once, with every 4xx/5xx answer as application/problem+json."""
    if app.openapi_schema is not None:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    components.setdefault("Problem", Problem.model_json_schema(ref_template="#/components/schemas/{model}"))
    for path in schema.get("paths", {}).values():
        for operation in path.values():
            for status, response in operation.get("responses", {}).items():
                if status.isdigit() and int(status) >= 400:
                    response["content"] = {MEDIA_TYPE: {"schema": problem_ref}}
                    if status == "422":
                        response["description"] = _WHY[422]
    app.openapi_schema = schema
    return schema

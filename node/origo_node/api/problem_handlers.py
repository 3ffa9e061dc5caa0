"""Every error leaves the API as RFC 9457 problem+json, translated here and only here."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from origo_api.problems import MEDIA_TYPE, PROBLEM_BASE, problem_body
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from origo_node.api import openapi
from origo_node.errors import OrigoError, ValidationFailed

log = logging.getLogger(__name__)
#: Re-exported so that the node's modules keep one import for everything problem+json.
__all__ = ["MEDIA_TYPE", "PROBLEM_BASE", "install", "problem", "problem_for"]
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
_SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "request-too-large",
    415: "unsupported-media-type",
}


def problem(
    status: int, slug: str, detail: str, *, headers: Mapping[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """The problem+json answer (``origo_api.problems`` builds the body, here and for every other area)."""
    all_headers = dict(headers or {})
    if status == 401:
        all_headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(
        problem_body(status, slug, detail, **extra),
        status_code=status,
        media_type=MEDIA_TYPE,
        headers=all_headers or None,
    )


def problem_for(exc: OrigoError) -> JSONResponse:
    """The answer for one of the node's own errors."""
    extra: dict[str, Any] = {k: v for k, v in exc.details.items() if _jsonable(v)}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = exc.errors
    if exc.status >= 500:
        log.warning("%s: %s", type(exc).__name__, exc.message)
    return problem(exc.status, exc.slug, exc.message, **extra)


def _origo_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OrigoError)
    return problem_for(exc)


def _request_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = []
    for error in exc.errors():
        location = [str(part) for part in error.get("loc", ())]
        where = location[1:] if location and location[0] in ("body", "query", "path", "header") else location
        prefix = "" if not location or location[0] == "body" else f"({location[0]}) "
        errors.append({"pointer": "/" + "/".join(where), "message": prefix + str(error.get("msg"))})
    return problem(422, "validation-failed", f"{len(errors)} problem(s) with the request", errors=errors)


def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    slug = _SLUGS.get(exc.status_code, "error")
    if exc.status_code == 405:
        # Starlette names the methods of the first route on the path only; GET and POST of one path are two.
        allowed = _allowed_methods(request)
        detail = f"{request.method} is not allowed here; allowed: {allowed}"
        return problem(405, slug, detail, headers={**(exc.headers or {}), "Allow": allowed})
    detail = "no such resource" if exc.status_code == 404 else str(exc.detail)
    return problem(exc.status_code, slug, detail, headers=exc.headers)


def _allowed_methods(request: Request) -> str:
    """The methods of the resource at this path: as the OpenAPI lists them, else as the routes answer them.

    A fixed path (``/api/v1/documents/bulk``) is its own resource even where a template (``{key}``) matches.
    """
    path = request.url.path
    paths: dict[str, dict[str, Any]] = openapi.document(request.app).get("paths", {})
    operations = paths.get(path)
    if operations is None:
        templates = [t for t in paths if "{" in t and re.fullmatch(re.sub(r"\{[^/]+\}", "[^/]+", t), path)]
        operations = {method: op for t in templates for method, op in paths[t].items()}
    if operations:
        return ", ".join(m.upper() for m in _METHODS if m.lower() in operations)
    # Not in the OpenAPI (the page, its files): asked route by route, FastAPI's routers being nested.
    allowed = [
        method
        for method in _METHODS
        if any(
            r.matches({**request.scope, "method": method})[0] == Match.FULL for r in request.app.router.routes
        )
    ]
    return ", ".join(allowed)


def _unexpected(_: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected error", exc_info=exc)
    return problem(500, "internal", "an unexpected error occurred; it was logged")


def install(app: FastAPI) -> None:
    app.add_exception_handler(OrigoError, _origo_error)
    app.add_exception_handler(RequestValidationError, _request_validation)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)


def _jsonable(value: Any) -> bool:
    return isinstance(value, str | int | float | bool | list | dict) or value is None

"""Every error leaves the API as RFC 9457 problem+json, translated here and only here."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from origo_api.problems import MEDIA_TYPE, PROBLEM_BASE, problem_body
from starlette.exceptions import HTTPException as StarletteHTTPException

from origo_node.errors import OrigoError, ValidationFailed

log = logging.getLogger(__name__)
#: Re-exported so that the node's modules keep one import for everything problem+json.
__all__ = ["MEDIA_TYPE", "PROBLEM_BASE", "install", "problem", "problem_for"]
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


def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    # Starlette's own answers (404 for no route, 405 with ``Allow``) keep their headers.
    slug = _SLUGS.get(exc.status_code, "error")
    return problem(exc.status_code, slug, _detail(exc), headers=exc.headers)


def _detail(exc: StarletteHTTPException) -> str:
    if exc.status_code == 405:
        return f"this method is not allowed here; allowed: {(exc.headers or {}).get('Allow', 'none')}"
    if exc.status_code == 404:
        return "no such resource"
    return str(exc.detail)


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

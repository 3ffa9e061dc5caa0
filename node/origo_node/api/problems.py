"""Every error leaves the API as RFC 9457 problem+json, translated here and only here."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from origo_node.errors import OrigoError, ValidationFailed

log = logging.getLogger(__name__)
PROBLEM_BASE = "https://origo.dev/problems/"
MEDIA_TYPE = "application/problem+json"

_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    415: "Unsupported media type",
    422: "The request is not valid",
    500: "Internal error",
    502: "The payload store failed",
    503: "The chain is unavailable",
}
_SLUGS = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    413: "request-too-large",
    415: "unsupported-media-type",
    401: "unauthorized",
    403: "forbidden",
}


def problem(status: int, slug: str, detail: str, **extra: Any) -> JSONResponse:
    body = {
        "type": PROBLEM_BASE + slug,
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _origo_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, OrigoError)
    extra: dict[str, Any] = {k: v for k, v in exc.details.items() if _jsonable(v)}
    if isinstance(exc, ValidationFailed):
        extra["errors"] = exc.errors
    if exc.status >= 500:
        log.warning("%s: %s", type(exc).__name__, exc.message)
    slug = "chain-rule-violated" if exc.slug == "chain-rule" else exc.slug
    return problem(exc.status, slug, exc.message, **extra)


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
    return problem(exc.status_code, _SLUGS.get(exc.status_code, "error"), str(exc.detail))


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

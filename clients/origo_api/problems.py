"""RFC 9457 problem details, built in one place with one type-URI scheme: ``https://origo.dev/problems/<slug>``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

PROBLEM_BASE = "https://origo.dev/problems/"
MEDIA_TYPE = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    408: "Request timeout",
    409: "Conflict",
    413: "Request too large",
    414: "URI too long",
    415: "Unsupported media type",
    422: "The request is not valid",
    431: "Request header fields too large",
    500: "Internal error",
    502: "The payload store failed",
    503: "The chain is unavailable",
    507: "Insufficient storage",
}


def type_uri(slug: str) -> str:
    return PROBLEM_BASE + slug


def slug_of(type_: str | None) -> str | None:
    """The slug of a problem type URI (``None`` for a type outside this scheme)."""
    if type_ and type_.startswith(PROBLEM_BASE):
        return type_[len(PROBLEM_BASE) :]
    return None


def problem_body(status: int, slug: str, detail: str, **extra: Any) -> dict[str, Any]:
    """The JSON of a problem; ``extra`` members whose value is ``None`` are left out."""
    body: dict[str, Any] = {
        "type": type_uri(slug),
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return body


class Problem(BaseModel):
    """An ``application/problem+json`` body, alone or inside other answers (bulk results, failed actions).

    Areas add members of their own (``rule`` and ``args`` for a chain rule, ``limit`` for a size...)."""

    model_config = ConfigDict(extra="allow")
    type: str | None = Field(default=None, description="https://origo.dev/problems/<slug>")
    title: str | None = None
    status: int | None = Field(default=None, ge=400, le=599)
    detail: str | None = None
    slug: str | None = Field(default=None, description="The type's last part (inside bulk results)")
    errors: list[dict[str, Any]] = Field(
        default_factory=list, description="Every broken rule: {pointer, message} (422)"
    )
    rule: str | None = Field(default=None, description="The contract's custom error (409 chain rule)")

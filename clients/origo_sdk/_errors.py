"""The SDK's exceptions: one root; transport failures apart from the node's answers; one class per answer.

The node answers every error as RFC 9457 ``application/problem+json``; :func:`error_from_response` turns
such an answer (or anything else a proxy may put in its place) into the matching :class:`ApiError` subclass.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from origo_api.problems import PROBLEM_BASE

__all__ = ["PROBLEM_BASE"]  # kept importable from here for older callers


class OrigoError(Exception):
    """Root of every error this SDK raises."""


class ConnectionError(OrigoError):
    """The node could not be reached, or did not answer in time (after any retries)."""

    def __init__(self, message: str, *, url: str | None = None, attempts: int = 1) -> None:
        super().__init__(message)
        self.url = url
        self.attempts = attempts


class ApiError(OrigoError):
    """The node answered with an error (a problem+json body, or anything else with a 4xx/5xx status)."""

    def __init__(
        self,
        status: int,
        *,
        slug: str | None = None,
        title: str | None = None,
        detail: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        rule: str | None = None,
        args: Any = None,
        problem: dict[str, Any] | None = None,
    ) -> None:
        self.status = status
        self.slug = slug
        self.title = title
        self.detail = detail
        self.errors: list[dict[str, Any]] = list(errors or [])
        self.rule = rule
        # ``args`` stays BaseException's own tuple (repr, pickling and tracebacks rely on it); the contract
        # error's arguments, given as ``args=`` like the problem's member, are kept here.
        self.rule_args = args
        self.problem: dict[str, Any] = dict(problem or {})
        super().__init__(self._message())

    def _message(self) -> str:
        text = self.detail or self.title or f"HTTP {self.status}"
        if self.rule and self.rule not in text:
            text = f"{text} ({self.rule})"
        return text

    def __str__(self) -> str:
        return self._message()


class BadRequestError(ApiError):
    """400/413/415: the request could not be read (not JSON, too large...)."""


class ValidationError(ApiError):
    """422: the document or request broke rules; ``errors`` lists each with its JSON pointer."""


class AuthError(ApiError):
    """401: no API key, or an unknown one."""


class ForbiddenError(AuthError):
    """403: the key's role, or this node's member, may not do this."""


class NotFoundError(ApiError):
    """404: no such document, action, proposal or type."""


class ConflictError(ApiError):
    """409: the request clashes with what exists (not anchored yet, already revoked...)."""


class ChainRuleError(ConflictError):
    """409 ``chain-rule-violated``: the contract refused; ``rule`` names its custom error, ``rule_args``
    holds its arguments."""


class ServerError(ApiError):
    """5xx: the node, its chain or its payload store failed."""


def _slug(problem_type: object) -> str | None:
    if not isinstance(problem_type, str) or not problem_type:
        return None
    return problem_type.rsplit("/", 1)[-1]


def _problem_body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return {}
    return body if isinstance(body, dict) else {}


def error_from_response(response: httpx.Response) -> ApiError:
    """The exception for an error answer; a body that is not problem+json still gives its status class."""
    status = response.status_code
    problem = _problem_body(response)
    slug = _slug(problem.get("type"))
    title = problem.get("title") if isinstance(problem.get("title"), str) else None
    detail = problem.get("detail") if isinstance(problem.get("detail"), str) else None
    if not problem and response.content:
        detail = response.text.strip()[:300] or None
    errors = problem.get("errors") if isinstance(problem.get("errors"), list) else None
    rule = problem.get("rule") if isinstance(problem.get("rule"), str) else None
    if rule is None and isinstance(problem.get("action"), dict):
        # A transaction that failed after it was queued carries the rule inside its action's error.
        error = problem["action"].get("error")
        if isinstance(error, dict) and isinstance(error.get("rule"), str):
            rule = error["rule"]
    cls = _class_for(status, slug)
    return cls(
        status,
        slug=slug,
        title=title,
        detail=detail,
        errors=errors,
        rule=rule,
        args=problem.get("args"),
        problem=problem,
    )


def _class_for(status: int, slug: str | None) -> type[ApiError]:
    if status == 409:
        return ChainRuleError if slug == "chain-rule-violated" else ConflictError
    if status >= 500:
        return ServerError
    return {
        400: BadRequestError,
        401: AuthError,
        403: ForbiddenError,
        404: NotFoundError,
        413: BadRequestError,
        415: BadRequestError,
        422: ValidationError,
    }.get(status, ApiError)

"""The node's answers in the words of a command line: options to type, not HTTP headers to send."""

from __future__ import annotations

from origo_sdk import ApiError, AuthError, OrigoError


def for_person(error: OrigoError) -> str:
    """What to print after ``error:`` for an SDK error."""
    text = str(error)
    if isinstance(error, AuthError) or (isinstance(error, ApiError) and error.status == 401):
        detail = (error.detail or "").lower()
        if "required" in detail:
            return "this needs an API key: use --api-key or ORIGO_API_KEY"
        if "not valid" in detail:
            return (
                "this node does not know that API key. A key works only at the node that made it: it may "
                "belong to another member's node (check --node, or ORIGO_NODE), or it was revoked"
            )
    if isinstance(error, ApiError) and error.detail:
        return error.detail  # the node's sentence; the rule's name stays in --json output for programs
    return text

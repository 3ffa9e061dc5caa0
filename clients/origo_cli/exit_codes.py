"""Exit codes of the `origo` command: 0 when all is well, one code per invalid verdict, one per kind of error.

Scripts can rely on these numbers; they are part of the command's interface.

    0   success; for `verify`, the certificate is valid (or partially accepted: still usable for what is left)
    1   an unexpected failure inside the command (a bug; set ORIGO_DEBUG=1 to see the traceback)
    2   user error: bad arguments, a file that cannot be read or is not JSON
    3   authentication: no API key, an unknown key (401), or a role that may not do this (403)
    4   the node: unreachable, timed out, or failed (5xx); for `trail verify`, the chain's RPC
    5   not found (404): no such document, action or proposal
    6   refused: the node found the request or document invalid (400/413/422); in bulk, any document refused
    7   conflict (409): the chain's rules or the document's state refuse the action
    8   `trail verify`: the export does not hold against the chain
    10  tampered      11  revoked        12  superseded     13  expired
    14  rejected at import                15  unknown        16  under verification
    17  pending (accepted by its authority, not anchored yet)
    18  used: fully accepted at import, nothing left to claim
    19  refused by the consortium: never anchored (its member was suspended or removed in flight)
    20  not confirmed: the issuing authority answered a verification request that it does not confirm the
        origin (not usable for the preference)
"""

from __future__ import annotations

from enum import IntEnum

from origo_api.states import Verdict
from origo_sdk import (
    ApiError,
    AuthError,
    BadRequestError,
    ConflictError,
    ConnectionError,
    NotFoundError,
    OrigoError,
    ServerError,
    ValidationError,
)


class ExitCode(IntEnum):
    OK = 0
    FAILURE = 1
    USAGE = 2
    AUTH = 3
    NODE = 4
    NOT_FOUND = 5
    REFUSED = 6
    CONFLICT = 7
    TRAIL_BROKEN = 8
    TAMPERED = 10
    REVOKED = 11
    SUPERSEDED = 12
    EXPIRED = 13
    REJECTED = 14
    UNKNOWN = 15
    UNDER_VERIFICATION = 16
    PENDING = 17
    USED = 18
    REFUSED_BY_CONSORTIUM = 19
    NOT_CONFIRMED = 20


VERDICT_EXIT: dict[str, ExitCode] = {
    Verdict.VALID: ExitCode.OK,
    Verdict.PARTIALLY_ACCEPTED: ExitCode.OK,
    Verdict.TAMPERED: ExitCode.TAMPERED,
    Verdict.REVOKED: ExitCode.REVOKED,
    Verdict.SUPERSEDED: ExitCode.SUPERSEDED,
    Verdict.EXPIRED: ExitCode.EXPIRED,
    Verdict.REJECTED: ExitCode.REJECTED,
    Verdict.UNKNOWN: ExitCode.UNKNOWN,
    Verdict.UNDER_VERIFICATION: ExitCode.UNDER_VERIFICATION,
    Verdict.PENDING: ExitCode.PENDING,
    Verdict.ACCEPTED: ExitCode.USED,
    Verdict.REFUSED: ExitCode.REFUSED_BY_CONSORTIUM,
    Verdict.NOT_CONFIRMED: ExitCode.NOT_CONFIRMED,
}


def for_verdict(verdict: str) -> ExitCode:
    """The exit code of `origo verify` for a verdict; a verdict this CLI does not know is not 'valid'."""
    return VERDICT_EXIT.get(verdict, ExitCode.UNKNOWN)


def for_error(error: OrigoError) -> ExitCode:
    """The exit code for an SDK error."""
    if isinstance(error, ConnectionError | ServerError):
        return ExitCode.NODE
    if isinstance(error, AuthError):
        return ExitCode.AUTH
    if isinstance(error, NotFoundError):
        return ExitCode.NOT_FOUND
    if isinstance(error, ValidationError | BadRequestError):
        return ExitCode.REFUSED
    if isinstance(error, ConflictError):
        return ExitCode.CONFLICT
    if isinstance(error, ApiError):
        return ExitCode.REFUSED if 400 <= error.status < 500 else ExitCode.NODE
    return ExitCode.FAILURE

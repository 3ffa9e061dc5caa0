"""One exception root for the node, one subclass per area.

Adapters translate their dependencies' errors into these at the boundary
(``raise ChainError(...) from exc``); the HTTP layer maps them to problem+json
in one place, so no route raises ``HTTPException`` itself.
"""

from __future__ import annotations

from typing import Any


class OrigoError(Exception):
    """Root of every error the node raises on purpose."""

    #: HTTP status the API answers with; subclasses override.
    status: int = 500
    #: Short, stable problem type slug (becomes the problem+json ``type``).
    slug: str = "internal"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class ValidationFailed(OrigoError):
    """Input from outside broke a rule; ``errors`` lists every broken rule with its JSON pointer."""

    status = 422
    slug = "validation-failed"

    def __init__(self, message: str, errors: list[dict[str, str]] | None = None, **details: Any) -> None:
        super().__init__(message, **details)
        self.errors = errors or []


class NotFound(OrigoError):
    status = 404
    slug = "not-found"


class Conflict(OrigoError):
    """The request clashes with what already exists (a reference issued twice, a second full claim...)."""

    status = 409
    slug = "conflict"


class Unauthorized(OrigoError):
    status = 401
    slug = "unauthorized"


class Forbidden(OrigoError):
    status = 403
    slug = "forbidden"


class WrongMember(Forbidden):
    """The key's role is right, but this node's member is not the one the rules name (issuer or importer)."""

    slug = "wrong-member"


class PayloadError(OrigoError):
    """The payload store (local blocks, peers' gateways, kubo) failed or returned bad data."""

    status = 502
    slug = "payload-store"


class CryptoError(OrigoError):
    """Encryption, decryption, signing or a keystore failed."""

    status = 500
    slug = "crypto"


class KeystoreLocked(CryptoError):
    """A keystore could not be opened with the passphrase given."""

    status = 400
    slug = "keystore-locked"


class ChainError(OrigoError):
    """The chain is unreachable or refused a transaction for a reason that is not the caller's fault."""

    status = 503
    slug = "chain-unavailable"


class ChainRuleViolated(OrigoError):
    """The contracts refused an action by rule (custom error), e.g. a claim beyond what is left."""

    status = 409
    slug = "chain-rule-violated"


class StoreError(OrigoError):
    """The node's own database could not be read or written."""

    status = 503
    slug = "store-unavailable"


class StorageFull(OrigoError):
    """The node's own disk (database or payload store) has no space left: nothing was written; retry once an
    operator has made room."""

    status = 507
    slug = "storage-full"

"""Signatures of webhook deliveries: HMAC-SHA256 with the subscription's secret over ``<timestamp>.<body>``.

The timestamp is signed with the body, so a captured delivery cannot be replayed later under a fresh
timestamp; receivers refuse timestamps older than a few minutes (``verify``'s ``tolerance_s``) and may
remember delivery ids to drop the retries they already handled.
"""

from __future__ import annotations

import hashlib
import hmac
import time

TIMESTAMP_HEADER = "Origo-Timestamp"
SIGNATURE_HEADER = "Origo-Signature"
DELIVERY_HEADER = "Origo-Delivery"
EVENT_HEADER = "Origo-Event"
_PREFIX = "sha256="


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``Origo-Signature`` header value for ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return _PREFIX + mac.hexdigest()


def verify(
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    tolerance_s: float = 300.0,
    now: float | None = None,
) -> bool:
    """Whether a received delivery is authentic and fresh (what a receiver runs on every request)."""
    if not timestamp.isdigit() or len(timestamp) > 12:
        return False
    moment = time.time() if now is None else now
    if abs(moment - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)

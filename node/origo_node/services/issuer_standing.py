"""Whether this node's issuer account may still issue for its member, as the membership contract says now.

The registry anchors a batch only if its signer is one of the member's issuers on chain (``wasIssuerAt``).
A node whose account was never registered, or was removed (a rotated key, a compromise), would otherwise
accept documents with 202 that it can never anchor: they would wait in the outbox for ever. It refuses
them instead, with the reason, until the member's admin registers the account (or the node is given a
registered key). The member snapshot is refreshed on membership events, so a change on chain is seen here
within the indexer's poll.
"""

from __future__ import annotations

from origo_node.errors import Conflict
from origo_node.members import MemberDirectory

RULE = "IssuerNotRegistered"


def require_registered_issuer(directory: MemberDirectory, member: str, issuer_address: str) -> None:
    """Raises ``Conflict`` (409, rule ``IssuerNotRegistered``) unless ``issuer_address`` is one of
    ``member``'s issuers on chain. A member the directory does not know is refused by the caller's
    membership check first."""
    own = directory.get(member)
    if own is None:
        return
    registered = {address.lower() for address in own.issuers}
    if issuer_address.lower() in registered:
        return
    listed = ", ".join(own.issuers) if own.issuers else "none"
    raise Conflict(
        f"this node signs with account {issuer_address}, which is not (or no longer) an issuer of "
        f"{member} on the chain (its issuers there: {listed}); documents signed with it could never be "
        f"anchored, so none is accepted until an admin of {member} registers this account",
        rule=RULE,
        issuer_account=issuer_address,
        registered_issuers=list(own.issuers),
    )

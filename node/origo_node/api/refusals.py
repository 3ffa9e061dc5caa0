"""The chain's refusals in words a customs officer understands, with the facts.

``RegistryQuantityExceeded(0x.., 1, 9000000, 8960000)`` becomes "Only 8,960.000 PCE remain on item 2 of
this certificate; the claim asked for 9,000.000 PCE." (the chain counts items from 0 and thousandths of each
item's unit; a person reads items as numbered on the form, in their unit). The rule's name and arguments stay
in the problem (``rule``, ``args``) for programs; a person reads ``detail``. Registered for
``ChainRuleViolated`` alone: every other error keeps the general translation of ``problems.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from origo_node import reasons
from origo_node.api.problem_handlers import problem_for
from origo_node.errors import ChainRuleViolated, OrigoError
from origo_node.runtime import Node
from origo_node.services.document_status import DocumentStatus, ItemQuantity
from origo_node.services.lifecycle import amount
from origo_node.services.naming import DocumentKey

_DOC_ID = re.compile(r"^0x[0-9a-f]{64}$")
_CODE_HEX = re.compile(r"^0x[0-9a-fA-F]{4}$")


def member_code(value: Any) -> str:
    """A member code as a person writes it: both chains pass a ``bytes2`` argument on as hex (``0x5a5a``)."""
    text = str(value)
    if _CODE_HEX.match(text):
        decoded = bytes.fromhex(text[2:]).decode("ascii", errors="replace")
        if decoded.isprintable():
            return decoded
    return text


def _day(timestamp: Any) -> str:
    return dt.datetime.fromtimestamp(int(timestamp), dt.UTC).strftime("%d %B %Y")


class _Facts:
    """What the index knows of the document a refusal names, fetched only as a sentence needs it."""

    def __init__(self, node: Node, args: list[Any]) -> None:
        self.node = node
        self.status: DocumentStatus | None = None
        named = _named(args)
        if named is not None:  # (issuer, id): the document's full name, never another member's copy
            try:
                self.status = node.status.status(named)
                return
            except OrigoError:
                pass
        for arg in args:
            if isinstance(arg, str) and _DOC_ID.match(arg.lower()):
                try:
                    self.status = node.status.status(arg.lower())
                    break
                except OrigoError:
                    continue

    def member(self, code: Any) -> str:
        """The member's registered name, or its code where the consortium has no such member."""
        member = self.node.directory.get(member_code(code))
        return member.name if member is not None and member.name else member_code(code)

    def item(self, index: Any) -> ItemQuantity | None:
        """The status of the item the chain numbers ``index`` (from 0), or None if the index knows none."""
        items = self.status.items if self.status is not None else ()
        position = int(index)
        return items[position] if 0 <= position < len(items) else None

    def items(self) -> int:
        """How many items the index knows the document lists (0 when it does not know the document)."""
        return len(self.status.items) if self.status is not None else 0

    def unit(self, index: Any) -> str:
        """`` PCE``: the unit of the item the chain numbers ``index``, to follow an amount."""
        item = self.item(index)
        unit = item.unit if item is not None else None
        return f" {unit}" if unit else ""

    def issuer(self, otherwise: str) -> str:
        return self.member(self.status.issuer) if self.status is not None else self.member(otherwise)

    def importer(self, otherwise: str) -> str:
        return self.member(self.status.importer) if self.status is not None else self.member(otherwise)

    def name_of(self, doc_id: Any) -> str:
        try:
            reference = self.node.status.status(str(doc_id).lower()).reference
        except OrigoError:
            reference = None
        return str(reference or doc_id)


def _named(args: list[Any]) -> DocumentKey | None:
    """The document a rule's first two arguments name as (issuer, id), as the registry's newer errors do."""
    if len(args) < 2 or not isinstance(args[1], str) or not _DOC_ID.match(args[1].lower()):
        return None
    code = member_code(args[0])
    return DocumentKey(code, args[1]) if len(code) == 2 and code.isalpha() else None


def _verification(rule: str, facts: _Facts) -> str | None:
    """A claim refused because of a verification (ATIGA OCP): what happened, when, and what to do."""
    verification = facts.status.verification if facts.status is not None else None
    issuer = facts.issuer("the issuing member")
    if rule == "RegistryNotConfirmed":
        reason = (verification.answer_reason if verification else None) or "no reason given"
        answered = verification.at if verification else None
        return (
            f"this certificate cannot be claimed: {issuer} did not confirm its origin when asked, on "
            f"{_iso_day(answered)} ({reason}). Deny the preference by rejecting it (reason 8, "
            "origin not confirmed by the issuing authority), or open a new verification request if there is "
            "new evidence; it can be claimed only once the origin is confirmed"
        )
    if rule == "RegistryUnderVerification":
        asked = (verification.requested_at or verification.at) if verification else None
        request_reason = verification.request_reason if verification else None
        why = f" ({request_reason})" if request_reason else ""
        return (
            f"this certificate cannot be claimed while its verification is open: it was asked on "
            f"{_iso_day(asked)}{why} and {issuer} has not answered yet. The preference is suspended "
            "meanwhile (the goods may be released under a guarantee); claim it once the origin is confirmed, "
            "or reject it"
        )
    return None


def _iso_day(at: Any) -> str:
    """'6 December 2026' from the index's '2026-12-06T10:00:00Z'."""
    try:
        parsed = dt.datetime.strptime(str(at), "%Y-%m-%dT%H:%M:%SZ")
    except ValueError:
        return "a date this node does not know"
    return f"{parsed.day} {parsed:%B %Y}"


def _registry(rule: str, a: list[Any], facts: _Facts) -> str | None:
    status = facts.status
    items = _items(rule, a, facts) or _verification(rule, facts)
    if items is not None:
        return items
    if rule == "RegistryFullyUtilised":
        return "this certificate is fully used: nothing remains to claim on it"
    if rule == "RegistryBatchExists":
        return f"{facts.member(a[0])} anchored a batch with this Merkle root ({a[1]}) already"
    if rule == "RegistryEmptyBatch":
        return "a batch must hold at least one document"
    if rule == "RegistryRevoked":
        revocation = status.revocation if status is not None else None
        why = reasons.describe(
            "revoke", a[1] if len(a) > 1 else None, revocation.reason if revocation else None
        )
        return f"this certificate was revoked by {facts.issuer('its issuer')}: {why}"
    if rule == "RegistrySuperseded":
        return f"this certificate was replaced by {facts.name_of(a[1])}: act on the replacement instead"
    if rule == "RegistryExpired":
        return f"this certificate expired on {_day(a[1])}"
    if rule == "RegistryRejected":
        return f"{facts.importer('the importing member')} already rejected this certificate"
    if rule == "RegistryVerificationOpen":
        return (
            "a verification request is already open on this certificate: wait for the issuing member's answer"
        )
    if rule == "RegistryNoVerificationOpen":
        return "no verification request is open on this certificate, so there is nothing to answer"
    if rule == "RegistryDeclarationUsed":
        declaration = str(a[2]) if len(a) > 2 else "this declaration"
        return f"this declaration ({_declaration(declaration)}) already claimed this certificate"
    if rule == "RegistryDeclarationNotCanonical":
        declaration = str(a[0]) if a else "the declaration"
        return (
            f"the declaration number {_declaration(declaration)!r} is not written in its one form (capitals,"
            " no stray spaces): the importing node must send it as it is compared, e.g. SG-D1"
        )
    if rule == "RegistryInvalidReplacement":
        return (
            "the replacement cannot supersede this certificate (it must be another anchored document "
            "of the same issuer)"
        )
    if rule == "RegistryNotAnchored":
        return "this certificate is not anchored on the chain (yet): try again in a few seconds"
    if rule == "RegistryLeafMismatch":
        return "the facts sent do not match what was anchored for this certificate"
    if rule == "RegistryWrongMember":
        return f"only {facts.member(a[2])} may do this; this node acts for {facts.member(a[1])}"
    if rule == "RegistryNotIssuer":
        return f"this node's issuer account {a[0]} is not (or no longer) an issuer of its member on the chain"
    return None


def _items(rule: str, a: list[Any], facts: _Facts) -> str | None:
    """The rules of claims on one item: ``a[1]`` is the item as the chain numbers it, from 0."""
    if rule == "RegistryNoSuchItem":
        count = int(a[2])
        listed = "no items" if count == 0 else "1 item" if count == 1 else f"{count} items"
        return f"there is no item {int(a[1]) + 1} on this certificate: it lists {listed}"
    if rule not in ("RegistryQuantityExceeded", "RegistryQuantityNotTracked", "RegistryItemFullyUtilised"):
        return None
    number = int(a[1]) + 1
    unit = facts.unit(a[1])
    # A certificate of one item: its item is the certificate, as an officer sees it.
    where = "this certificate" if facts.items() == 1 else f"item {number} of this certificate"
    if rule == "RegistryQuantityExceeded":
        return f"only {amount(a[3])}{unit} remain on {where}; the claim asked for {amount(a[2])}{unit}"
    if rule == "RegistryQuantityNotTracked":
        return (
            f"item {number} of this certificate gives no quantity, so it is claimed only with the whole "
            "certificate: leave out the item and the quantity"
        )
    item = facts.item(a[1])
    total = item.total if item is not None else None
    claimed = f": all {amount(int(Decimal(str(total)) * 1000))}{unit} were claimed" if total else ""
    return f"nothing remains to claim on {where}{claimed}"


def _membership(rule: str, a: list[Any], facts: _Facts) -> str | None:
    if rule == "MembershipAlreadyVoted":
        return f"{facts.member(a[1])} already voted on proposal {a[0]}"
    if rule == "MembershipProposalExecuted":
        return f"proposal {a[0]} was already carried out"
    if rule == "MembershipProposalExpired":
        return f"proposal {a[0]} expired on {_day(a[1])}"
    if rule == "MembershipUnknownProposal":
        return f"there is no proposal {a[0]}"
    if rule == "MembershipUnknownMember":
        return f"{member_code(a[0])} is not a member of the consortium"
    if rule == "MembershipInvalidMember":
        who = facts.member(a[0]) if a[0] else "the member"
        return (
            f"the details given for {who} are not complete or clash with another member's: a two-letter"
            " code, an admin account of its own, a validator and an encryption key are needed"
        )
    if rule == "MembershipMemberExists":
        return f"{facts.member(a[0])} is already a member of the consortium"
    if rule == "MembershipInvalidQuorum":
        return f"a quorum of {int(a[0]) / 100:g}% is not allowed: it must be more than half and at most all"
    if rule == "MembershipIssuerTaken":
        return f"account {a[0]} is already an issuer of {facts.member(a[1])}"
    if rule == "MembershipValidatorTaken":
        return (
            f"validator {a[0]} is already the validator of {facts.member(a[1])}; each member brings its own"
        )
    if rule == "MembershipNotAdmin":
        return f"this node's admin account {a[0]} is not its member's admin on the chain"
    if rule == "MembershipNotIssuer":
        return f"account {a[0]} is not an issuer of {facts.member(a[1])}"
    if rule == "MembershipInvalidTransition":
        return f"that change is not possible for {facts.member(a[0])} in its present status"
    return None


def _declaration(value: str) -> str:
    if value.startswith("0x"):
        try:
            text = bytes.fromhex(value[2:]).rstrip(b"\0").decode("ascii")
            if text.isprintable():
                return text
        except (ValueError, UnicodeDecodeError):
            pass
    return value


def explain(node: Node, rule: str, args: list[Any]) -> str:
    """A sentence for a person; never the bare rule name."""
    facts = _Facts(node, args)
    try:
        sentence = _registry(rule, args, facts) or _membership(rule, args, facts)
    except (IndexError, TypeError, ValueError):  # arguments not as this node knows the rule
        sentence = None
    if sentence is None:
        words = re.sub(r"(?<!^)(?=[A-Z])", " ", re.sub(r"^(Registry|Membership)", "", rule)).lower()
        sentence = f"the chain's rules refused this ({words.strip() or 'no reason given'})"
    return sentence[0].upper() + sentence[1:] + "."


def _handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ChainRuleViolated)
    rule = str(exc.details.get("rule") or "")
    args = list(exc.details.get("args") or [])
    node: Node = request.app.state.node
    if rule and rule != "Revert":
        exc.message = explain(node, rule, args)
    return problem_for(exc)


def install(app: FastAPI) -> None:
    app.add_exception_handler(ChainRuleViolated, _handler)

"""Domain rules both document types apply: members, countries, ports, HS codes, dates.

Each takes the document and a pointer, reads the value defensively and yields what is wrong with it; a value
of the wrong type yields nothing, since the schema reports it already.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from origo_node.documents import checks
from origo_node.documents.dates import parse_date
from origo_node.documents.model import Problem, ValidationContext
from origo_node.documents.pointer import resolve


def country(doc: Any, at: str) -> Iterator[Problem]:
    code = resolve(doc, at)
    if isinstance(code, str) and not checks.is_country(code):
        yield Problem(at, f"{code!r} is not an assigned ISO 3166-1 alpha-2 country code")


def asean_member(doc: Any, at: str) -> Iterator[Problem]:
    code = resolve(doc, at)
    if isinstance(code, str) and not checks.is_asean_member(code):
        yield Problem(at, f"{code!r} is not an ASEAN member state")


def issuing_member(doc: Any, at: str, ctx: ValidationContext) -> Iterator[Problem]:
    """A node issues and files only in its own member's name."""
    code = resolve(doc, at)
    if isinstance(code, str) and code != ctx.own_member:
        yield Problem(at, f"must be this node's member {ctx.own_member!r}, not {code!r}")


def importing_member(
    code: object, at: str, issuer: object, ctx: ValidationContext, what: str = "the importing country"
) -> Iterator[Problem]:
    """The destination must be another ASEAN member and, when we know the consortium, one of its members."""
    if not isinstance(code, str):
        return
    if not checks.is_asean_member(code):
        yield Problem(at, f"{what} must be an ASEAN member state, not {code!r}")
    elif ctx.members is not None and code not in ctx.members:
        yield Problem(at, f"{what} {code!r} is not a current member of the consortium")
    elif code == issuer:
        yield Problem(at, f"{what} must differ from the issuing member {code!r}")


def locode(doc: Any, at: str) -> Iterator[Problem]:
    code = resolve(doc, at)
    if isinstance(code, str) and not checks.is_locode(code):
        yield Problem(at, f"{code!r} is not a UN/LOCODE of an assigned country")


def hs_code(doc: Any, at: str) -> Iterator[Problem]:
    code = resolve(doc, at)
    if isinstance(code, str) and not checks.is_hs_code(code):
        yield Problem(at, f"{code!r} is not in an HS chapter (01-97, 77 being reserved)")


def real_date(doc: Any, at: str) -> Iterator[Problem]:
    value = resolve(doc, at)
    if isinstance(value, str) and parse_date(value) is None:
        yield Problem(at, f"{value!r} is not a calendar date")


def date_at(doc: Any, at: str) -> dt.date | None:
    return parse_date(resolve(doc, at))


def not_after(doc: Any, earlier_at: str, later_at: str, what: str) -> Iterator[Problem]:
    """The date at ``earlier_at`` must not come after the one at ``later_at`` (``what`` names the latter)."""
    earlier, later = date_at(doc, earlier_at), date_at(doc, later_at)
    if earlier is not None and later is not None and earlier > later:
        yield Problem(earlier_at, f"must not be after the {what} ({later.isoformat()})")


def items_of(doc: Any, at: str) -> list[tuple[str, dict[str, Any]]]:
    """The (pointer, object) pairs of a list of objects, skipping entries that are not objects."""
    entries = resolve(doc, at)
    if not isinstance(entries, list):
        return []
    return [(f"{at}/{index}", entry) for index, entry in enumerate(entries) if isinstance(entry, dict)]

"""Checks of single values against code lists, shapes and check digits. Pure functions, no document context.

Each ``is_*`` answers yes or no; the few that need to say why (origin criteria) return an explanation instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from origo_node.documents.codes import (
    ASEAN_MEMBERS,
    COMBINABLE_CRITERIA,
    HS_CHAPTERS,
    ISO_3166_ALPHA2,
    STANDALONE_CRITERIA,
)

# Shapes, shared with the JSON schema so clients and the node agree. ``[0-9]`` rather than ``\d``: Python's
# ``\d`` also matches other scripts' digits, which no code list uses.
COUNTRY_PATTERN = r"^[A-Z]{2}$"
LOCODE_PATTERN = r"^[A-Z]{2}[A-Z2-9]{3}$"
HS_CODE_PATTERN = r"^[0-9]{4}\.?[0-9]{2}(\.?[0-9]{2}){0,2}$"
UNIT_CODE_PATTERN = r"^[A-Z0-9]{2,3}$"
PACKAGE_KIND_PATTERN = r"^[A-Z0-9]{2}$"
CURRENCY_PATTERN = r"^[A-Z]{3}$"
AMOUNT_PATTERN = r"^[0-9]{1,15}(\.[0-9]{1,4})?$"
CONTAINER_PATTERN = r"^[A-Z]{3}[UJZ][0-9]{7}$"
IMO_PATTERN = r"^[0-9]{7}$"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"

_RVC = re.compile(r"RVC ?([0-9]{1,3})%")
_RVC_SCHEMA = r"RVC ?[0-9]{1,3}%"
# Longest first (CTSH before CTH), then by name: the published schema must not vary between processes.
_NAMED_SCHEMA = "|".join(
    sorted(STANDALONE_CRITERIA | COMBINABLE_CRITERIA, key=lambda term: (-len(term), term))
)
_TERM_SCHEMA = f"(?:{_RVC_SCHEMA}|{_NAMED_SCHEMA})"
# The shape of box 8 as a pattern: known terms joined by "+". Which terms may be combined, the RVC range and
# repeats are left to ``parse_origin_criterion``, whose messages say more than "does not match".
ORIGIN_CRITERION_PATTERN = f"^{_TERM_SCHEMA}(?: ?\\+ ?{_TERM_SCHEMA})*$"


def is_country(code: object) -> bool:
    """An assigned ISO 3166-1 alpha-2 code."""
    return isinstance(code, str) and code in ISO_3166_ALPHA2


def is_asean_member(code: object) -> bool:
    return isinstance(code, str) and code in ASEAN_MEMBERS


def is_locode(code: object) -> bool:
    """A UN/LOCODE: a valid country code followed by three characters of [A-Z2-9] (0 and 1 are never used)."""
    return isinstance(code, str) and re.fullmatch(LOCODE_PATTERN, code) is not None and is_country(code[:2])


def locode_country(code: str) -> str:
    return code[:2]


def normalise_hs(code: str) -> str:
    """The digits of an HS code, so ``0901.11``, ``090111`` and ``0901.11.00`` compare by their digits."""
    return code.replace(".", "")


def is_hs_code(code: object) -> bool:
    """An HS subheading or national tariff line: 6, 8 or 10 digits, dots optional, in an HS chapter."""
    if not isinstance(code, str) or re.fullmatch(HS_CODE_PATTERN, code) is None:
        return False
    return int(normalise_hs(code)[:2]) in HS_CHAPTERS


def hs_subheading(code: str) -> str:
    """The six-digit HS subheading, the level at which all parties' tariffs agree."""
    return normalise_hs(code)[:6]


@dataclass(frozen=True)
class OriginCriterion:
    """A parsed box 8 entry: its terms in order and the RVC threshold if one is among them."""

    terms: tuple[str, ...]
    rvc_percent: int | None

    @property
    def needs_fob_value(self) -> bool:
        """RVC is computed on the FOB value, so a criterion with RVC is unverifiable without it."""
        return self.rvc_percent is not None


def parse_origin_criterion(text: str) -> OriginCriterion | str:
    """The criterion, or a message saying what is wrong with it."""
    terms = tuple(term.strip() for term in text.split("+"))
    if any(term == "" for term in terms):
        return "an origin criterion has an empty term around '+'"
    rvc_percent: int | None = None
    kinds: list[str] = []
    for term in terms:
        rvc = _RVC.fullmatch(term)
        if rvc:
            rvc_percent = int(rvc.group(1))
            if not 1 <= rvc_percent <= 100:
                return f"RVC must be between 1% and 100%, not {rvc_percent}%"
            kinds.append("RVC")
        elif term in STANDALONE_CRITERIA or term in COMBINABLE_CRITERIA:
            kinds.append(term)
        else:
            return f"{term!r} is not an origin criterion (WO, PE, RVC nn%, CTH, CTSH, CTC, SP, PSR)"
    if len(set(kinds)) != len(kinds):
        return "an origin criterion names the same term twice"
    if len(kinds) > 1 and STANDALONE_CRITERIA.intersection(kinds):
        return "WO and PE describe the whole good and cannot be combined with other criteria"
    return OriginCriterion(terms=terms, rvc_percent=rvc_percent)


# ISO 6346 gives letters the values 10..38, skipping 11, 22 and 33: multiples of 11 would vanish mod 11.
_ISO6346_LETTER_VALUES: dict[str, int] = dict(
    zip(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        (value for value in range(10, 39) if value % 11 != 0),
        strict=True,
    )
)


def iso6346_check_digit(first_ten: str) -> int:
    """The check digit for owner code, category and serial (``MSKU123456`` gives 5).

    Each character's value is weighted by 2**position and the sum taken mod 11; a remainder of 10 is written 0
    (ISO 6346 asks owners not to use such serials, but boxes with them exist, so we accept them).
    """
    total = 0
    for position, char in enumerate(first_ten):
        value = _ISO6346_LETTER_VALUES[char] if char.isalpha() else int(char)
        total += value * 2**position
    return total % 11 % 10


def is_container_number(code: object) -> bool:
    """An ISO 6346 container number: owner code, category U/J/Z, six-digit serial, matching check digit."""
    if not isinstance(code, str) or re.fullmatch(CONTAINER_PATTERN, code) is None:
        return False
    return iso6346_check_digit(code[:10]) == int(code[10])


def imo_check_digit(first_six: str) -> int:
    """The IMO ship number's check digit: digits weighted 7..2, last digit of the sum."""
    return sum(int(digit) * weight for digit, weight in zip(first_six, range(7, 1, -1), strict=True)) % 10


def is_imo_number(code: object) -> bool:
    """A seven-digit IMO ship identification number with a matching check digit."""
    if not isinstance(code, str) or re.fullmatch(IMO_PATTERN, code) is None:
        return False
    return imo_check_digit(code[:6]) == int(code[6])


def is_unit_code(code: object) -> bool:
    """Shape of a UN/ECE Recommendation 20 unit code (``KGM``, ``PCE``, ``C62``)."""
    return isinstance(code, str) and re.fullmatch(UNIT_CODE_PATTERN, code) is not None


def is_package_kind(code: object) -> bool:
    """Shape of a UN/ECE Recommendation 21 package kind code (``BG``, ``CT``, ``4H``)."""
    return isinstance(code, str) and re.fullmatch(PACKAGE_KIND_PATTERN, code) is not None


def is_currency(code: object) -> bool:
    """Shape of an ISO 4217 alphabetic currency code."""
    return isinstance(code, str) and re.fullmatch(CURRENCY_PATTERN, code) is not None


def positive_amount(text: object) -> Decimal | None:
    """A money amount written as a decimal string (never a float, so it stays exact), if it is above zero."""
    if not isinstance(text, str) or re.fullmatch(AMOUNT_PATTERN, text) is None:
        return None
    amount = Decimal(text)
    return amount if amount > 0 else None


def exact_decimal(number: object) -> Decimal | None:
    """A JSON number as the decimal it was written as (``4120.5`` stays 4120.5, not a binary fraction)."""
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    try:
        value = Decimal(repr(number)) if isinstance(number, float) else Decimal(number)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def thousandths(number: object) -> int | None:
    """``number`` times 1000 as an int when that is exact (at most three decimals), else ``None``."""
    value = exact_decimal(number)
    if value is None:
        return None
    scaled = value * 1000
    if scaled != scaled.to_integral_value():
        return None
    return int(scaled)

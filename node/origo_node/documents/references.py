"""What a person types, in one canonical form: references and import declaration numbers.

People copy a reference off paper with stray spaces, in either case, with a space around a dash
(``VN-HCM-2026 -W0104``, ``vn-hcm-2026-w0104``): these all name ``VN-HCM-2026-W0104``. The canonical form is
what is compared everywhere (issue, lookup, claim) and what the document id hashes, so two spellings of
one reference can never become two documents: the contract itself then refuses the second one, since it
keys every record by (issuer, id). Declarations follow the same rule, and the registry contract refuses a
declaration that is not in this form (``RegistryDeclarationNotCanonical``), so a node that skips it cannot
claim twice with ``sg-d1`` beside ``SG-D1``.

The rule: trim; collapse inner runs of blanks to one space; remove the blanks around ``-``, ``/`` and ``.``;
upper case (ASCII only: these strings are ASCII by their schema).
"""

from __future__ import annotations

import functools
import re

from origo_node.documents import type_names

_BLANKS = re.compile(r"\s+")
_AROUND_SEPARATOR = re.compile(r" ?([-/.]) ?")
#: What the rule leaves alone: the characters a person may type around the separators.
SEPARATORS = "-/."


def canonical(text: str) -> str:
    """``text`` in the one form it is compared and hashed in (see the module's rule)."""
    # Issuing one document puts its reference in canonical form seven times (its id, its series, its facts,
    # the resolver): a small cache makes that one (7.8 µs each). Only short texts are kept, so that what
    # anyone may send cannot fill the cache with large strings.
    return _cached(text) if len(text) <= _CACHED_LENGTH else _canonical(text)


def _canonical(text: str) -> str:
    collapsed = _BLANKS.sub(" ", text.strip())
    joined = _AROUND_SEPARATOR.sub(r"\1", collapsed)
    return joined.translate(_UPPER)


_CACHED_LENGTH = 128
_cached = functools.lru_cache(maxsize=4096)(_canonical)


def canonical_reference(text: str) -> str:
    """A document's reference number, canonical: what its id hashes and what is compared."""
    return canonical(text)


def canonical_declaration(text: str) -> str:
    """An import declaration number, canonical: the form the registry contract accepts (and compares)."""
    return canonical(text)


#: The document types whose reference is of its issuer's series (``VN-...``): certificates of origin. A
#: manifest's reference is the carrier's voyage numbering, so it has no prefix rule.
SERIES_TYPES = frozenset({type_names.FORM_D})


def in_issuers_series(issuer: str, reference: str) -> bool:
    """Whether ``reference`` begins with its issuer's code and a dash (``VN-HCM-2026-004512`` for VN)."""
    return canonical_reference(reference).startswith(f"{issuer}-")


def is_canonical(text: str) -> bool:
    return text == canonical(text)


_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")

"""What a trader types into the check box: an id, a reference (perhaps in lower case or with stray spaces),
or something that is neither.

A document id is a hash of the issuer's code and the reference exactly as issued, so a reference typed
differently gives another id: the node tries the few spellings a person may have meant (as typed, in capitals,
without spaces, with dashes for spaces) and takes the first one some member issued.
"""

from __future__ import annotations

import re
from typing import Any

from origo_node.documents import document_id as derive

#: An id, bare or named with its issuer (``VN:0x…``; the code in any case, as a person types it).
_ID = re.compile(r"^(?:[A-Za-z]{2}\s*:\s*)?0x[0-9a-fA-F]{64}$")
_QUALIFIED = re.compile(r"^\s*([A-Za-z]{2})\s*:\s*(.+?)\s*$")
#: Characters a reference may contain (documents/schema_parts.reference); spaces are tried away below.
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ./_-]{0,63}$")
#: What a person is told when what they typed can be neither.
NOT_A_KEY = (
    "this is not a certificate reference or id: a reference has letters, digits and . / _ -"
    " (e.g. VN-HCM-2026-004512, or VN:VN-HCM-2026-004512), an id is 0x followed by 64 hex digits"
)


def is_id(text: str) -> bool:
    return bool(_ID.match(text.strip()))


def looks_like_reference(text: str) -> bool:
    """Whether ``text`` could be a reference (``ISSUER:REFERENCE`` or bare); ids are not references."""
    text = text.strip()
    if not text or is_id(text):
        return False
    qualified = _QUALIFIED.match(text)
    reference = qualified.group(2) if qualified else text
    return bool(_REFERENCE.match(reference.strip()))


def spellings(text: str) -> list[str]:
    """The key as typed first, then the spellings a person may have meant, without repeats."""
    text = text.strip()
    qualified = _QUALIFIED.match(text)
    issuer, reference = (qualified.group(1).upper() + ":", qualified.group(2)) if qualified else ("", text)
    collapsed = re.sub(r"\s+", " ", reference.strip())
    variants = [
        collapsed,
        collapsed.upper(),
        collapsed.replace(" ", ""),
        collapsed.replace(" ", "").upper(),
        collapsed.replace(" ", "-"),
        collapsed.replace(" ", "-").upper(),
        re.sub(r"\s*([-/.])\s*", r"\1", collapsed).upper(),
    ]
    return list(dict.fromkeys([text, *(issuer + v for v in variants if v)]))


def proven_reference(text: str, issuer: str, document_id: str) -> str | None:
    """The reference exactly as issued, if one of the spellings of ``text`` hashes to the document's id.

    Only a person who typed the reference (or scanned a QR code that carries it) gets it back: the id is the
    hash of issuer and reference, so a match proves they had it already.
    """
    if not looks_like_reference(text):
        return None
    for spelling in spellings(text):
        qualified = _QUALIFIED.match(spelling)
        code = qualified.group(1).upper() if qualified else issuer
        reference = qualified.group(2) if qualified else spelling
        if code == issuer and "0x" + derive(issuer, reference.strip()).hex() == document_id.lower():
            return reference.strip().upper()  # what the id commits to: case never mattered
    return None


def reveal_reference(status: dict[str, Any], key: str, *, insider: bool) -> dict[str, Any]:
    """The status as a caller may see it: the reference only if the key carried it, or the caller is this
    member's own staff (a valid API key of this node). Someone holding only an id learns what the chain shows.
    """
    if not insider:
        status["reference"] = proven_reference(key, str(status["issuer"]), str(status["document_id"]))
    return status

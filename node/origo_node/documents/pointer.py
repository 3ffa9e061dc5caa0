"""RFC 6901 JSON pointers: building them for error reports and reading values through them."""

from __future__ import annotations

import functools
from typing import Any


def escape_token(token: str | int) -> str:
    """One reference token, with "~" and "/" escaped as RFC 6901 section 3 requires (order matters)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def join(base: str, *tokens: str | int) -> str:
    """``join("/items", 0, "hsCode") == "/items/0/hsCode"``; the whole document is ``""``."""
    return base + "".join("/" + escape_token(token) for token in tokens)


def from_path(path: Any) -> str:
    """A pointer from a sequence of keys and indexes (as jsonschema reports them)."""
    return join("", *path)


def split(pointer: str) -> list[str]:
    """The unescaped tokens of a pointer; ``""`` gives ``[]``."""
    return list(_tokens(pointer))


# The domain rules read the same few hundred pointers (written in the code, with item indexes) in every
# document: splitting each once instead of at every read was a fifth of a Form D's validation.
@functools.lru_cache(maxsize=4096)
def _tokens(pointer: str) -> tuple[str, ...]:
    if pointer == "":
        return ()
    if not pointer.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return tuple(token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/"))


def is_index(token: str) -> bool:
    """An array index token: ASCII digits only (``str.isdigit`` would also accept "²")."""
    return token.isascii() and token.isdigit()


_MISSING = object()


def resolve(doc: Any, pointer: str) -> Any:
    """The value at ``pointer``, or ``None`` when any step is missing or of the wrong kind.

    Domain rules run on documents that may also have failed the schema, so reading must never raise.
    """
    value: Any = doc
    for token in _tokens(pointer):
        if isinstance(value, dict):
            value = value.get(token, _MISSING)
        elif isinstance(value, list) and is_index(token) and int(token) < len(value):
            value = value[int(token)]
        else:
            return None
        if value is _MISSING:
            return None
    return value


def is_within(pointer: str, ancestor: str) -> bool:
    """True when ``pointer`` is ``ancestor`` itself or lies below it."""
    return pointer == ancestor or pointer.startswith(ancestor + "/")

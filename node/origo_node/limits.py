"""Interpreter limits the node relies on, guarded against the packages it imports.

``py_ecc`` (imported by ``eth_keyfile`` through ``eth_account`` and web3) raises the recursion limit to
100,000 for the whole process on import. A recursive decoder then runs until it overflows the C stack and the
process dies with a segfault instead of raising ``RecursionError``: one request of 100,000 nested brackets was
enough. The node imports it here first and puts the limit back; ``api.guard`` bounds nesting depth anyway.
"""

from __future__ import annotations

import contextlib
import sys

#: Python's own default; deep enough for everything the node does.
RECURSION_LIMIT = 1000


def restore_recursion_limit() -> None:
    """Imports the package that raises the limit (so that it cannot do so later), then lowers it again."""
    with contextlib.suppress(ImportError):  # not installed: nothing will raise the limit
        import py_ecc  # noqa: F401
    if sys.getrecursionlimit() > RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)

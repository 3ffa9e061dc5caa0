"""Run a coroutine to its end from a synchronous test, whatever runs in the test's thread.

Playwright's sync API leaves an event loop running in the thread of every test that comes after a browser test
on the same worker, and asyncio.run refuses to start a second loop there. A thread of its own has none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_coroutine(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine `make` builds in a fresh thread with its own event loop; return its result."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()

"""The helper that runs a test's coroutine works even where an event loop already runs in the test's thread,
as one does after a Playwright browser test on the same worker."""

from __future__ import annotations

import asyncio
import threading

from support.event_loop import run_coroutine


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


def test_a_coroutine_runs_to_its_result() -> None:
    assert run_coroutine(_answer) == 42


def test_it_runs_while_a_loop_is_running_in_this_thread() -> None:
    async def inside_a_running_loop() -> int:
        # asyncio.run would raise here: "cannot be called from a running event loop".
        return run_coroutine(_answer)

    # The running loop is made in a thread of its own: this test's thread may have one already (Playwright's).
    answers: list[int] = []
    thread = threading.Thread(target=lambda: answers.append(asyncio.run(inside_a_running_loop())))
    thread.start()
    thread.join(10)
    assert answers == [42]


def test_no_test_calls_asyncio_run_in_its_own_thread() -> None:
    from pathlib import Path

    tests = Path(__file__).resolve().parent
    allowed = {Path(__file__).resolve(), tests / "support" / "event_loop.py"}
    offenders = [
        str(path.relative_to(tests))
        for path in tests.rglob("*.py")
        if path not in allowed and "asyncio.run(" in path.read_text(encoding="utf-8")
    ]
    assert offenders == [], "call support.event_loop.run_coroutine: a browser test may leave a loop running"

"""`make test` runs the suite with `pytest -n 2 --dist loadgroup`: tests marked with one `xdist_group` share
one worker, in order (the Clique consortium's tests run one after another on one network, the lone node's
tests share one node). pytest 9 stores a test's id where pytest-xdist 3.8 cannot add the group to it, and
then every test went to either worker: the Clique module ran on two networks at once, half its tests on
each, and failed in CI. This runs a small suite the way `make test` does and checks that a group stays whole.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

_GROUPED = """
import os
from pathlib import Path

import pytest

pytestmark = pytest.mark.xdist_group("together")


@pytest.mark.parametrize("n", range(6))
def test_grouped(n):
    with (Path(__file__).parent / "workers.txt").open("a") as f:
        f.write(os.environ["PYTEST_XDIST_WORKER"] + "\\n")
"""

_UNGROUPED = """
import time

import pytest


@pytest.mark.parametrize("n", range(6))
def test_other(n):
    time.sleep(0.05)
"""


def test_tests_of_one_xdist_group_run_on_one_worker(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "test_grouped.py").write_text(_GROUPED, encoding="utf-8")
    (tmp_path / "test_ungrouped.py").write_text(_UNGROUPED, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-q", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    workers = (tmp_path / "workers.txt").read_text(encoding="utf-8").split()
    assert len(workers) == 6
    assert len(set(workers)) == 1, f"one group ran on {sorted(set(workers))}: pytest-xdist lost the group"

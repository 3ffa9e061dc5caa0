"""The body guard's JSON rules, the recursion limit and the data directory's permissions, in-process."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from origo_node.api import strict_json
from origo_node.api.strict_json import MAX_DEPTH, BadJson
from origo_node.datadir import make_private
from origo_node.errors import ValidationFailed


def test_depth_is_counted_without_recursion_and_skips_strings() -> None:
    assert strict_json.depth(b'{"a": [1, {"b": []}]}') == 4
    assert strict_json.depth(b'{"a": "[[[[[[[[[[{{{{{{\\"[[["}') == 1
    assert strict_json.depth(b"[" * 1_000_000) == MAX_DEPTH + 1  # stops counting once too deep


@pytest.mark.parametrize(
    "raw",
    [
        rb'["\\", [[1]]]',  # an escaped backslash ends the string
        rb'["\"[[[[[[", [[1]]]',  # an escaped quote does not
        rb'["\\\"]]]]", [[1]]]',  # an escaped backslash, then an escaped quote
        rb'{"k\"[": {"a": [1]}}',
    ],
)
def test_brackets_and_quotes_inside_strings_do_not_count(raw: bytes) -> None:
    value = strict_json.loads(raw)
    assert value is not None
    assert strict_json.depth(raw) == 3


@pytest.mark.parametrize(
    ("raw", "error", "words"),
    [
        (b"[" * 100_000 + b"]" * 100_000, BadJson, "nested"),
        (b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1), BadJson, "nested"),
        (b'{"n": ' + b"9" * 5000 + b"}", ValidationFailed, "5000 characters"),
        (b'{"n": -' + b"9" * 41 + b"}", ValidationFailed, "at most 40"),
        (b'{"n": 1e' + b"9" * 60 + b"}", ValidationFailed, "at most 40"),
        (b'{"n": NaN}', BadJson, "NaN"),
        (b'{"n": Infinity}', BadJson, "Infinity"),
        (b'{"n": -Infinity}', BadJson, "-Infinity"),
        (b'{"referenceNumber": "A", "x": {"k": 1, "k": 2}}', ValidationFailed, "'k'"),
        (b'{"a": "\xc3\x28"}', BadJson, "UTF-8"),
        (b"  ", BadJson, "needs a JSON body"),
        (b'{"a": 1', BadJson, "not valid JSON"),
    ],
)
def test_refused(raw: bytes, error: type[Exception], words: str) -> None:
    with pytest.raises(error) as caught:
        strict_json.loads(raw)
    assert words in str(caught.value) + str(getattr(caught.value, "errors", ""))


def test_accepted_json_is_what_json_loads_gives() -> None:
    raw = '{"a": [1, 2.5, "x", null, true], "b": {"c": "ü"}, "n": 123456789012345678901234567890}'.encode()
    assert strict_json.loads(raw) == {
        "a": [1, 2.5, "x", None, True],
        "b": {"c": "ü"},
        "n": 123456789012345678901234567890,
    }
    nested = b"[" * MAX_DEPTH + b"]" * MAX_DEPTH
    assert strict_json.loads(nested) is not None


def test_importing_the_node_and_web3_leaves_the_recursion_limit_at_python_s_default() -> None:
    code = (
        "import sys, origo_node.runtime, origo_node.api.app, web3, eth_account, py_ecc.bls;"
        "print(sys.getrecursionlimit())"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert int(out) <= 1000


def test_without_the_guard_py_ecc_would_raise_it() -> None:
    # The reason for origo_node.limits: if this ever fails, py_ecc stopped doing it and the guard may go.
    out = subprocess.run(
        [sys.executable, "-c", "import sys, py_ecc; print(sys.getrecursionlimit())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert int(out) >= 100_000


def test_the_data_directory_is_made_owner_only(tmp_path: Path) -> None:
    data_dir = tmp_path / "member"
    data_dir.mkdir(mode=0o755)
    (data_dir / "keys").mkdir(mode=0o755)
    for name in ("node.db", "node.log", "node.toml"):
        (data_dir / name).write_text("x")
        (data_dir / name).chmod(0o644)
    previous = os.umask(0o022)
    try:
        make_private(data_dir)
        assert stat.S_IMODE(data_dir.stat().st_mode) == 0o700
        assert stat.S_IMODE((data_dir / "keys").stat().st_mode) == 0o700
        for name in ("node.db", "node.log", "node.toml"):
            assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600, name
        (data_dir / "new-file").write_text("x")  # what the node writes next is owner-only too
        assert stat.S_IMODE((data_dir / "new-file").stat().st_mode) == 0o600
    finally:
        os.umask(previous)

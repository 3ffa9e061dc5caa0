"""origo_node.limits: eth_keyfile imports without py_ecc's BLS12-381 modules, which compute pairing tables at
import (seconds per node process), and still has what it needs of them once asked."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout


def test_the_node_and_eth_account_import_without_the_bls_modules() -> None:
    out = _run(
        "import sys, origo_node.runtime, eth_account, eth_keyfile;"
        "print(sorted(m for m in sys.modules if m.startswith(('py_ecc.bls', 'py_ecc.optimized_bls'))))"
    )
    assert out.strip() == "[]"


def test_eth_keyfile_gets_the_real_curve_order_and_bls_when_it_asks() -> None:
    out = _run(
        "import origo_node, eth_keyfile.keyfile as k, eth_keyfile, sys;"
        "j = eth_keyfile.create_keyfile_json(b'\\x01' * 32, b'pw', version=4, kdf='pbkdf2', iterations=2);"
        "import py_ecc.bls12_381 as curve, py_ecc.bls as bls;"
        "assert k.MAX_V4_PRIVATE_KEY == curve.curve_order - 1;"
        "assert j['pubkey'] == bls.G2ProofOfPossession.SkToPk(int.from_bytes(b'\\x01' * 32, 'big')).hex();"
        "assert hasattr(sys.modules['py_ecc.bls'], '__path__');"  # the real package, not the stand-in
        "print('ok')"
    )
    assert out.strip() == "ok"

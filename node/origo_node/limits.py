"""Interpreter limits and import costs the node guards against in the packages it imports.

``py_ecc`` (imported by ``eth_keyfile`` through ``eth_account`` and web3) raises the recursion limit to
100,000 for the whole process on import. A recursive decoder then runs until it overflows the C stack and the
process dies with a segfault instead of raising ``RecursionError``: one request of 100,000 nested brackets was
enough. The node imports it here first and puts the limit back; ``api.guard`` bounds nesting depth anyway.

``eth_keyfile`` also imports ``py_ecc.bls`` and ``py_ecc.bls12_381`` at its own import, for BLS12-381
keystores (EIP-2335) that Origo never writes or reads; importing them computes pairing tables, 0.6 s of CPU
on this machine's idle cores and 2.3 s when they are shared (profiled with ``-X importtime``), in every node
process, before a node can do anything. ``defer_bls_for_eth_keyfile`` lets ``eth_keyfile`` import against two
stand-ins instead: the BLS12-381 group order as the integer it is, and a proxy that imports the real
``py_ecc.bls`` the first time anything is asked of it. The stand-ins are in ``sys.modules`` only while
``eth_keyfile.keyfile`` runs; should its imports ever ask for more, it is imported again the ordinary way.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import importlib.machinery
import sys
import types
from collections.abc import Sequence
from typing import Any

#: Python's own default; deep enough for everything the node does.
RECURSION_LIMIT = 1000

_KEYFILE = "eth_keyfile.keyfile"
#: The order of the BLS12-381 groups (``py_ecc.bls12_381.curve_order``), a constant of the curve.
BLS12_381_CURVE_ORDER = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001


def restore_recursion_limit() -> None:
    """Imports the package that raises the limit (so that it cannot do so later), then lowers it again."""
    with contextlib.suppress(ImportError):  # not installed: nothing will raise the limit
        import py_ecc  # noqa: F401
    if sys.getrecursionlimit() > RECURSION_LIMIT:
        sys.setrecursionlimit(RECURSION_LIMIT)


class _DeferredAttribute:
    """Stands for ``module.name`` and imports it when first used (``bls.SkToPk(...)``)."""

    def __init__(self, module: str, name: str) -> None:
        self._module = module
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(getattr(importlib.import_module(self._module), self._name), attribute)

    def __repr__(self) -> str:
        return f"<{self._module}.{self._name}, imported when first used>"


def _stand_ins() -> dict[str, types.ModuleType]:
    bls = types.ModuleType("py_ecc.bls", "stand-in while eth_keyfile imports (origo_node.limits)")
    bls.G2ProofOfPossession = _DeferredAttribute("py_ecc.bls", "G2ProofOfPossession")  # type: ignore[attr-defined]
    curve = types.ModuleType("py_ecc.bls12_381", "stand-in while eth_keyfile imports (origo_node.limits)")
    curve.curve_order = BLS12_381_CURVE_ORDER  # type: ignore[attr-defined]
    return {"py_ecc.bls": bls, "py_ecc.bls12_381": curve}


class _KeyfileLoader(importlib.abc.Loader):
    def __init__(self, inner: importlib.abc.Loader) -> None:
        self._inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType | None:
        return self._inner.create_module(spec)

    def exec_module(self, module: types.ModuleType) -> None:
        stand_ins = {name: m for name, m in _stand_ins().items() if name not in sys.modules}
        sys.modules.update(stand_ins)
        try:
            self._inner.exec_module(module)
        except ImportError:
            if not stand_ins:
                raise
            _remove(stand_ins)
            self._inner.exec_module(module)  # it wants more than the stand-ins give: the real thing
        finally:
            _remove(stand_ins)


def _remove(stand_ins: dict[str, types.ModuleType]) -> None:
    for name, module in stand_ins.items():
        if sys.modules.get(name) is module:
            del sys.modules[name]


class _KeyfileFinder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != _KEYFILE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return None
        spec.loader = _KeyfileLoader(spec.loader)
        return spec


def defer_bls_for_eth_keyfile() -> None:
    """From now on ``eth_keyfile`` imports without computing BLS12-381 tables (see the module's docstring)."""
    if _KEYFILE in sys.modules or any(isinstance(f, _KeyfileFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _KeyfileFinder())

"""The node package stands alone: it imports nothing of the clients nor of the dev harness; and nothing the
shipped `origo` command loads, directly or through another first-party module, imports the dev harness.

Read from the source with ``ast`` (every ``import`` and ``from ... import``, at any depth, including imports
inside functions), so a lazy import cannot hide a dependency that `import origo_node` would not load.
"""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

import origo_cli
import origo_network
import origo_node

FORBIDDEN = ("origo_cli", "origo_sdk", "origo_devnet")
NODE_ROOT = Path(origo_node.__file__).resolve().parent
CLI_ROOT = Path(origo_cli.__file__).resolve().parent
NETWORK_ROOT = Path(origo_network.__file__).resolve().parent
#: The packages this repository ships or runs; an import of anything else is a dependency's business.
FIRST_PARTY = ("origo_cli", "origo_sdk", "origo_node", "origo_network", "origo_api", "origo_devnet")


def imported_modules(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def offending_imports(root: Path, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for name in sorted(imported_modules(path)):
            if name.split(".")[0] in forbidden:
                found.append(f"{path.relative_to(root.parent)} imports {name}")
    return found


def test_the_node_package_imports_nothing_of_the_clients_or_the_dev_harness() -> None:
    assert list(NODE_ROOT.rglob("*.py")), "the node's sources were not found"
    assert offending_imports(NODE_ROOT, FORBIDDEN) == []


def test_the_cli_does_not_need_the_dev_harness() -> None:
    assert offending_imports(CLI_ROOT, ("origo_devnet",)) == []


def reachable_modules(start: str, first_party: tuple[str, ...] = FIRST_PARTY) -> dict[str, str]:
    """Every first-party module that importing ``start`` can load (at any depth, imports inside functions
    included), each with the module that first imports it, so a failure names the chain."""
    found: dict[str, str] = {start: ""}
    queue = [start]
    while queue:
        name = queue.pop()
        path = _source_of(name)
        if path is None:
            continue
        for imported in sorted(_imported_with_submodules(path)):
            for candidate in _with_parents(imported):
                if candidate.split(".")[0] in first_party and candidate not in found:
                    found[candidate] = name
                    queue.append(candidate)
    return found


def _imported_with_submodules(path: Path) -> set[str]:
    """As :func:`imported_modules`, plus ``a.b`` for ``from a import b`` (``b`` may be a module)."""
    names = imported_modules(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.update(f"{node.module}.{alias.name}" for alias in node.names if alias.name != "*")
    return names


def _with_parents(name: str) -> list[str]:
    """Importing ``a.b.c`` runs ``a`` and ``a.b`` first."""
    parts = name.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _source_of(name: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def _chain(found: dict[str, str], name: str) -> str:
    steps = [name]
    while found.get(steps[-1]):
        steps.append(found[steps[-1]])
    return " <- ".join(steps)


def test_the_network_generator_does_not_need_the_dev_harness() -> None:
    assert offending_imports(NETWORK_ROOT, ("origo_devnet",)) == []


def test_nothing_the_origo_command_loads_imports_the_dev_harness() -> None:
    found = reachable_modules("origo_cli.main")
    assert "origo_network.generate" in found, "the walk did not reach `origo network generate`"
    assert "origo_node.runtime" in found, "the walk did not reach the node"
    assert [_chain(found, n) for n in sorted(found) if n.split(".")[0] == "origo_devnet"] == []


def test_the_walk_follows_imports_through_other_modules(tmp_path: Path) -> None:
    import sys

    package = tmp_path / "walkpkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "top.py").write_text("from walkpkg import middle\n")
    (package / "middle.py").write_text("def f():\n    import walkpkg.bottom\n")
    (package / "bottom.py").write_text("import origo_devnet.pg_cluster\n")
    sys.path.insert(0, str(tmp_path))
    try:
        found = reachable_modules("walkpkg.top", ("walkpkg", "origo_devnet"))
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith("walkpkg")]:
            del sys.modules[name]
    assert _chain(found, "origo_devnet.pg_cluster") == (
        "origo_devnet.pg_cluster <- walkpkg.bottom <- walkpkg.middle <- walkpkg.top"
    )


def test_the_walk_sees_imports_inside_functions(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "lazy.py").write_text("def f():\n    from origo_cli.main import main\n    import origo_sdk\n")
    assert offending_imports(package, FORBIDDEN) == [
        "pkg/lazy.py imports origo_cli.main",
        "pkg/lazy.py imports origo_sdk",
    ]


def test_no_module_of_the_node_shadows_the_standard_library() -> None:
    import sys

    shadowing = sorted(
        str(path.relative_to(NODE_ROOT))
        for path in NODE_ROOT.rglob("*.py")
        if path.stem in sys.stdlib_module_names
    )
    assert shadowing == []

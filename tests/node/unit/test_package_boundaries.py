"""The node package stands alone: it imports nothing of the clients nor of the dev harness.

Read from the source with ``ast`` (every ``import`` and ``from ... import``, at any depth, including imports
inside functions), so a lazy import cannot hide a dependency that `import origo_node` would not load.
"""

from __future__ import annotations

import ast
from pathlib import Path

import origo_cli
import origo_node

FORBIDDEN = ("origo_cli", "origo_sdk", "origo_devnet")
NODE_ROOT = Path(origo_node.__file__).resolve().parent
CLI_ROOT = Path(origo_cli.__file__).resolve().parent


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

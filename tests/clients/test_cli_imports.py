"""What the shipped `origo` command imports, directly and indirectly.

The CLI is a client: it reaches the node only through the node's own command group (``origo_node.commands``,
the `origo node ...` commands) and the SDK; nothing it can reach, however lazily, is the dev harness
(``origo_devnet``); and starting it loads neither the chain libraries nor the web server.

The walk reads the sources with ``ast`` (imports at any depth, inside functions too) and follows every
first-party module it finds, so an import three modules away counts like one in ``main.py``.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import origo_cli

CLI_ROOT = Path(origo_cli.__file__).resolve().parent
FIRST_PARTY = ("origo_cli", "origo_sdk", "origo_api", "origo_node", "origo_network", "origo_devnet")
#: What of the node the CLI may name itself: the node's command group.
NODE_ENTRY = "origo_node.commands"
#: Imports of the dev harness by the network generator, which the CLI reaches through `origo network`; each
#: is to go (issue 23: what both need moves to a small shared module). The test fails once one is gone, so
#: that it is struck from this list and never comes back.
KNOWN_DEVNET_EDGES: set[tuple[str, str]] = set()


def imported_names(path: Path) -> set[str]:
    """Every module a file imports, with ``from x import y`` also as ``x.y`` (y may be a submodule)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def source_of(module: str) -> Path | None:
    try:
        spec = importlib.util.find_spec(module)
    except (ModuleNotFoundError, ValueError):  # ``x.y`` where y is a name in module x, not a module
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin)


def import_graph(start: str) -> dict[str, set[str]]:
    """The first-party modules reachable from ``start``, each with the first-party modules it imports."""
    graph: dict[str, set[str]] = {}
    todo = [start]
    while todo:
        module = todo.pop()
        if module in graph:
            continue
        path = source_of(module)
        graph[module] = set()
        if path is None:
            continue
        for name in imported_names(path):
            if name.split(".")[0] in FIRST_PARTY and source_of(name) is not None:
                graph[module].add(name)
                todo.append(name)
    return graph


def node_imports_of_the_cli(root: Path = CLI_ROOT) -> list[str]:
    """Imports of the node by the CLI's own modules other than its command group."""
    found = []
    for path in sorted(root.rglob("*.py")):
        for name in sorted(imported_names(path)):
            if name.split(".")[0] != "origo_node" or name == NODE_ENTRY or source_of(name) is None:
                continue
            if name != "origo_node" or not _only_the_entry(path):
                found.append(f"{path.relative_to(root.parent)} imports {name}")
    return found


def _only_the_entry(path: Path) -> bool:
    """``from origo_node import commands``: the package is named only to take the command group from it."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module == "origo_node":
            if any(alias.name != "commands" for alias in node.names):
                return False
        elif isinstance(node, ast.Import) and any(alias.name == "origo_node" for alias in node.names):
            return False
    return True


def devnet_edges(graph: dict[str, set[str]]) -> set[tuple[str, str]]:
    return {
        (module, name)
        for module, names in graph.items()
        if not module.startswith("origo_devnet")
        for name in names
        if name.split(".")[0] == "origo_devnet"
    }


def test_the_cli_names_nothing_of_the_node_but_its_command_group() -> None:
    assert node_imports_of_the_cli() == []


def test_nothing_the_origo_command_can_reach_is_the_dev_harness() -> None:
    graph = import_graph("origo_cli.main")
    assert NODE_ENTRY in graph and "origo_sdk" in graph  # the walk does reach through both
    assert "origo_node.operations.backup" in graph  # and on through the node's command group
    edges = devnet_edges(graph)
    assert edges - KNOWN_DEVNET_EDGES == set(), "new imports of the dev harness"
    assert KNOWN_DEVNET_EDGES - edges == set(), "gone: strike them from KNOWN_DEVNET_EDGES"


def test_starting_the_origo_command_loads_no_chain_library_no_server_and_no_dev_harness() -> None:
    script = "import json, sys, origo_cli.main; print(json.dumps(sorted(sys.modules)))"
    loaded = json.loads(
        subprocess.run([sys.executable, "-c", script], capture_output=True, check=True).stdout
    )
    heavy = (
        "web3",
        "eth_account",
        "eth_abi",
        "eth_keys",
        "fastapi",
        "uvicorn",
        "origo_devnet",
        "origo_network",
    )
    assert [m for m in loaded if m.split(".")[0] in heavy] == []
    assert {m for m in loaded if m.split(".")[0] == "origo_node"} <= {
        "origo_node",
        "origo_node.limits",
        NODE_ENTRY,
    }


def test_the_walk_follows_lazy_imports_across_modules(tmp_path: Path) -> None:
    package = tmp_path / "cli"
    package.mkdir()
    (package / "leaky.py").write_text(
        "from origo_node import commands\ndef f():\n    from origo_node.operations.backup import backup\n"
    )
    assert node_imports_of_the_cli(package) == ["cli/leaky.py imports origo_node.operations.backup"]
    assert devnet_edges(
        {"origo_network.x": {"origo_devnet.anvil"}, "origo_devnet.a": {"origo_devnet.b"}}
    ) == {("origo_network.x", "origo_devnet.anvil")}

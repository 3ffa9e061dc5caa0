"""The layers hold: web3 stays behind the chain port, SQL behind the store's repositories, the test double
out of the node, and the Ethereum libraries (eth_account, eth_abi, eth_utils, eth_keys) where keys, signing
and the chain's encodings live: under ``chain/`` and ``crypto/``. Everything above reads addresses through
``chain.addresses`` and signs through ``crypto``, so a service never needs one of these libraries.

Read from the source with ``ast`` (imports at any depth, inside functions too; every string literal).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import origo_node

NODE_ROOT = Path(origo_node.__file__).resolve().parent


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules_outside(folder: str) -> list[Path]:
    inside = NODE_ROOT / folder
    return [p for p in sorted(NODE_ROOT.rglob("*.py")) if inside not in p.parents]


def test_web3_is_imported_only_under_chain() -> None:
    offenders = [
        f"{path.relative_to(NODE_ROOT)} imports {name}"
        for path in modules_outside("chain")
        for name in sorted(imports_of(path))
        if name == "web3" or name.startswith("web3.")
    ]
    assert offenders == []


#: The Ethereum libraries below web3, and the only packages of the node that may import them.
ETHEREUM_LIBRARIES = ("eth_account", "eth_abi", "eth_utils", "eth_keys")
ETHEREUM_HOMES = ("chain", "crypto")


def ethereum_imports(root: Path = NODE_ROOT) -> list[str]:
    homes = [root / home for home in ETHEREUM_HOMES]
    return [
        f"{path.relative_to(root)} imports {name}"
        for path in sorted(root.rglob("*.py"))
        if not any(home in path.parents for home in homes)
        for name in sorted(imports_of(path))
        if name.split(".")[0] in ETHEREUM_LIBRARIES
    ]


def test_the_ethereum_libraries_are_imported_only_under_chain_and_crypto() -> None:
    assert ethereum_imports() == []


def test_the_ethereum_check_sees_every_library_outside_its_homes(tmp_path: Path) -> None:
    for folder in ("services", "chain", "crypto"):
        (tmp_path / folder).mkdir()
    (tmp_path / "services" / "leaky.py").write_text(
        "from eth_utils.address import is_address\nimport eth_keys\n"
        "def f():\n    from eth_account import Account\n    from eth_abi.abi import encode\n"
    )
    (tmp_path / "chain" / "fine.py").write_text("from eth_abi.abi import decode\n")
    (tmp_path / "crypto" / "fine.py").write_text("from eth_account import Account\n")
    found = ethereum_imports(tmp_path)
    assert {line.split(" imports ")[1].split(".")[0] for line in found} == set(ETHEREUM_LIBRARIES)
    assert all(line.startswith("services/leaky.py") for line in found)


#: The packages below the wiring: none of them imports what wires the node, serves it or runs it.
LOWER_PACKAGES = (
    "anchoring",
    "chain",
    "crypto",
    "documents",
    "indexer",
    "notify",
    "operations",
    "payload",
    "services",
    "store",
)
WIRING = (
    "origo_node.runtime",
    "origo_node.serving",
    "origo_node.operator_tasks",
    "origo_node.commands",
    "origo_node.api",
    "origo_node.web",
)
#: Upward imports still to go, each owned by a change under way (issue 23); struck once gone.
KNOWN_UPWARD: set[str] = set()


def _names(name: str, modules: tuple[str, ...]) -> bool:
    return any(name == m or name.startswith(m + ".") for m in modules)


def upward_imports(root: Path = NODE_ROOT) -> set[str]:
    found = set()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        top = rel.parts[0] if len(rel.parts) > 1 else rel.stem
        for name in sorted(imports_of(path)):
            module = ".".join(name.split(".")[:2])
            if top in LOWER_PACKAGES and _names(name, WIRING):
                found.add(f"{rel} imports {module}")
            elif top not in ("api", "web", "serving") and _names(name, ("origo_node.api", "origo_node.web")):
                found.add(f"{rel} imports {module}")  # only the HTTP layer and its server know the routes
            elif top == "operator_tasks" and _names(name, ("origo_node.serving", "origo_node.runtime")):
                found.add(f"{rel} imports {module}")  # the operator's tasks do not start the node
    return found


def test_no_import_points_up_the_layers() -> None:
    found = upward_imports()
    assert found - KNOWN_UPWARD == set()
    assert KNOWN_UPWARD - found == set(), "gone: strike it from KNOWN_UPWARD"


def test_the_upward_check_sees_each_rule_broken(tmp_path: Path) -> None:
    for folder in ("operations", "services"):
        (tmp_path / folder).mkdir()
    (tmp_path / "operations" / "metrics.py").write_text("from origo_node.runtime import Node\n")
    (tmp_path / "services" / "x.py").write_text(
        "def f():\n    from origo_node.api.guard import replay_body\n"
    )
    (tmp_path / "idempotency.py").write_text("from origo_node.api.guard import replay_body\n")
    (tmp_path / "operator_tasks.py").write_text("def f():\n    from origo_node.serving import serve\n")
    (tmp_path / "serving.py").write_text("from origo_node.api.app import create_app\n")  # its job
    assert upward_imports(tmp_path) == {
        "operations/metrics.py imports origo_node.runtime",
        "services/x.py imports origo_node.api",
        "idempotency.py imports origo_node.api",
        "operator_tasks.py imports origo_node.serving",
    }


def test_the_fake_chain_is_not_used_by_the_node() -> None:
    offenders = [
        f"{path.relative_to(NODE_ROOT)} imports {name}"
        for path in modules_outside("chain")
        for name in sorted(imports_of(path))
        if name.startswith(("origo_node.chain.fake", "origo_node.chain.fake_contracts"))
    ]
    assert offenders == []


_SQL = re.compile(
    r"\b(SELECT\s.+\sFROM|INSERT\s+(OR\s+\w+\s+)?INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(TABLE|INDEX)|DROP\s+TABLE|PRAGMA)\b",
    re.S,
)


def sql_literals(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        node.value[:60]
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and _SQL.search(node.value)
    ]


def test_sql_appears_only_under_store() -> None:
    offenders = [
        f"{path.relative_to(NODE_ROOT)}: {text!r}"
        for path in modules_outside("store")
        for text in sql_literals(path)
    ]
    offenders += [
        f"{path.relative_to(NODE_ROOT)} imports {name}"
        for path in modules_outside("store")
        for name in sorted(imports_of(path))
        if name == "sqlite3" or name.startswith("sqlite3.")
    ]
    assert offenders == []


def test_the_sql_check_sees_statements(tmp_path: Path) -> None:
    module = tmp_path / "leaky.py"
    module.write_text(
        'Q = "SELECT document_id FROM outbox WHERE x = ?"\n'
        'def f(c):\n    c.execute("UPDATE batches SET state = ?", (1,))\n'
        'NOT_SQL = "Select a member, then update the list"\n'
    )
    assert len(sql_literals(module)) == 2
    assert sql_literals(NODE_ROOT / "store" / "outbox.py") != []  # the check finds the store's own SQL


def test_the_walk_finds_imports_in_functions(tmp_path: Path) -> None:
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    from web3 import Web3\n    import web3.exceptions\n")
    assert {"web3", "web3.Web3", "web3.exceptions"} <= imports_of(module)


#: What a service object is called: the HTTP layer is handed these by ``runtime.Node``, never builds one.
_SERVICE_SUFFIXES = ("Service", "Desk", "Checker", "Reader", "Resolver", "Pool")


def services_built_by_routes(root: Path = NODE_ROOT) -> set[str]:
    """``api/`` and ``web/`` modules that construct a service (a class of ``origo_node.services`` named like
    one): every service is wired once in ``runtime.Node``, and the routes only parse, authorise, call and
    translate."""
    found = set()
    for folder in ("api", "web"):
        for path in sorted((root / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            imported: set[str] = set()
            modules: set[str] = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("origo_node.services"):
                    for alias in node.names:
                        (modules if alias.name.islower() else imported).add(alias.asname or alias.name)
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                func = node.func
                name = None
                if isinstance(func, ast.Name) and func.id in imported:
                    name = func.id
                elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    name = func.attr if func.value.id in modules else None
                if name and name.endswith(_SERVICE_SUFFIXES):
                    found.add(f"{path.relative_to(root)} builds {name}")
    return found


def test_routes_build_no_service() -> None:
    assert services_built_by_routes() == set()


def test_the_wiring_check_sees_a_route_that_builds_a_service(tmp_path: Path) -> None:
    (tmp_path / "api").mkdir()
    (tmp_path / "web").mkdir()
    (tmp_path / "api" / "routes_x.py").write_text(
        "from origo_node.services.bulk_check import DeskService\n"
        "from origo_node.services import risk\n"
        "def check(node):\n"
        "    return DeskService(node.outbox, node.index, node.issuing).check([])\n"
        "def rank(node):\n"
        "    return risk.RiskService(node.index)\n"
    )
    (tmp_path / "web" / "page.py").write_text(
        "from origo_node.services.officer_desk import OfficerDesk\n"
        "def f(desk: OfficerDesk) -> OfficerDesk:\n"
        "    return desk\n"  # naming the type is fine
    )
    assert services_built_by_routes(tmp_path) == {
        "api/routes_x.py builds DeskService",
        "api/routes_x.py builds RiskService",
    }

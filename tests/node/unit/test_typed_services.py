"""The services answer and take typed values: no public function or method of ``origo_node.services`` has
``Any`` in its signature (``dict[str, Any]`` and the like), so strict mypy follows every answer from the
service that makes it to the route. A document's body is ``documents.json_value.JsonObject``; input from
outside that a service checks itself is ``object``.

Read from the source with ``ast``; private names (``_x``) and nested functions are left to the module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import origo_node

SERVICES = Path(origo_node.__file__).resolve().parent / "services"


def _mentions_any(annotation: ast.expr | None) -> bool:
    if annotation is None:
        return False
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name) and node.id == "Any":
            return True
        if isinstance(node, ast.Attribute) and node.attr == "Any":
            return True
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and "Any" in node.value:
            return True
    return False


def _signature_annotations(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.expr | None]:
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    every += [a for a in (arguments.vararg, arguments.kwarg) if a is not None]
    return [argument.annotation for argument in every] + [function.returns]


def _public_functions(tree: ast.Module) -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found: list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not node.name.startswith("_"):
            found.append((node.name, node))
        elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
            for member in node.body:
                public = not member.name.startswith("_") if hasattr(member, "name") else False
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef) and public:
                    found.append((f"{node.name}.{member.name}", member))
    return found


def untyped_signatures(root: Path = SERVICES) -> set[str]:
    """``module: function`` for each public service function whose signature mentions ``Any``; a public
    class's public attributes are held to it too (a frozen answer's fields are its signature)."""
    found = set()
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        where = path.relative_to(root).as_posix()
        for name, function in _public_functions(tree):
            if any(_mentions_any(a) for a in _signature_annotations(function)):
                found.add(f"{where}: {name}")
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                for member in node.body:
                    if (
                        isinstance(member, ast.AnnAssign)
                        and isinstance(member.target, ast.Name)
                        and not member.target.id.startswith("_")
                        and _mentions_any(member.annotation)
                    ):
                        found.add(f"{where}: {node.name}.{member.target.id}")
    return found


def test_no_public_service_signature_mentions_any() -> None:
    assert untyped_signatures() == set()


def test_the_check_sees_each_way_of_writing_any(tmp_path: Path) -> None:
    (tmp_path / "risk").mkdir()
    (tmp_path / "status.py").write_text(
        "from typing import Any\n"
        "import typing\n"
        "def status(key: str) -> dict[str, Any]: ...\n"
        "def trail(key: 'dict[str, Any]') -> None: ...\n"
        "def _private(x: Any) -> Any: ...\n"  # left to the module
        "class StatusService:\n"
        "    def worklist(self, *filters: typing.Any) -> list[str]: ...\n"
        "    def _rows(self) -> Any: ...\n"
        "class Answer:\n"
        "    fields: dict[str, Any]\n"
        "    typed: dict[str, str]\n"
    )
    (tmp_path / "risk" / "views.py").write_text("def view_of(doc: 'Any') -> None: ...\n")
    assert untyped_signatures(tmp_path) == {
        "status.py: status",
        "status.py: trail",
        "status.py: StatusService.worklist",
        "status.py: Answer.fields",
        "risk/views.py: view_of",
    }

"""A node's settings file (``node.toml``): written flat, updated in place. Secrets never go here."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any


def write_config(path: Path, values: dict[str, Any]) -> None:
    """Writes a flat TOML file (strings, numbers, booleans, lists of strings); secrets never go here."""
    lines = ["# Origo node settings; ORIGO_* environment variables override them.\n"]
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            rendered = "true" if value else "false"
        elif isinstance(value, int | float):
            rendered = str(value)
        elif isinstance(value, list):
            rendered = "[" + ", ".join(json.dumps(str(v)) for v in value) + "]"
        else:
            rendered = json.dumps(str(value))
        lines.append(f"{key} = {rendered}\n")
    path.write_text("".join(lines), encoding="utf-8")


def update_config(path: Path, **values: Any) -> None:
    current = tomllib.loads(path.read_text(encoding="utf-8"))
    current.update(values)
    write_config(path, current)

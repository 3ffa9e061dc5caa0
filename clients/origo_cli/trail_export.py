"""An auditor's trail export as the checker reads it, and the answer of each check."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from origo_sdk import TrailExport
from pydantic import ValidationError

from origo_cli.trail_leaf import ExportUnreadable

EXPORT_FORMAT = "origo-trail/1"


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool | None  # None: informational, or could not be decided
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"check": self.name, "ok": self.ok, "detail": self.detail}


def parse_export(data: Any) -> TrailExport:
    if not isinstance(data, dict):
        raise ExportUnreadable("an export is a JSON object")
    if data.get("format") != EXPORT_FORMAT:
        raise ExportUnreadable(f"format is {data.get('format')!r}; expected {EXPORT_FORMAT!r}")
    try:
        return TrailExport.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = "/".join(str(p) for p in first["loc"])
        raise ExportUnreadable(f"{where}: {first['msg']}") from exc


def holds(checks: list[Check]) -> bool:
    return all(check.ok is not False for check in checks) and any(check.ok for check in checks)

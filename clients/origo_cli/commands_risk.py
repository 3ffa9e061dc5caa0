"""`origo declaration file` (the export declaration) and `origo desk ...`: the importing officer's ranked work
list, one document's risk signals with a sentence each, and the rules as this member applies them."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

import typer
from rich.table import Table

from origo_cli._context import UserError, client, console, options, print_json, read_json_file
from origo_cli.commands_cert import Grant, issue_one

DECLARATION_TYPE = "asean-acdd"
_LEVEL_COLOURS = {"high": "red", "medium": "yellow", "low": "cyan", "none": "green"}

declaration_app = typer.Typer(
    help="Export declarations (ACDD): file one with this node's member for the importing member.",
    no_args_is_help=True,
)
desk_app = typer.Typer(
    help="The importing officer's desk: the work list ranked by risk, and each document's signals.",
    no_args_is_help=True,
)


@declaration_app.command("file")
def file_declaration(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(metavar="FILE", help="The declaration's JSON file (ACDD shape).")],
    grant: Grant = None,
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="Wait up to this many seconds until anchored.")
    ] = 0,
) -> None:
    """File an export declaration: anchored, encrypted for the importing member, and linked there."""
    _, parsed = read_json_file(path)
    if isinstance(parsed, dict) and parsed.get("type") not in (None, DECLARATION_TYPE):
        raise UserError(
            f"{path} is a {parsed.get('type')}, not an export declaration; use `origo cert issue`"
        )
    issue_one(ctx, path, grant, wait)


class Kind(StrEnum):
    certificate = "certificate"
    manifest = "manifest"
    declaration = "declaration"


def _level(document: dict[str, Any]) -> str:
    level = str(document.get("level") or "none")
    return f"[{_LEVEL_COLOURS.get(level, 'white')}]{level}[/]"


def _score(document: dict[str, Any]) -> str:
    return f"{float(document.get('score') or 0):g}"


@desk_app.command("list")
def work_list(
    ctx: typer.Context,
    kind: Annotated[
        Kind | None, typer.Option("--kind", help="Only certificates, manifests or declarations.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="How many to show.")] = 20,
) -> None:
    """What arrived for this member, highest risk first, with the signals behind each score."""
    answer = client(ctx).request(
        "GET", "/api/v1/risk/work-list", params={"limit": limit, "kind": kind.value if kind else None}
    )
    if options(ctx).json:
        print_json(answer)
        return
    documents: list[dict[str, Any]] = answer.get("documents") or []
    out = console()
    if not documents:
        out.print("nothing has arrived for this member")
        return
    table = Table(
        title=f"Work list at {answer.get('member')}: {len(documents)} document(s), highest risk first",
        title_justify="left",
        show_lines=True,
    )
    for column in ("score", "level", "document", "from", "state", "signals"):
        table.add_column(column, overflow="fold", justify="right" if column == "score" else "left")
    for document in documents:
        table.add_row(
            _score(document),
            _level(document),
            _name(document),
            str(document.get("issuer") or ""),
            str(document.get("state") or "").replace("_", " "),
            _sentences(document),
        )
    out.print(table)
    out.print("details: origo desk signals ISSUER:REFERENCE")


def _name(document: dict[str, Any]) -> str:
    kind = document.get("kind") or document.get("type") or ""
    return f"{kind} {document.get('reference') or document['document_id']}"


def _sentences(document: dict[str, Any]) -> str:
    signals: list[dict[str, Any]] = document.get("signals") or []
    if not signals:
        return str(document.get("note") or "-")
    return "\n".join(f"[{s['weight']:g}] {s['sentence']}" for s in signals)


@desk_app.command("signals")
def signals(
    ctx: typer.Context,
    key: Annotated[
        str, typer.Argument(metavar="KEY", help="The document: id, ISSUER:REFERENCE or reference.")
    ],
) -> None:
    """One document's risk signals, a sentence each, and the documents linked to it."""
    if not key.strip():
        raise UserError("KEY must not be empty: give an id, ISSUER:REFERENCE or a reference")
    answer = client(ctx).request("GET", f"/api/v1/documents/{quote(key.strip(), safe=':')}/risk")
    if options(ctx).json:
        print_json(answer)
        return
    out = console()
    name = answer.get("reference") or answer["document_id"]
    out.print(
        f"{answer.get('kind') or answer.get('type')} {answer['issuer']}:{name}: score {_score(answer)}"
        f" ({_level(answer)}), {str(answer.get('state')).replace('_', ' ')}"
    )
    found: list[dict[str, Any]] = answer.get("signals") or []
    if not found:
        out.print(answer.get("note") or "no signals: nothing in what this member can read calls for a look")
    for signal in found:
        out.print(f"  [{signal['weight']:g}] {signal['family']}/{signal['rule']}: {signal['sentence']}")
    links: list[dict[str, Any]] = answer.get("links") or []
    if links:
        out.print("linked:")
    for link in links:
        out.print(f"  {link['kind']} {link['reference']} (by {', '.join(link['by'])})")


@desk_app.command("rules")
def rules(ctx: typer.Context) -> None:
    """The risk rules as this member applies them: on or off, weights and thresholds (node.toml [risk])."""
    answer = client(ctx).request("GET", "/api/v1/risk/rules")
    if options(ctx).json:
        print_json(answer)
        return
    table = Table(title=f"Risk rules at {answer.get('member')}", title_justify="left")
    for column in ("rule", "family", "on", "weight", "looks for"):
        table.add_column(column, overflow="fold")
    for rule in answer.get("rules") or []:
        weight = f"{rule['weight']:g}" + ("" if rule["weight"] == rule["default_weight"] else " (set)")
        table.add_row(
            rule["rule"], rule["family"], "yes" if rule["enabled"] else "no", weight, rule["looks_for"]
        )
    out = console()
    out.print(table)
    out.print("thresholds: " + ", ".join(f"{k} = {v}" for k, v in (answer.get("thresholds") or {}).items()))

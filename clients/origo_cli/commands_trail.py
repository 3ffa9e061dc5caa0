"""`origo trail ...`: the auditor's view of a document's life, and proof of it from the chain alone."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from typer.core import TyperGroup

from origo_cli import render
from origo_cli._context import (
    UserError,
    client,
    console,
    done,
    options,
    print_json,
    read_json_file,
    write_file,
)
from origo_cli.exit_codes import ExitCode


class _ShowByDefault(TyperGroup):
    """`origo trail KEY` means `origo trail show KEY`; `origo trail verify FILE` stays a subcommand."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["show", *args]
        return super().parse_args(ctx, args)


trail_app = typer.Typer(
    cls=_ShowByDefault,
    help="Auditors: a document's trail (who did what, when, in which block and transaction), its export, "
    "and a re-check of an export against the chain alone. `origo trail KEY` shows the trail.",
    no_args_is_help=True,
)


class Format(StrEnum):
    table = "table"
    csv = "csv"
    markdown = "markdown"


@trail_app.command("show")
def show(
    ctx: typer.Context,
    key: Annotated[
        str, typer.Argument(metavar="KEY", help="The document: id, ISSUER:REFERENCE or reference.")
    ],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="How to show the trail.")] = Format.table,
    export: Annotated[
        Path | None,
        typer.Option(
            "--export", help="Also write the auditor's export (to re-check with `trail verify`) here."
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the view here, not stdout.")
    ] = None,
) -> None:
    """Show a document's trail as a table, CSV or Markdown; --export writes the re-checkable export."""
    origo = client(ctx)
    trail = origo.trail(key)
    if export is not None:
        exported = origo.export(f"{trail.status.issuer}:{trail.document_id}")  # named: never another's leaf
        data = exported.model_dump(mode="json", by_alias=True, exclude_unset=True)
        write_file(export, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        console(stderr=True).print(f"exported the trail of {trail.document_id} to {export}")
    if options(ctx).json:
        print_json(trail)
        return
    if fmt is Format.table:
        if output is not None:
            raise UserError("--output goes with --format csv or markdown")
        out = console()
        out.print(render.trail_table(trail.document_id, trail.status, trail.events))
        payload = render.payload_line(trail.payload_check)
        if payload is not None:
            out.print(payload)
        return
    if fmt is Format.csv:
        text = render.trail_csv(trail.events, trail.status)
    else:
        text = render.trail_markdown(trail.document_id, trail.status, trail.events)
    if output is None:
        typer.echo(text, nl=False)
    else:
        write_file(output, text)
        console(stderr=True).print(
            f"wrote the trail of {trail.document_id} ({fmt.value}, {len(trail.events)} events) to {output}",
            markup=False,
        )


@trail_app.command("verify")
def verify_export(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="An export written by `origo trail KEY --export`.")
    ],
    rpc: Annotated[str, typer.Option("--rpc", envvar="ORIGO_RPC", help="A JSON-RPC endpoint of the chain.")],
    registry: Annotated[
        str | None,
        typer.Option("--registry", help="The registry address you know (pins it; else the export's)."),
    ] = None,
    membership: Annotated[
        str | None, typer.Option("--membership", help="The membership contract address you know.")
    ] = None,
) -> None:
    """Re-check an export against the chain alone: proof, anchor, signature, issuer, and every event.

    Needs no node: only the chain's JSON-RPC. Exit 0 when everything holds, 8 when something does not,
    4 when the RPC endpoint does not answer.
    """
    from origo_cli.trail_check import check_export
    from origo_cli.trail_export import holds, parse_export
    from origo_cli.trail_leaf import ExportUnreadable
    from origo_cli.trail_rpc import RpcUnavailable

    _, data = read_json_file(file)
    for name, address in (("--registry", registry), ("--membership", membership)):
        if address is not None and not _is_address(address):
            raise UserError(f"{name} must be an address (0x + 40 hex digits)")
    try:
        export = parse_export(data)
        checks = check_export(export, rpc, registry=registry, membership=membership)
    except ExportUnreadable as exc:
        raise UserError(f"{file} is not an Origo trail export: {exc}") from exc
    except RpcUnavailable as exc:
        raise UserError(str(exc), ExitCode.NODE) from exc
    good = holds(checks)
    if options(ctx).json:
        print_json(
            {"document_id": export.document_id, "holds": good, "checks": [c.as_dict() for c in checks]}
        )
    else:
        _print_checks(export.document_id, checks, good)
    done(ExitCode.OK if good else ExitCode.TRAIL_BROKEN)


def _is_address(text: str) -> bool:
    return len(text) == 42 and text.startswith("0x") and all(c in "0123456789abcdefABCDEF" for c in text[2:])


def _print_checks(document_id: str, checks: list[Any], good: bool) -> None:
    table = Table(title=f"Trail export of {document_id}", title_justify="left")
    table.add_column("", no_wrap=True)
    table.add_column("check", no_wrap=True)
    table.add_column("what the chain says", overflow="fold")
    for check in checks:
        mark = {True: "[green]✓[/green]", False: "[red]✗[/red]", None: "[dim]·[/dim]"}[check.ok]
        table.add_row(mark, check.name, check.detail)
    out = console()
    out.print(table)
    if good:
        out.print("[bold green]The export holds against the chain.[/bold green]")
    else:
        out.print("[bold red]The export does NOT hold against the chain.[/bold red]")

"""An officer's day at the desk: `origo cert list` (the work list) and `origo cert form-d` (the PDF)."""

from __future__ import annotations

from enum import StrEnum
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any

import typer
from origo_api.states import AWAITING_CLAIM, FILTER_WORDS, filter_state, title
from rich.table import Table

from origo_cli._context import UserError, client, console, options, print_json, wrote
from origo_cli.commands_cert import Key
from origo_cli.render import PAYLOAD_BAD, PAYLOAD_WORDS, amount


def version_callback(value: bool | None) -> None:
    """`origo --version`: the installed package's version (the CLI, SDK and node ship together)."""
    if value:
        try:
            installed = metadata.version("origo")
        except metadata.PackageNotFoundError:
            installed = "unknown (not installed as a package)"
        typer.echo(f"origo {installed}")
        raise typer.Exit(0)


class Role(StrEnum):
    importer = "importer"
    issuer = "issuer"


#: The words a work list can filter on, as the verdicts say them (internal names are taken too).
STATES = tuple(FILTER_WORDS)


def work_list(
    ctx: typer.Context,
    role: Annotated[
        Role, typer.Option("--role", help="importer: certificates for this member; issuer: those it issued.")
    ] = Role.importer,
    state: Annotated[
        str | None,
        typer.Option(
            "--state",
            help="Only these: "
            + ", ".join(STATES)
            + " (awaiting-claim: certificates valid or partly claimed, no manifests; pending and refused:"
            " --role issuer).",
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500, help="How many to show.")] = 50,
    offset: Annotated[
        int, typer.Option("--offset", min=0, help="Where to continue (from the last page).")
    ] = 0,
) -> None:
    """The work list: this member's documents by role and state, newest first (e.g. what awaits a claim)."""
    wanted = None if state is None else filter_state(state)
    if state is not None and wanted is None:
        raise UserError(f"--state takes one of {', '.join(STATES)}; got {state!r}")
    answer = client(ctx).request(
        "GET",
        "/api/v1/documents",
        params={"role": role.value, "state": wanted, "limit": limit, "offset": offset},
    )
    if options(ctx).json:
        print_json(answer)
        return
    documents: list[dict[str, Any]] = answer.get("documents") or []
    out = console()
    what = _listed(wanted)
    side = "for this member" if role is Role.importer else "issued by this member"
    if not documents:
        out.print(f"no {what.replace('(s)', 's')} {side}")
        return
    table = Table(title=f"{len(documents)} {what} {side}", title_justify="left")
    for column in ("reference", "type", "from" if role is Role.importer else "to", "state", "left", "issued"):
        table.add_column(column, overflow="fold")
    for doc in documents:
        # What remains on each item with a quantity, in its unit: "9,000.000 PR (item 1); 8.500 PCE (item 2)".
        left = "; ".join(
            f"{amount(item.get('remaining'), item.get('unit'))} (item {item.get('item')})"
            for item in doc.get("items") or []
            if item.get("total") is not None
        )
        table.add_row(
            doc.get("reference") or doc["document_id"],
            doc.get("type") or "",
            doc["issuer"] if role is Role.importer else doc["importer"],
            state_cell(doc),
            left or "-",
            str(doc.get("issued_at") or "")[:10],
        )
    out.print(table)
    if answer.get("next_offset") is not None:
        out.print(f"more: origo cert list --role {role.value} --offset {answer['next_offset']}")


def _listed(state: str | None) -> str:
    """'certificate(s) awaiting a claim', 'not confirmed document(s)', 'document(s)'."""
    if state == AWAITING_CLAIM:
        return "certificate(s) awaiting a claim"
    word = next((w for w, named in FILTER_WORDS.items() if named == state), None)
    return f"{word.replace('-', ' ')} document(s)" if word else "document(s)"


def state_cell(doc: dict[str, Any]) -> str:
    """The state as the verdicts say it, and what this member found in the payload where it makes the document
    unfit."""
    state = title(str(doc["state"])).lower()
    check = doc.get("payload_check") or {}
    if check.get("state") in PAYLOAD_BAD:
        return f"{state} [red]({PAYLOAD_WORDS[check['state']]})[/red]"
    return state


def form_d(
    ctx: typer.Context,
    key: Key,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Where to write the PDF (default: REFERENCE.pdf).")
    ] = None,
) -> None:
    """The ATIGA Form D as a PDF with its content (officers and auditors of a member concerned)."""
    origo = client(ctx)
    reference = str(origo.form_d(key)["reference"])
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in reference) or "form-d"
    target = output or Path(f"{safe}.pdf")
    pdf = origo.form_d_pdf(key)
    try:
        target.write_bytes(pdf)
    except OSError as exc:
        raise UserError(f"cannot write {target}: {exc.strerror or exc}") from exc
    wrote(ctx, target, f"the Form D of {reference} (PDF)")


def reason_codes(ctx: typer.Context) -> None:
    """The agreed reason codes for `cert revoke --reason-code` and `cert reject --reason-code`."""
    answer = client(ctx).request("GET", "/api/v1/reason-codes")
    if options(ctx).json:
        print_json(answer)
        return
    out = console()
    for name, use in (("revocation", "cert revoke"), ("rejection", "cert reject")):
        table = Table(
            title=f"{name.capitalize()} reasons (origo {use} --reason-code N)", title_justify="left"
        )
        table.add_column("code", justify="right")
        table.add_column("reason")
        for item in answer.get(name, []):
            table.add_row(str(item["code"]), item["label"])
        out.print(table)

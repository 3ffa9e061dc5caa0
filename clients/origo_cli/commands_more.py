"""`origo manifest ...`, `origo members` and `origo consortium ...`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from origo_sdk import NewMember, Proposal
from rich.table import Table

from origo_cli import render
from origo_cli._context import UserError, client, console, options, print_json, read_json_file
from origo_cli.commands_cert import Grant, issue_one

# ------------------------------------------------------------------------------------------------- manifests

manifest_app = typer.Typer(
    help="Cargo manifests: file one, and see the certificates linked to it.", no_args_is_help=True
)


@manifest_app.command("file")
def file_manifest(
    ctx: typer.Context,
    path: Annotated[
        Path, typer.Argument(metavar="FILE", help="The manifest's JSON file (FAL Form 2 shape).")
    ],
    grant: Grant = None,
    wait: Annotated[
        float, typer.Option("--wait", min=0, help="Wait up to this many seconds until anchored.")
    ] = 0,
) -> None:
    """File a cargo manifest with this node's member."""
    _, parsed = read_json_file(path)
    if isinstance(parsed, dict) and parsed.get("type") not in (None, "fal-cargo-manifest"):
        raise UserError(f"{path} is a {parsed.get('type')}, not a cargo manifest; use `origo cert issue`")
    issue_one(ctx, path, grant, wait)


@manifest_app.command("links")
def links(
    ctx: typer.Context,
    key: Annotated[
        str, typer.Argument(metavar="KEY", help="The manifest: id, ISSUER:REFERENCE or reference.")
    ],
) -> None:
    """The manifest's consignments and the certificates linked to each, with any mismatch flagged."""
    answer = client(ctx).links(key)
    if options(ctx).json:
        print_json(answer)
        return
    table = Table(
        title=f"Manifest {answer.reference or answer.manifest_id}: {answer.flagged} flagged",
        title_justify="left",
    )
    for column in ("consignment", "vessel", "certificate", "issuer", "state", "consistent", "discrepancies"):
        table.add_column(column, overflow="fold")
    for consignment in answer.consignments:
        docs = ", ".join(consignment.transport_documents) or "-"
        if not consignment.certificates:
            table.add_row(docs, consignment.vessel or "-", "-", "-", "-", "-", "")
        for cert in consignment.certificates:
            table.add_row(
                docs,
                consignment.vessel or "-",
                cert.reference or render.short(cert.document_id),
                cert.issuer or "-",
                _state(cert.state),
                "[green]yes[/green]" if cert.consistent else "[red]no[/red]",
                _discrepancies(cert.discrepancies),
            )
    for cert in answer.same_voyage_unmatched:
        table.add_row(
            "[red](none matches)[/red]",
            "-",
            cert.reference or render.short(cert.document_id),
            cert.issuer or "-",
            _state(cert.state),
            "[red]no[/red]",
            _discrepancies(cert.discrepancies),
        )
    console().print(table)


def _state(state: str | None) -> str:
    """The certificate's state in words, coloured as the status card colours it."""
    if state is None:
        return "-"
    return f"[{render.verdict_style(state)}]{render.VERDICT_TITLES.get(state, state)}[/]"


def _discrepancies(items: list[Any]) -> str:
    parts = []
    for item in items:
        if isinstance(item, dict):
            parts.append(str(item.get("message") or item.get("field") or item))
        else:
            parts.append(str(item))
    return "; ".join(parts)


# ------------------------------------------------------------------------------------------------- members


def members(ctx: typer.Context) -> None:
    """The consortium's members, as the membership contract says now."""
    answer = client(ctx).members()
    if options(ctx).json:
        print_json(answer)
    else:
        console().print(render.members_table(answer))


# ------------------------------------------------------------------------------------------------- consortium

consortium_app = typer.Typer(
    help="Admins: propose membership or quorum changes, vote, and follow proposals.", no_args_is_help=True
)
PROPOSAL_KINDS = {
    "add-member": "add_member",
    "suspend": "suspend_member",
    "reinstate": "reinstate_member",
    "remove": "remove_member",
    "change-quorum": "change_quorum",
}


def proposal_body(kind: str, target: str | None, member_file: Path | None) -> dict[str, Any]:
    """The API's proposal object for a CLI kind ("suspend", "add-member"...) and its argument."""
    api_kind = PROPOSAL_KINDS.get(kind)
    if api_kind is None:
        raise UserError(f"KIND must be one of {', '.join(PROPOSAL_KINDS)}")
    if api_kind == "add_member":
        if member_file is None:
            raise UserError(
                "add-member needs --member FILE (code, name, admin, issuers, encryption_key, endpoint)"
            )
        _, data = read_json_file(member_file)
        try:
            member = NewMember.model_validate(data)
        except ValueError as exc:
            raise UserError(f"{member_file} does not describe a member: {exc}") from exc
        return {"kind": api_kind, "member": member.model_dump(exclude_none=True)}
    if target is None:
        what = (
            "the new quorum in basis points (e.g. 6000)"
            if api_kind == "change_quorum"
            else "the member's code"
        )
        raise UserError(f"{kind} needs {what}")
    if api_kind == "change_quorum":
        if not target.isdigit() or not 0 < int(target) <= 10_000:
            raise UserError("the quorum is in basis points: an integer from 1 to 10000")
        return {"kind": api_kind, "quorum_bps": int(target)}
    code = target.upper()
    if len(code) != 2 or not code.isalpha():
        raise UserError(f"{target!r} is not a member code such as TH")
    return {"kind": api_kind, "target": code}


def _proposal_table(proposals: list[Proposal]) -> Table:
    table = Table(title="Proposals", title_justify="left")
    for column in ("id", "kind", "proposer", "target / quorum", "votes", "deadline", "state"):
        table.add_column(column)
    for p in proposals:
        state = "executed" if p.executed else "expired" if p.expired else "open"
        table.add_row(
            str(p.id),
            p.kind,
            p.proposer or "-",
            p.target or (f"{p.quorum_bps} bps" if p.quorum_bps else "-"),
            f"{p.yes_votes}/{p.required_votes}",
            render.date(_iso(p.deadline)),
            state,
        )
    return table


def _iso(ts: int | None) -> str | None:
    import datetime as dt

    if not ts:
        return None
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@consortium_app.command("propose")
def propose(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="add-member, suspend, reinstate, remove, or change-quorum.")],
    target: Annotated[
        str | None, typer.Argument(help="The member's code (suspend/reinstate/remove), or the quorum in bps.")
    ] = None,
    member_file: Annotated[
        Path | None, typer.Option("--member", help="add-member: a JSON file describing the new member.")
    ] = None,
) -> None:
    """Propose to add, suspend, reinstate or remove a member, or to change the quorum."""
    answer = client(ctx).propose(proposal_body(kind, target, member_file))
    if options(ctx).json:
        print_json(answer)
    else:
        console().print(_proposal_table([answer]))


@consortium_app.command("vote")
def vote(ctx: typer.Context, proposal_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """Vote yes on a proposal; it takes effect when the quorum is reached."""
    answer = client(ctx).vote(proposal_id)
    if options(ctx).json:
        print_json(answer)
    else:
        console().print(_proposal_table([answer]))


@consortium_app.command("status")
def consortium_status(
    ctx: typer.Context,
    proposal_id: Annotated[
        int | None, typer.Argument(metavar="[ID]", help="One proposal; default: all.")
    ] = None,
) -> None:
    """The proposals (newest first), or one proposal."""
    origo = client(ctx)
    answer = origo.proposals() if proposal_id is None else [origo.proposal(proposal_id)]
    if options(ctx).json:
        print_json(answer if proposal_id is None else answer[0])
    else:
        console().print(_proposal_table(answer))

"""`origo cert ...`: the officer's work on certificates — issue, act at import, revoke, supersede, answer."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Annotated

import typer
from origo_api.states import DocumentState
from origo_sdk import Action, IssueReceipt, OrigoClient, OrigoError

from origo_cli import render
from origo_cli._context import (
    UserError,
    body_from_options,
    client,
    console,
    options,
    print_json,
    read_json_file,
    write_file,
    wrote,
)
from origo_cli.commands_bulk import issue_directory
from origo_cli.commands_verify import member_names

cert_app = typer.Typer(
    help="Officers: issue certificates, accept or reject them at import, revoke, supersede, verify.",
    no_args_is_help=True,
)

KEY_HELP = "The document: its id (0x...), ISSUER:REFERENCE, or its reference."
Key = Annotated[str, typer.Argument(metavar="KEY", help=KEY_HELP)]
Grant = Annotated[
    str | None, typer.Option("--grant", help="Other members who may read the payload, comma-separated: TH,MY")
]
Wait = Annotated[
    float | None,
    typer.Option(
        "--wait", min=0, max=120, help="Seconds the node waits for the transaction (node default 20)."
    ),
]
ReasonCode = Annotated[
    int,
    typer.Option("--reason-code", min=1, max=65535, help="The agreed reason code: see `origo cert reasons`."),
]
BULK_MAX = 1000


def grants(text: str | None) -> list[str] | None:
    if text is None:
        return None
    codes = [c.strip().upper() for c in text.split(",") if c.strip()]
    for code in codes:
        if len(code) != 2 or not code.isalpha():
            raise UserError(f"--grant takes member codes such as TH,MY; {code!r} is not one")
    return codes


def show_action(ctx: typer.Context, action: Action, key: str | None = None) -> None:
    """``key``: the document as the person named it, to name it back to them."""
    if options(ctx).json:
        print_json(action)
    else:
        console().print(render.action_line(action, key))


# ------------------------------------------------------------------------------------------------- issue


def issue_one(ctx: typer.Context, path: Path, grant: str | None, wait: float) -> IssueReceipt:
    raw, parsed = read_json_file(path)
    if not isinstance(parsed, dict):
        raise UserError(f"{path} is JSON but not a document (expected a JSON object)")
    origo = client(ctx)
    receipt = origo.issue(raw, grant=grants(grant))
    state = receipt.state
    if wait > 0:
        state = origo.wait_until_anchored(receipt.document_id, timeout=wait).state
    if options(ctx).json:
        print_json({**receipt.model_dump(mode="json", exclude_unset=True), "state": state})
    else:
        out = console()
        out.print(f"[green]accepted[/green] {receipt.reference or path.name}: {receipt.document_id}")
        out.print(
            f"state: {state}"
            + ("" if state != DocumentState.PENDING else " (anchored within seconds; see cert status)")
        )
    return receipt


@cert_app.command("issue")
def issue(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(metavar="FILE|DIR", help="A document's JSON file, or a directory of them (bulk)."),
    ],
    grant: Grant = None,
    wait: Annotated[
        float,
        typer.Option("--wait", min=0, help="Wait up to this many seconds until anchored (0: do not wait)."),
    ] = 0,
    chunk_size: Annotated[
        int, typer.Option("--chunk-size", min=1, max=BULK_MAX, help="Documents per bulk request.")
    ] = 200,
    pattern: Annotated[
        str, typer.Option("--pattern", help="Which files of a directory to issue.")
    ] = "*.json",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check a directory's documents without issuing any.")
    ] = False,
) -> None:
    """Issue a certificate (or file any document) with this node's member; a directory is issued in bulk.

    A directory is sent in chunks to the bulk endpoint with a progress bar; each document is accepted or
    refused on its own (exit 6 if any is refused). Run it again to resume an interrupted run: documents
    already issued identically are skipped and counted; Ctrl-C prints what was accepted so far.
    """
    if path.is_dir():
        issue_directory(ctx, path, grants(grant), chunk_size, pattern, wait, dry_run)
    elif dry_run:
        raise UserError("--dry-run checks a directory; give a directory of documents")
    else:
        issue_one(ctx, path, grant, wait)


# ------------------------------------------------------------------------------------------------- actions


#: The request bodies these commands make from their options, field by field.
_REASON_OPTIONS = {"reason_code": "--reason-code", "reason": "--reason"}
_CLAIM_OPTIONS = {
    "declaration": "--declaration",
    "item": "--item",
    "quantity": "--quantity",
    "claims": "--claim",
}


@cert_app.command("revoke")
def revoke(
    ctx: typer.Context,
    key: Key,
    reason_code: ReasonCode,
    reason: Annotated[str, typer.Option("--reason", help="Why, in words.")] = "",
    wait: Wait = None,
) -> None:
    """Revoke a certificate this member issued."""
    with body_from_options(_REASON_OPTIONS):
        show_action(ctx, client(ctx).revoke(key, reason_code, reason, wait=wait), key)


@cert_app.command("supersede")
def supersede(
    ctx: typer.Context,
    key: Key,
    replacement: Annotated[Path, typer.Argument(metavar="FILE", help="The corrected document's JSON file.")],
    grant: Grant = None,
    wait: Annotated[
        float,
        typer.Option(
            "--wait", min=0, max=600, help="Wait up to this many seconds until the old one shows superseded."
        ),
    ] = 0,
) -> None:
    """Replace a certificate with a corrected one; the old one then points to the new one."""
    raw, parsed = read_json_file(replacement)
    if not isinstance(parsed, dict):
        raise UserError(f"{replacement} is JSON but not a document (expected a JSON object)")
    origo = client(ctx)
    receipt = origo.supersede(key, raw, grant=grants(grant))
    old_state = None
    if wait > 0:
        old_state = wait_superseded(origo, receipt.supersedes or key, receipt.document_id, wait)
    if options(ctx).json:
        answer = receipt.model_dump(mode="json", exclude_unset=True)
        print_json(answer if old_state is None else {**answer, "old_state": old_state})
    elif old_state is not None:
        console().print(
            f"[green]superseded[/green]: {key} is replaced by {_named(receipt)} (anchored)", highlight=False
        )
    else:
        console().print(
            f"[green]accepted[/green] replacement {_named(receipt)}\n"
            f"it supersedes {key} once anchored (state: {receipt.state}; use --wait to wait for it)",
            highlight=False,
        )


def _named(receipt: IssueReceipt) -> str:
    """A document just issued: its reference with its id, or its id."""
    return f"{receipt.reference} ({receipt.document_id})" if receipt.reference else receipt.document_id


def wait_superseded(origo: OrigoClient, old: str, new: str, wait: float) -> str:
    """Waits until the replacement is anchored and the old document's status names it."""
    deadline = time.monotonic() + wait
    while True:
        status = origo.status(old)
        if status.superseded_by == new:
            return str(status.state)
        if time.monotonic() >= deadline:
            raise OrigoError(
                f"after {wait:g} s the old document is {status.state}, not yet superseded by {new}; "
                "the node records the supersession once the replacement is anchored: check again with "
                "`origo cert status`"
            )
        time.sleep(0.3)


@cert_app.command("accept")
def accept(
    ctx: typer.Context,
    key: Key,
    declaration: Annotated[str, typer.Option("--declaration", help="The import declaration's number.")],
    item: Annotated[
        int | None,
        typer.Option("--item", min=1, help="The item claimed, numbered as on the form (1 = the first item)."),
    ] = None,
    quantity: Annotated[
        str | None,
        typer.Option(
            "--quantity",
            help="How much, in the item's own unit (e.g. 250.125); default: all that is left.",
        ),
    ] = None,
    claim: Annotated[
        list[str] | None,
        typer.Option(
            "--claim",
            metavar="N=Q",
            help="Several items at once: item N, quantity Q in its unit (N alone: all left on item N). "
            "Repeat it; not with --item or --quantity.",
        ),
    ] = None,
    wait: Wait = None,
) -> None:
    """Accept a certificate at import (importing member): the whole of it, or items in their own units.

    No --item, --quantity or --claim: the whole certificate. --item N [--quantity Q]: item N, Q in its unit
    or all that is left on it. --quantity alone: the certificate's one item, or its items in order when they
    all count in one unit. --claim N=Q (repeated): several items under one declaration.
    """
    claims = claim_options(claim or [])
    if claims and (item is not None or quantity is not None):
        raise UserError("--claim names the items itself: give it without --item and --quantity")
    if quantity is not None:
        quantity = quantity_option(quantity, "--quantity")
    with body_from_options(_CLAIM_OPTIONS):
        show_action(
            ctx, client(ctx).accept(key, declaration, quantity, item=item, claims=claims, wait=wait), key
        )


def quantity_option(text: str, option: str) -> str:
    value = text.strip().replace(",", "")
    if not re.fullmatch(r"[0-9]{1,19}(\.[0-9]{1,3})?", value) or not float(value) > 0:
        raise UserError(
            f"{option} takes a positive quantity with at most three decimals, e.g. 250.125; got {text!r}"
        )
    return value


def claim_options(values: list[str]) -> dict[int, str | None] | None:
    """``["1=3000", "2"]`` -> ``{1: "3000", 2: None}`` (None: all left on that item)."""
    if not values:
        return None
    claims: dict[int, str | None] = {}
    for value in values:
        number, sep, amount = value.partition("=")
        if not number.strip().isdigit() or int(number) < 1:
            raise UserError(
                f"--claim takes ITEM=QUANTITY, e.g. 2=40 (item 2, 40 in its unit), or ITEM alone for all "
                f"left on it; got {value!r}"
            )
        if int(number) in claims:
            raise UserError(f"--claim names item {int(number)} twice: one claim per item")
        claims[int(number)] = quantity_option(amount, f"--claim {value}") if sep else None
    return claims


@cert_app.command("reject")
def reject(
    ctx: typer.Context,
    key: Key,
    reason_code: ReasonCode,
    reason: Annotated[str, typer.Option("--reason", help="Why preference is refused (Box 4).")] = "",
    wait: Wait = None,
) -> None:
    """Reject a certificate at import (importing member), with the reason."""
    with body_from_options(_REASON_OPTIONS):
        show_action(ctx, client(ctx).reject(key, reason_code, reason, wait=wait), key)


@cert_app.command("request-verification")
def request_verification(
    ctx: typer.Context,
    key: Key,
    reason: Annotated[str, typer.Option("--reason", help="What is in doubt.")],
    wait: Wait = None,
) -> None:
    """Ask the issuing member to verify a certificate (importing member)."""
    with body_from_options(_REASON_OPTIONS):
        show_action(ctx, client(ctx).request_verification(key, reason, wait=wait), key)


@cert_app.command("answer-verification")
def answer_verification(
    ctx: typer.Context,
    key: Key,
    confirmed: Annotated[
        bool | None, typer.Option("--confirmed/--not-confirmed", help="The issuing member's answer.")
    ] = None,
    reason: Annotated[str, typer.Option("--reason", help="The answer's reason.")] = "",
    wait: Wait = None,
) -> None:
    """Answer a verification request (issuing member): confirmed, or not confirmed with a reason."""
    if confirmed is None:
        raise UserError("say --confirmed or --not-confirmed")
    with body_from_options({**_REASON_OPTIONS, "confirmed": "--confirmed/--not-confirmed"}):
        show_action(ctx, client(ctx).answer_verification(key, confirmed, reason, wait=wait), key)


# ------------------------------------------------------------------------------------------------- reading


@cert_app.command("status")
def status(ctx: typer.Context, key: Key) -> None:
    """A document's public status: state, anchor, what is left on each item, claims, revocation..."""
    origo = client(ctx)
    answer = origo.status(key)
    if options(ctx).json:
        print_json(answer)
    else:
        console().print(render.status_card(answer, member_names(origo)))


@cert_app.command("file")
def issued_file(
    ctx: typer.Context,
    key: Key,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the file here (default: stdout).")
    ] = None,
) -> None:
    """The issued file: the document with its Merkle proof and the issuer's signature (issuer or importer)."""
    answer = client(ctx).issued_file(key)
    text = json.dumps(
        answer.model_dump(mode="json", by_alias=True, exclude_unset=True), indent=2, ensure_ascii=False
    )
    if output is None:
        print_json(answer)
    else:
        write_file(output, text + "\n")
        wrote(ctx, output, f"the issued file of {answer.origo.document_id}")


@cert_app.command("payload")
def payload(
    ctx: typer.Context,
    key: Key,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Write the document here.")] = None,
) -> None:
    """The decrypted document, when this node's member may read it (officer or auditor)."""
    document = client(ctx).payload(key)
    if output is None:
        print_json(document)
    else:
        write_file(output, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        wrote(ctx, output, "the decrypted document")


@cert_app.command("action")
def action(ctx: typer.Context, action_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """An action's state (as returned by revoke, accept, reject...)."""
    show_action(ctx, client(ctx).action(action_id))

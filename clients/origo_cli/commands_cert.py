"""`origo cert ...`: the officer's work on certificates — issue, act at import, revoke, supersede, answer."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from origo_api.states import DocumentState
from origo_sdk import Action, BulkItem, IssueReceipt, OrigoClient, OrigoError, Problem
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

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
from origo_cli.commands_verify import member_names
from origo_cli.exit_codes import ExitCode

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
    int, typer.Option("--reason-code", min=1, max=65535, help="The reason's code (1-65535).")
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


def show_action(ctx: typer.Context, action: Action) -> None:
    if options(ctx).json:
        print_json(action)
    else:
        console().print(render.action_line(action))


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


def _document_files(directory: Path, pattern: str) -> list[Path]:
    files = sorted(p for p in directory.glob(pattern) if p.is_file())
    if not files:
        raise UserError(f"no files matching {pattern} in {directory}")
    return files


def _load_all(files: list[Path]) -> tuple[list[tuple[Path, dict[str, Any]]], list[dict[str, Any]]]:
    """Documents to send, and the files refused here (unreadable or not a JSON object) before sending."""
    good: list[tuple[Path, dict[str, Any]]] = []
    refused: list[dict[str, Any]] = []
    for path in files:
        try:
            _, parsed = read_json_file(path)
        except UserError as exc:
            refused.append({"file": str(path), "accepted": False, "problem": {"detail": exc.message}})
            continue
        if not isinstance(parsed, dict):
            refused.append({"file": str(path), "accepted": False, "problem": {"detail": "not a JSON object"}})
            continue
        good.append((path, parsed))
    return good, refused


def _outcome(path: Path, item: BulkItem) -> dict[str, Any]:
    row: dict[str, Any] = {"file": str(path), "accepted": item.accepted}
    if item.accepted:
        row.update(document_id=item.document_id, reference=item.reference)
    else:
        problem = item.problem or Problem()
        row["problem"] = problem.model_dump(mode="json", exclude_none=True, exclude_unset=True)
    return row


def _problem_text(problem: dict[str, Any]) -> str:
    text = str(problem.get("detail") or problem.get("title") or "refused")
    errors = problem.get("errors") or []
    if errors:
        text += ": " + "; ".join(f"{e.get('pointer', '')} {e.get('message', '')}".strip() for e in errors[:5])
        if len(errors) > 5:
            text += f"; and {len(errors) - 5} more"
    return text


def issue_directory(
    ctx: typer.Context, directory: Path, grant: str | None, chunk_size: int, pattern: str, wait: float
) -> None:
    files = _document_files(directory, pattern)
    documents, outcomes = _load_all(files)
    codes = grants(grant)
    origo = client(ctx)
    failure: OrigoError | None = None
    progress = Progress(
        TextColumn("issuing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console(stderr=True),
        transient=options(ctx).json,
    )
    with progress:
        task = progress.add_task("issue", total=len(files))
        progress.advance(task, len(outcomes))
        for start in range(0, len(documents), chunk_size):
            chunk = documents[start : start + chunk_size]
            try:
                receipt = origo.issue_bulk([doc for _, doc in chunk], grant=codes)
            except OrigoError as exc:
                failure = exc  # what was already accepted is reported before the error
                break
            by_index = {item.index: item for item in receipt.results}
            for i, (path, _) in enumerate(chunk):
                item = by_index.get(i)
                if item is None:
                    outcomes.append(
                        {"file": str(path), "accepted": False, "problem": {"detail": "no answer"}}
                    )
                else:
                    outcomes.append(_outcome(path, item))
            progress.advance(task, len(chunk))
    if wait > 0 and failure is None:
        _wait_all(origo, [o["document_id"] for o in outcomes if o["accepted"]], wait)
    accepted = sum(1 for o in outcomes if o["accepted"])
    summary = {"accepted": accepted, "refused": len(outcomes) - accepted, "results": outcomes}
    if options(ctx).json:
        print_json(summary)
    else:
        _print_bulk(outcomes, len(files))
    if failure is not None:
        raise failure
    done(ExitCode.OK if accepted == len(files) else ExitCode.REFUSED)


def _wait_all(origo: OrigoClient, ids: list[str], wait: float) -> None:
    deadline = time.monotonic() + wait
    for doc_id in ids:
        left = deadline - time.monotonic()
        if left <= 0:
            raise OrigoError(f"documents still pending after {wait:g} s")
        origo.wait_until_anchored(doc_id, timeout=left)


def _print_bulk(outcomes: list[dict[str, Any]], total: int) -> None:
    out = console()
    accepted = sum(1 for o in outcomes if o["accepted"])
    refused = [o for o in outcomes if not o["accepted"]]
    out.print(f"[green]{accepted} accepted[/green], [red]{len(refused)} refused[/red] of {total} file(s)")
    if refused:
        table = Table(title="Refused", title_justify="left")
        table.add_column("file", overflow="fold")
        table.add_column("why", overflow="fold")
        for o in refused:
            table.add_row(Path(o["file"]).name, _problem_text(o["problem"]))
        out.print(table)


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
) -> None:
    """Issue a certificate (or file any document) with this node's member; a directory is issued in bulk.

    A directory is sent in chunks to the bulk endpoint with a progress bar; each document is accepted or
    refused on its own (exit 6 if any is refused).
    """
    if path.is_dir():
        issue_directory(ctx, path, grant, chunk_size, pattern, wait)
    else:
        issue_one(ctx, path, grant, wait)


# ------------------------------------------------------------------------------------------------- actions


@cert_app.command("revoke")
def revoke(
    ctx: typer.Context,
    key: Key,
    reason_code: ReasonCode,
    reason: Annotated[str, typer.Option("--reason", help="Why, in words.")] = "",
    wait: Wait = None,
) -> None:
    """Revoke a certificate this member issued."""
    show_action(ctx, client(ctx).revoke(key, reason_code, reason, wait=wait))


@cert_app.command("supersede")
def supersede(
    ctx: typer.Context,
    key: Key,
    replacement: Annotated[Path, typer.Argument(metavar="FILE", help="The corrected document's JSON file.")],
    grant: Grant = None,
) -> None:
    """Replace a certificate with a corrected one; the old one then points to the new one."""
    raw, parsed = read_json_file(replacement)
    if not isinstance(parsed, dict):
        raise UserError(f"{replacement} is JSON but not a document (expected a JSON object)")
    receipt = client(ctx).supersede(key, raw, grant=grants(grant))
    if options(ctx).json:
        print_json(receipt)
    else:
        console().print(
            f"[green]accepted[/green] replacement {receipt.document_id}\n"
            f"it supersedes {receipt.supersedes} once anchored (state: {receipt.state})"
        )


@cert_app.command("accept")
def accept(
    ctx: typer.Context,
    key: Key,
    declaration: Annotated[str, typer.Option("--declaration", help="The import declaration's number.")],
    quantity: Annotated[
        str | None, typer.Option("--quantity", help="How much is claimed (e.g. 250.125); default: all left.")
    ] = None,
    wait: Wait = None,
) -> None:
    """Accept a certificate at import (importing member): fully, or for a quantity."""
    show_action(ctx, client(ctx).accept(key, declaration, quantity, wait=wait))


@cert_app.command("reject")
def reject(
    ctx: typer.Context,
    key: Key,
    reason_code: ReasonCode,
    reason: Annotated[str, typer.Option("--reason", help="Why preference is refused (Box 4).")] = "",
    wait: Wait = None,
) -> None:
    """Reject a certificate at import (importing member), with the reason."""
    show_action(ctx, client(ctx).reject(key, reason_code, reason, wait=wait))


@cert_app.command("request-verification")
def request_verification(
    ctx: typer.Context,
    key: Key,
    reason: Annotated[str, typer.Option("--reason", help="What is in doubt.")],
    wait: Wait = None,
) -> None:
    """Ask the issuing member to verify a certificate (importing member)."""
    show_action(ctx, client(ctx).request_verification(key, reason, wait=wait))


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
    show_action(ctx, client(ctx).answer_verification(key, confirmed, reason, wait=wait))


# ------------------------------------------------------------------------------------------------- reading


@cert_app.command("status")
def status(ctx: typer.Context, key: Key) -> None:
    """A document's public status: state, anchor, quantity left, revocation, supersession, verification."""
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
        if options(ctx).json:
            print_json({"document_id": answer.origo.document_id, "file": str(output)})
        else:
            console(stderr=True).print(f"wrote {output}")


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


@cert_app.command("action")
def action(ctx: typer.Context, action_id: Annotated[int, typer.Argument(metavar="ID")]) -> None:
    """An action's state (as returned by revoke, accept, reject...)."""
    show_action(ctx, client(ctx).action(action_id))

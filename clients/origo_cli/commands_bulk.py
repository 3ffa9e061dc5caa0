"""`origo cert issue DIR`: bulk issuing that can be checked first (--dry-run) and resumed.

A run interrupted (Ctrl-C, a lost connection) is resumed by running it again: documents this member already
issued identically (same reference, same digest) are skipped and counted; a file that reuses a reference with
different content is refused with that reason. Ctrl-C prints what was accepted so far.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import typer
from origo_sdk import BulkItem, OrigoClient, OrigoError, Problem
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from origo_cli._context import UserError, client, console, done, options, print_json, read_json_file
from origo_cli.exit_codes import ExitCode

CHECK_PATH = "/api/v1/documents/check"
INTERRUPTED = 130


def document_files(directory: Path, pattern: str) -> list[Path]:
    files = sorted(p for p in directory.glob(pattern) if p.is_file())
    if not files:
        raise UserError(f"no files matching {pattern} in {directory}")
    return files


def load_all(files: list[Path]) -> tuple[list[tuple[Path, dict[str, Any]]], list[dict[str, Any]]]:
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


def _outcome(path: Path, item: BulkItem | None) -> dict[str, Any]:
    if item is None:
        return {"file": str(path), "accepted": False, "problem": {"detail": "no answer"}}
    row: dict[str, Any] = {"file": str(path), "accepted": item.accepted}
    if item.accepted:
        row.update(document_id=item.document_id, reference=item.reference)
    else:
        problem = item.problem or Problem()
        row["problem"] = problem.model_dump(mode="json", exclude_none=True, exclude_unset=True)
    return row


def _checked(path: Path, result: dict[str, Any]) -> dict[str, Any]:
    """A check's answer as an outcome: would be issued, already issued identically (skipped), or refused."""
    row: dict[str, Any] = {"file": str(path), "accepted": False}
    if not result.get("valid"):
        row["problem"] = result.get("problem") or {"detail": "refused"}
    elif result.get("already_issued") == "identical":
        row.update(skipped=True, document_id=result["document_id"], reference=result["reference"])
    elif result.get("already_issued") == "different":
        row["problem"] = {
            "detail": f"reference {result['reference']} was already issued by this member with different "
            "content (supersede it to correct it)"
        }
    else:
        row.update(would_issue=True, document_id=result["document_id"], reference=result["reference"])
    return row


def _check(origo: OrigoClient, chunk: list[tuple[Path, dict[str, Any]]]) -> list[dict[str, Any]]:
    answer = origo.request("POST", CHECK_PATH, json_body={"documents": [doc for _, doc in chunk]})
    by_index = {r["index"]: r for r in answer["results"]}
    return [
        _checked(path, by_index.get(i) or {"problem": {"detail": "no answer"}})
        for i, (path, _) in enumerate(chunk)
    ]


def _send(
    origo: OrigoClient, chunk: list[tuple[Path, dict[str, Any]]], codes: list[str] | None
) -> list[dict[str, Any]]:
    receipt = origo.issue_bulk([doc for _, doc in chunk], grant=codes)
    by_index = {item.index: item for item in receipt.results}
    outcomes = [_outcome(path, by_index.get(i)) for i, (path, _) in enumerate(chunk)]
    # Refused as already issued: skipped if identical (a resumed run), refused if the content differs.
    again = [
        i
        for i, o in enumerate(outcomes)
        if not o["accepted"]
        and (o.get("problem") or {}).get("status") == 409
        and "already issued" in str(o["problem"].get("detail", ""))
    ]
    if again:
        rechecked = _check(origo, [chunk[i] for i in again])
        for i, row in zip(again, rechecked, strict=True):
            outcomes[i] = row if row.get("skipped") or "problem" in row else outcomes[i]
    return outcomes


def issue_directory(
    ctx: typer.Context,
    directory: Path,
    codes: list[str] | None,
    chunk_size: int,
    pattern: str,
    wait: float,
    dry_run: bool,
) -> None:
    files = document_files(directory, pattern)
    documents, outcomes = load_all(files)
    origo = client(ctx)
    failure: OrigoError | None = None
    interrupted = False
    progress = Progress(
        TextColumn("checking" if dry_run else "issuing"),
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
                outcomes += _check(origo, chunk) if dry_run else _send(origo, chunk, codes)
            except OrigoError as exc:
                failure = exc  # what was already accepted is reported before the error
                break
            except KeyboardInterrupt:
                interrupted = True
                break
            progress.advance(task, len(chunk))
    if wait > 0 and failure is None and not interrupted and not dry_run:
        try:
            _wait_all(origo, [o["document_id"] for o in outcomes if o["accepted"]], wait)
        except KeyboardInterrupt:
            interrupted = True
    summary = _summary(outcomes, len(files), dry_run, interrupted)
    if options(ctx).json:
        print_json(summary)
    else:
        _print_bulk(summary, outcomes, len(files), dry_run, interrupted)
    if failure is not None:
        raise failure
    if interrupted:
        raise typer.Exit(INTERRUPTED)
    done(ExitCode.OK if summary["refused"] == 0 else ExitCode.REFUSED)


def _summary(outcomes: list[dict[str, Any]], total: int, dry_run: bool, interrupted: bool) -> dict[str, Any]:
    skipped = sum(1 for o in outcomes if o.get("skipped"))
    fine = sum(1 for o in outcomes if o["accepted"] or o.get("would_issue"))
    summary: dict[str, Any] = {
        "would_issue" if dry_run else "accepted": fine,
        "skipped": skipped,
        "refused": len(outcomes) - fine - skipped,
        "not_sent": total - len(outcomes),
        "results": outcomes,
    }
    if dry_run:
        summary["dry_run"] = True
    if interrupted:
        summary["interrupted"] = True
    return summary


def _wait_all(origo: OrigoClient, ids: list[str], wait: float) -> None:
    deadline = time.monotonic() + wait
    for doc_id in ids:
        left = deadline - time.monotonic()
        if left <= 0:
            raise OrigoError(f"documents still pending after {wait:g} s")
        origo.wait_until_anchored(doc_id, timeout=left)


def problem_text(problem: dict[str, Any]) -> str:
    text = str(problem.get("detail") or problem.get("title") or "refused")
    errors = problem.get("errors") or []
    if errors:
        text += ": " + "; ".join(f"{e.get('pointer', '')} {e.get('message', '')}".strip() for e in errors[:5])
        if len(errors) > 5:
            text += f"; and {len(errors) - 5} more"
    return text


def _print_bulk(
    summary: dict[str, Any], outcomes: list[dict[str, Any]], total: int, dry_run: bool, interrupted: bool
) -> None:
    out = console()
    skipped = f", {summary['skipped']} already issued identically (skipped)" if summary["skipped"] else ""
    if dry_run:
        out.print(
            f"dry run: [green]{summary['would_issue']} would be issued[/green]{skipped}, "
            f"[red]{summary['refused']} refused[/red] of {total} file(s); nothing was issued"
        )
    else:
        out.print(
            f"[green]{summary['accepted']} accepted[/green]{skipped}, [red]{summary['refused']} refused[/red]"
            f" of {total} file(s)"
        )
    if interrupted:
        out.print(
            f"interrupted: {summary['not_sent']} file(s) not sent. The chunk being sent may have been"
            " accepted: run the same command again to resume (documents already issued are skipped)."
        )
    refused = [o for o in outcomes if not o["accepted"] and "problem" in o]
    if refused:
        table = Table(title="Refused", title_justify="left")
        table.add_column("file", overflow="fold")
        table.add_column("why", overflow="fold")
        for o in refused:
            table.add_row(Path(o["file"]).name, problem_text(o["problem"]))
        out.print(table)

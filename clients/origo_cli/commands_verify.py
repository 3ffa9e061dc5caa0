"""`origo verify`: the trader's one question — is this certificate good?"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import parse_qs, urlparse

import typer
from origo_sdk import Member, OrigoClient, OrigoError, VerificationResult

from origo_cli import render
from origo_cli._context import UserError, client, console, done, options, print_json, read_json_file
from origo_cli.exit_codes import for_verdict

_DIGEST = re.compile(r"^0x[0-9a-fA-F]{64}$")


def parse_target(target: str) -> tuple[Path | None, str | None, str | None]:
    """(file, key, digest): a file to send, or a key (id, ISSUER:REFERENCE, reference, or the page's URL)."""
    if target == "-":
        return Path("-"), None, None
    if target.startswith(("http://", "https://")):
        query = parse_qs(urlparse(target).query)
        ids, digests = query.get("id") or [], query.get("digest") or []
        if not ids:
            raise UserError(f"the URL has no ?id=...: {target}")
        return None, ids[0], digests[0] if digests else None
    path = Path(target)
    if path.exists():
        return path, None, None
    if target.lower().endswith(".json") or "/" in target or "\\" in target:
        raise UserError(f"no such file: {target}")
    return None, target, None


def member_names(origo: OrigoClient) -> dict[str, Member]:
    """Members by code, for showing names; the verdict does not depend on them, so failures are ignored."""
    try:
        return {m.code: m for m in origo.members()}
    except OrigoError:
        return {}


def verify(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            metavar="FILE|ID|REFERENCE",
            help="A certificate file (the document JSON or the issued file; '-' for stdin), a document id, "
            "ISSUER:REFERENCE, a bare reference, or the verification page's URL from a QR code.",
        ),
    ],
    digest: Annotated[
        str | None, typer.Option(help="With an id: the digest printed on the paper copy (0x + 64 hex).")
    ] = None,
) -> None:
    """Check a certificate against the chain's record: valid, tampered, revoked, superseded, expired, used...

    Exit code 0 when the certificate can be used; see `origo --help` for the code of each other verdict.
    """
    path, key, url_digest = parse_target(target)
    digest = digest or url_digest
    if digest is not None and not _DIGEST.match(digest):
        raise UserError("--digest must be 0x followed by 64 hex digits")
    origo = client(ctx)
    result: VerificationResult
    if path is not None:
        if digest is not None:
            raise UserError("--digest goes with an id; a file carries its own content")
        raw, parsed = read_json_file(path)
        if not isinstance(parsed, dict):
            raise UserError(f"{target} is JSON but not a certificate (expected a JSON object)")
        result = origo.verify_file(raw)
    else:
        assert key is not None
        result = origo.verify(key, digest)
    if options(ctx).json:
        print_json(result)
    else:
        console().print(render.verification_card(result, member_names(origo) if result.issuer else {}))
    done(for_verdict(result.verdict))

"""The verification page (``/``), its static files, and the printable view of a certificate (``/print/{id}``).

The page is static: the browser calls the node's public API itself, so the router needs nothing from the node
but, for the printable view, a function that returns a document's public status (typed, as the status
service answers it and ``GET /api/v1/documents/{key}`` shows it) or ``None`` when the node does not know it.
Everything is served from this node; nothing is fetched from or sent to anyone else.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from pathlib import Path
from urllib.parse import quote, urlencode

import segno
from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from origo_api import states
from origo_api.states import DocumentState

from origo_node.errors import OrigoError
from origo_node.services.document_status import DocumentStatus, ItemQuantity, Verification
from origo_node.web.form_d_page import amount
from origo_node.web.marks import mark, reason_words

STATIC_DIR = Path(__file__).resolve().parent / "static"
_MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css",
}
#: Only this node's own files and the API (same origin); inline SVG of the QR code needs nothing more.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
StatusLookup = Callable[[str], DocumentStatus | None]


def _static_files() -> dict[str, Path]:
    return {p.name: p for p in STATIC_DIR.iterdir() if p.is_file() and p.suffix in _MEDIA_TYPES}


def web_router(get_status: StatusLookup, public_url: str) -> APIRouter:
    """The page's routes; ``get_status(key)`` gives a document's public status, or None if unknown.

    ``public_url`` is the node's configured address: QR codes point there, never to whatever Host header a
    request carried (a forged Host would print a QR code that sends traders to another site)."""
    base = public_url.rstrip("/")
    router = APIRouter(include_in_schema=False)
    files = _static_files()

    @router.get("/")
    def index() -> FileResponse:
        return FileResponse(
            files["index.html"], media_type=_MEDIA_TYPES[".html"], headers=_headers(no_store=True)
        )

    @router.get("/static/states.json")
    def state_words() -> JSONResponse:
        # The page's words for each verdict come from the one definition of the states.
        return JSONResponse(states.presentation(), headers=_headers())

    @router.get("/static/{name}")
    def static(name: str) -> Response:
        path = files.get(name)  # a fixed set of names: nothing outside the directory can be asked for
        if path is None:
            return HTMLResponse(
                _page("Not found", "<p>No such file.</p>"), status_code=404, headers=_headers()
            )
        return FileResponse(path, media_type=_MEDIA_TYPES[path.suffix], headers=_headers())

    @router.get("/print/{document_id}")
    def printable(document_id: str) -> HTMLResponse:
        try:
            status = get_status(document_id)
        except OrigoError as exc:
            # A person opened this page: the answer is a page too (a bare reference two members used, or a
            # key that is no document's name), with the certificates it could mean as links.
            return HTMLResponse(
                _page("Which certificate?", _refusal_body(exc)), status_code=exc.status, headers=_headers()
            )
        if status is None:
            known = (
                f"No member anchored a document <code>{escape(document_id)}</code> that this node knows of."
            )
            body = f"<h1>Unknown document</h1><p>{known}</p><p><a href='/'>Check another certificate</a></p>"
            return HTMLResponse(_page("Unknown document", body), status_code=404, headers=_headers())
        return HTMLResponse(_page(_title(status), print_body(status, base)), headers=_headers(no_store=True))

    return router


def _refusal_body(exc: OrigoError) -> str:
    candidates = exc.details.get("candidates") or []
    links = "".join(
        f"<li><a href='/print/{quote(str(c['key']), safe=':')}'>{escape(str(c['key']))}</a>"
        f" ({escape(str(c['name']))})</li>"
        for c in candidates
    )
    listed = f"<ul>{links}</ul>" if links else ""
    heading = "Which certificate?" if candidates else "This is not a certificate's name"
    return (
        f"<h1>{heading}</h1><p>{escape(exc.message)}</p>{listed}"
        "<p><a href='/'>Check another certificate</a></p>"
    )


def _headers(*, no_store: bool = False) -> dict[str, str]:
    headers = dict(SECURITY_HEADERS)
    headers["Cache-Control"] = "no-store" if no_store else "public, max-age=300"
    return headers


def verification_url(base: str, status: DocumentStatus) -> str:
    """The page opened on this certificate: ISSUER:REFERENCE when the slip shows the reference (the holder
    has it on paper anyway, and the check then shows it), else the id with its issuer (never a bare id, which
    another member's copy could share); and the digest. No secret."""
    if status.reference and status.issuer:
        key = f"{status.issuer}:{status.reference}"
    else:
        key = f"{status.issuer}:{status.document_id}" if status.issuer else status.document_id
    # A document not anchored yet has no digest: the link then asks for the id alone (``digest=None``
    # would have the page compare the certificate with the word "None").
    query = {"id": key} if status.digest is None else {"id": key, "digest": status.digest}
    return f"{base}/?" + urlencode(query)


def qr_svg(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=3, title="Scan to check this certificate"))


def _title(status: DocumentStatus) -> str:
    return f"Certificate {status.reference or status.document_id}"


def _day(value: str | None) -> str:
    if not value:
        return "—"
    return value[:10] if value.endswith("T00:00:00Z") else value.replace("T", " ").replace("Z", " UTC")


def _row(term: str, value: object) -> str:
    return f"<dt>{escape(term)}</dt><dd>{escape(str(value))}</dd>"


def left_on_item(item: ItemQuantity, state: DocumentState) -> str:
    """What remains to claim on one item, in its own unit: "9,000.000 PR left of 12,000.000 PR"; on a
    certificate that cannot be claimed, what it covers and that it cannot be claimed."""
    unit = f" {item.unit}" if item.unit else ""
    tracked = item.total is not None
    tone = states.tone(state)
    if tone == "good":
        if not tracked:
            return "no quantity: claimed only with the whole certificate"
        return f"{amount(item.remaining)}{unit} left of {amount(item.total)}{unit}"
    covered = f"{amount(item.total)}{unit} on the certificate" if tracked else "no quantity"
    if tone == "done":
        return covered
    return f"{covered}; cannot be claimed ({states.title(state).lower()})"


def _verification_row(verification: Verification) -> str:
    said = {"open": "requested", "confirmed": "confirmed"}
    answer = said.get(verification.state, "NOT confirmed")
    why = verification.answer_reason or verification.request_reason
    return _row("Verification", f"{answer} on {_day(verification.at)}: {why or '-'}")


def _facts(status: DocumentStatus) -> list[str]:
    """The slip's facts, as terms and values: what the chain shows of the certificate."""
    rows = [
        _row("Document id", status.document_id),
        _row("Type", f"{status.type} v{status.version}"),
        _row("Issued by", status.issuer),
        _row("For import into", status.importer),
        _row("Issued", _day(status.issued_at)),
        _row("Valid until", _day(status.expires_at)),
        _row("Digest", status.digest or "— (not anchored yet)"),
    ]
    if status.reference:
        rows.insert(0, _row("Reference", status.reference))
    if status.anchor is not None:
        rows.append(_row("Anchored", f"block {status.anchor.block}, {_day(status.anchor.at)}"))
    rows += [_row(f"Item {item.item}", left_on_item(item, status.state)) for item in status.items]
    if status.revocation is not None:
        rows.append(_row("Revoked", reason_words(status.revocation)))
    if status.superseded_by:
        rows.append(_row("Replaced by", status.superseded_by))
    if status.rejection is not None:
        rows.append(_row("Rejected at import", reason_words(status.rejection)))
    if status.verification is not None:
        rows.append(_verification_row(status.verification))
    return rows


def print_body(status: DocumentStatus, base: str) -> str:
    """The printable view's body: the public facts, the state when printed, and the QR code."""
    tone = states.tone(status.state)
    url = verification_url(base, status)
    stop = mark(status)
    banner = stamp = ""
    if stop is not None:
        lines = "".join(f"<p>{escape(line)}</p>" for line in stop.lines)
        banner = (
            f'<div class="mark {escape(stop.tone)}" role="alert"><p class="mark-word">'
            f"{escape(stop.word)}</p>{lines}</div>"
        )
        # Across the facts, never over the QR code (a scanner must still read it).
        stamp = (
            f'<div class="stamp {escape(stop.tone)}" aria-hidden="true">'
            f"<span>{escape(stop.word)}</span></div>"
        )
    named = f"{status.issuer}:{status.reference}" if status.reference and status.issuer else status.reference
    ident = escape(named or status.document_id)
    return f"""
<div class="card {tone} slip">
  {banner}
  <div class="print">
    <div class="told">
      {stamp}
      <h1>Certificate of origin</h1>
      <p class="ident">{ident}</p>
      <p>State when printed: <span class="state verdict">{escape(states.title(status.state))}</span></p>
      <dl class="facts">{"".join(_facts(status))}</dl>
    </div>
    <div class="qr">
      {qr_svg(url)}
      <p>Scan to see the current status: <a href="{escape(url)}">{escape(url)}</a></p>
    </div>
  </div>
</div>
<p class="noprint"><a href="/">Check another certificate</a></p>
"""


def _page(title: str, body: str) -> str:
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>{escape(title)} — Origo</title>
  <link rel="stylesheet" href="/static/style.css">
</head>
<body>
{body}
</body>
</html>
"""

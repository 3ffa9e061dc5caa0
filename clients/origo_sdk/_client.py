"""The synchronous client over one node's HTTP API."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from origo_api.states import DocumentState
from pydantic import BaseModel, TypeAdapter

from origo_sdk._errors import ApiError, ConnectionError, OrigoError, error_from_response
from origo_sdk._models import (
    AcceptRequest,
    Action,
    BulkReceipt,
    DocumentStatus,
    DocumentType,
    Health,
    IssuedFile,
    IssueReceipt,
    ItemClaimRequest,
    ManifestLinks,
    Member,
    Proposal,
    ProposalCreate,
    RejectRequest,
    RevokeRequest,
    SupersedeReceipt,
    Trail,
    TrailExport,
    VerificationAnswerBody,
    VerificationRequestBody,
    VerificationResult,
)

DEFAULT_NODE = "http://127.0.0.1:8701"
#: Officers' actions wait on the node for their transaction (20 s by default), so the read timeout exceeds it.
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 3
_BACKOFF_CAP = 4.0

M = TypeVar("M", bound=BaseModel)
Document = Mapping[str, Any] | bytes | str | Path


class OrigoClient:
    """A client of one Origo node.

    ``api_key`` is sent as ``Authorization: Bearer``; public calls need none. Idempotent calls (reads and
    verification) are retried ``retries`` times with exponential backoff when the node cannot be reached;
    calls that change something are sent once, so a failure never leaves the caller unsure whether an
    action was applied twice.

        with OrigoClient("http://127.0.0.1:8701", api_key="...") as origo:
            receipt = origo.issue(document)
            print(origo.status(receipt.document_id).state)
    """

    def __init__(
        self,
        base_url: str = DEFAULT_NODE,
        api_key: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        backoff: float = 0.25,
        sleep: Callable[[float], None] = time.sleep,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if retries < 0:
            raise ValueError("retries must be >= 0")
        self.base_url = base_url.rstrip("/")
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        headers = {"Accept": "application/json", "User-Agent": "origo-sdk/0.1"}
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            transport=transport,
        )

    # ------------------------------------------------------------------------------------------ plumbing

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> OrigoClient:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        content: bytes | None = None,
        params: Mapping[str, Any] | None = None,
        idempotent: bool | None = None,
        timeout: float | None = None,
    ) -> Any:
        """Sends one request and returns its JSON answer.

        Raises :class:`ApiError` (a subclass per kind) or :class:`ConnectionError`.
        """
        if idempotent is None:
            idempotent = method.upper() in ("GET", "HEAD", "OPTIONS")
        attempts = 1 + (self.retries if idempotent else 0)
        headers = (
            {"Content-Type": "application/json"} if content is not None or json_body is not None else None
        )
        body = content if content is not None else (None if json_body is None else _dumps(json_body))
        clean_params = {k: v for k, v in (params or {}).items() if v is not None}
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        for attempt in range(1, attempts + 1):
            try:
                response = self._http.request(
                    method, path, content=body, params=clean_params, headers=headers, **extra
                )
                break
            except httpx.TransportError as exc:
                if attempt == attempts:
                    raise ConnectionError(
                        _transport_message(exc, self.base_url), url=self.base_url + path, attempts=attempt
                    ) from exc
                self._sleep(min(self.backoff * 2 ** (attempt - 1), _BACKOFF_CAP))
        if response.status_code >= 400:
            raise error_from_response(response)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise ApiError(response.status_code, detail="the node's answer is not JSON") from exc

    def _get(self, path: str, model: type[M], params: Mapping[str, Any] | None = None) -> M:
        return model.model_validate(self.request("GET", path, params=params))

    def _post(self, path: str, model: type[M], body: Any, params: Mapping[str, Any] | None = None) -> M:
        return model.model_validate(self.request("POST", path, json_body=body, params=params))

    # ------------------------------------------------------------------------------------------ public

    def health(self) -> Health:
        return self._get("/healthz", Health)

    def members(self) -> list[Member]:
        return _list_of(Member, self.request("GET", "/api/v1/members"))

    def types(self) -> list[DocumentType]:
        return _list_of(DocumentType, self.request("GET", "/api/v1/types"))

    def schema(self, doc_type: str, version: str) -> dict[str, Any]:
        schema: dict[str, Any] = self.request("GET", f"/api/v1/types/{_seg(doc_type)}/{_seg(version)}/schema")
        return schema

    def status(self, key: str) -> DocumentStatus:
        """The public status of a document (id, ``ISSUER:REFERENCE`` or reference); 404 if unknown."""
        return self._get(f"/api/v1/documents/{_seg(key)}", DocumentStatus)

    def verify(self, key: str, digest: str | None = None) -> VerificationResult:
        """Verify by id or reference (with the digest from a QR code, if any); never 404: ``unknown``."""
        return self._get(f"/api/v1/verify/{_seg(key)}", VerificationResult, params={"digest": digest})

    def verify_file(self, document: Document) -> VerificationResult:
        """Verify a certificate file: its bytes as they are (a path, bytes, text or a parsed object)."""
        raw = _document_bytes(document)
        answer = self.request("POST", "/api/v1/verify", content=raw, idempotent=True)
        return VerificationResult.model_validate(answer)

    # ------------------------------------------------------------------------------------------ officer

    def issue(self, document: Document, grant: Iterable[str] | None = None) -> IssueReceipt:
        """File a document with this node's member; 202 ``pending`` until it is anchored."""
        answer = self.request(
            "POST", "/api/v1/documents", content=_document_bytes(document), params={"grant": _grant(grant)}
        )
        return IssueReceipt.model_validate(answer)

    def issue_bulk(
        self, documents: Iterable[Mapping[str, Any]], grant: Iterable[str] | None = None
    ) -> BulkReceipt:
        """File up to 1000 documents at once; each is accepted or refused on its own."""
        body = {"documents": [dict(d) for d in documents]}
        return self._post("/api/v1/documents/bulk", BulkReceipt, body, params={"grant": _grant(grant)})

    def issued_file(self, key: str) -> IssuedFile:
        """The issued file (document, Merkle proof, issuer's signature) of an anchored document."""
        return self._get(f"/api/v1/documents/{_seg(key)}/file", IssuedFile)

    def supersede(
        self, key: str, replacement: Document, grant: Iterable[str] | None = None
    ) -> SupersedeReceipt:
        answer = self.request(
            "POST",
            f"/api/v1/documents/{_seg(key)}/supersede",
            content=_document_bytes(replacement),
            params={"grant": _grant(grant)},
        )
        return SupersedeReceipt.model_validate(answer)

    def revoke(self, key: str, reason_code: int, reason: str = "", *, wait: float | None = None) -> Action:
        body = RevokeRequest(reason_code=reason_code, reason=reason)
        return self._action(key, "revoke", body, wait)

    def accept(
        self,
        key: str,
        declaration: str,
        quantity: str | None = None,
        *,
        item: int | None = None,
        claims: Mapping[int, str | None] | Iterable[ItemClaimRequest] | None = None,
        wait: float | None = None,
    ) -> Action:
        """Record a utilisation at import, in each item's own unit.

        Nothing but the declaration: the whole certificate. ``item`` (numbered as on the form, from 1) with
        ``quantity`` ("250.000"), or without it for all that is left on that item. ``quantity`` alone: the
        certificate's one item, or its items in order when they all count in one unit. ``claims`` names
        several items at once, ``{1: "3000", 2: None}`` (None: all left on that item), instead of ``item``
        and ``quantity``.
        """
        listed: list[ItemClaimRequest] | None = None
        if isinstance(claims, Mapping):
            listed = [ItemClaimRequest(item=number, quantity=amount) for number, amount in claims.items()]
        elif claims is not None:
            listed = list(claims)
        body = AcceptRequest(declaration=declaration, item=item, quantity=quantity, claims=listed)
        return self._action(key, "accept", body, wait)

    def reject(self, key: str, reason_code: int, reason: str = "", *, wait: float | None = None) -> Action:
        return self._action(key, "reject", RejectRequest(reason_code=reason_code, reason=reason), wait)

    def request_verification(self, key: str, reason: str, *, wait: float | None = None) -> Action:
        return self._action(key, "verification-request", VerificationRequestBody(reason=reason), wait)

    def answer_verification(
        self, key: str, confirmed: bool, reason: str = "", *, wait: float | None = None
    ) -> Action:
        body = VerificationAnswerBody(confirmed=confirmed, reason=reason)
        return self._action(key, "verification-answer", body, wait)

    def action(self, action_id: int) -> Action:
        return self._get(f"/api/v1/actions/{int(action_id)}", Action)

    def links(self, key: str) -> ManifestLinks:
        """A manifest's consignments and the certificates linked to each, with the mismatches."""
        return self._get(f"/api/v1/documents/{_seg(key)}/links", ManifestLinks)

    def _action(self, key: str, verb: str, body: BaseModel, wait: float | None) -> Action:
        timeout = None if wait is None else max(wait + 10.0, self._http.timeout.read or 0.0)
        answer = self.request(
            "POST",
            f"/api/v1/documents/{_seg(key)}/{verb}",
            json_body=body.model_dump(exclude_none=True),
            params={"wait": wait},
            timeout=timeout,
        )
        return Action.model_validate(answer)

    # ------------------------------------------------------------------------------------------ auditor

    def trail(self, key: str) -> Trail:
        return self._get(f"/api/v1/documents/{_seg(key)}/trail", Trail)

    def export(self, key: str) -> TrailExport:
        """Everything needed to re-check a document's trail against the chain without this node."""
        return self._get(f"/api/v1/documents/{_seg(key)}/export", TrailExport)

    def payload(self, key: str) -> dict[str, Any]:
        """The decrypted document, when this node's member is one it was encrypted for."""
        document: dict[str, Any] = self.request("GET", f"/api/v1/documents/{_seg(key)}/payload")
        return document

    def form_d(self, key: str) -> dict[str, Any]:
        """The certificate's ATIGA Form D, box by box, with its content (a member concerned only)."""
        laid_out: dict[str, Any] = self.request("GET", f"/api/v1/documents/{_seg(key)}/form-d")
        return laid_out

    def form_d_pdf(self, key: str) -> bytes:
        """The certificate's ATIGA Form D as an A4 PDF (a member concerned only)."""
        try:
            response = self._http.get(f"/api/v1/documents/{_seg(key)}/form-d.pdf")
        except httpx.TransportError as exc:
            raise ConnectionError(_transport_message(exc, self.base_url), url=self.base_url) from exc
        if response.status_code >= 400:
            raise error_from_response(response)
        return response.content

    # ------------------------------------------------------------------------------------------ admin

    def proposals(self) -> list[Proposal]:
        return _list_of(Proposal, self.request("GET", "/api/v1/consortium/proposals"))

    def proposal(self, proposal_id: int) -> Proposal:
        return self._get(f"/api/v1/consortium/proposals/{int(proposal_id)}", Proposal)

    def propose(self, proposal: ProposalCreate | Mapping[str, Any]) -> Proposal:
        body = proposal.model_dump(exclude_none=True) if isinstance(proposal, BaseModel) else dict(proposal)
        return self._post("/api/v1/consortium/proposals", Proposal, body)

    def vote(self, proposal_id: int) -> Proposal:
        return self._post(f"/api/v1/consortium/proposals/{int(proposal_id)}/vote", Proposal, None)

    # ------------------------------------------------------------------------------------------ waiting

    def wait_until_anchored(self, key: str, timeout: float = 60.0, poll: float = 0.5) -> DocumentStatus:
        """Polls the status until the document is no longer ``pending``; ``OrigoError`` on timeout."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.status(key)
            if status.state != DocumentState.PENDING:
                return status
            if time.monotonic() >= deadline:
                raise OrigoError(f"document {key} is still pending after {timeout:g} s")
            self._sleep(poll)


def _seg(value: str) -> str:
    """One path segment: ``VN:VN-2026-1`` stays readable, anything that could change the path is escaped."""
    return quote(value.strip(), safe=":")


def _grant(grant: Iterable[str] | None) -> str | None:
    if grant is None:
        return None
    codes = [code.strip().upper() for code in grant if code.strip()]
    return ",".join(codes) or None


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _document_bytes(document: Document) -> bytes:
    if isinstance(document, Path):
        return document.read_bytes()
    if isinstance(document, bytes):
        return document
    if isinstance(document, str):
        return document.encode("utf-8")
    return _dumps(dict(document))


def _list_of(model: type[M], answer: Any) -> list[M]:
    return TypeAdapter(list[model]).validate_python(answer)  # type: ignore[valid-type]


def _transport_message(exc: httpx.TransportError, base_url: str) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"the node at {base_url} did not answer in time ({type(exc).__name__})"
    return f"cannot reach the node at {base_url}: {exc or type(exc).__name__}"

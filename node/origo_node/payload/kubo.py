"""The payload store port over a kubo daemon's RPC API (``POST /api/v0/<command>``), for production use.

Spoken with one keep-alive httpx client rather than ipfshttpclient 0.7: that library refuses kubo >= 0.8 in
``connect()``, warns on every request under urllib3 2, and, measured against kubo 0.43 on the same machine,
served half as many requests per second (add 29/s against 60/s, cat 81/s against 129/s). Only endpoints kubo
0.43 serves are used: add, cat, pin/add, block/get|put|stat, version. Lookups carry kubo's own ``timeout``
option so that asking for a CID nobody has ends as NotFound instead of searching until the HTTP timeout.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import httpx

from origo_node.errors import NotFound, PayloadError
from origo_node.payload.cid import Cid
from origo_node.payload.importer import file_cid

DEFAULT_API = "/ip4/127.0.0.1/tcp/5001/http"
_ADD_OPTIONS = {"cid-version": "1", "raw-leaves": "true", "pin": "true"}
# Phrases kubo uses when content is absent (locally when offline, or nowhere within the timeout).
_ABSENT = ("not found", "deadline exceeded", "no link named")
_HOST_PROTOCOLS = ("ip4", "ip6", "dns", "dns4", "dns6")


def api_url(api: str) -> str:
    """The HTTP base URL of a kubo RPC address: a multiaddr (``/ip4/127.0.0.1/tcp/5001[/http]``) or a URL."""
    if api.startswith(("http://", "https://")):
        return api.rstrip("/")
    parts = api.strip("/").split("/")
    scheme = parts[4] if len(parts) == 5 else "http"
    if (
        len(parts) not in (4, 5)
        or parts[0] not in _HOST_PROTOCOLS
        or parts[2] != "tcp"
        or not parts[3].isdigit()
    ):
        raise PayloadError(f"bad kubo API address {api!r}: expected e.g. {DEFAULT_API}")
    if scheme not in ("http", "https"):
        raise PayloadError(f"bad kubo API address {api!r}: ends in /{scheme}, not /http or /https")
    host = f"[{parts[1]}]" if parts[0] == "ip6" else parts[1]
    return f"{scheme}://{host}:{parts[3]}"


class KuboPayloadStore:
    def __init__(
        self, api: str = DEFAULT_API, *, timeout: float = 30.0, lookup_timeout: float = 10.0
    ) -> None:
        self.api = api
        self._lookup = f"{lookup_timeout:g}s"
        self._http = httpx.Client(base_url=api_url(api), timeout=timeout)

    def __repr__(self) -> str:
        return f"KuboPayloadStore({self.api!r})"

    def close(self) -> None:
        self._http.close()

    def problem(self, timeout: float = 1.0) -> str | None:
        """What is wrong with the daemon, in plain words, or None when it answers; for health reports, so
        bounded by a short timeout: a hung daemon must not hang the node's health check with it."""
        try:
            self._rpc("version", {}, timeout=timeout)
        except PayloadError as exc:
            return exc.message
        return None

    def put(self, data: bytes) -> str:
        answer = self._rpc("add", _ADD_OPTIONS, data=data).json()
        cid = str(answer["Hash"])
        expected = file_cid(data)
        if cid != expected:
            # The CID is what the manifest names and members look up: a daemon chunking otherwise would
            # store payloads nobody finds under the anchored CID.
            raise PayloadError(
                f"kubo stored the payload as {cid}, not {expected}:"
                " its add settings differ from kubo's defaults"
            )
        return cid

    def put_many(self, payloads: Sequence[bytes]) -> list[str]:
        return [self.put(data) for data in payloads]

    def get(self, cid: str) -> bytes:
        response = self._rpc("cat", {"arg": str(Cid.parse(cid)), "timeout": self._lookup})
        size = response.headers.get("X-Content-Length")
        # kubo reports a failure in the middle of a stream only in a trailer: a short body is the sign of it.
        if size is not None and size.isdigit() and int(size) != len(response.content):
            raise PayloadError(
                f"kubo's answer was cut short ({len(response.content)} of {size} bytes)", cid=cid
            )
        return response.content

    def has(self, cid: str) -> bool:
        return self.has_block(cid)

    def pin(self, cid: str) -> None:
        self._rpc("pin/add", {"arg": str(Cid.parse(cid)), "timeout": self._lookup})

    def prefetch(self, cids: Sequence[str]) -> int:
        # kubo fetches what it lacks over bitswap, from every peer of the swarm at once, when a payload is
        # read (``cat``): nothing to do ahead of it here.
        return 0

    def get_block(self, cid: str) -> bytes:
        parsed = Cid.parse(cid)
        block = self._rpc("block/get", {"arg": str(parsed), "timeout": self._lookup}).content
        if not parsed.matches(block):
            raise PayloadError("kubo returned a block that does not hash to its CID", cid=cid)
        return block

    def put_block(self, block: bytes, codec: str = "raw") -> str:
        answer = self._rpc("block/put", {"cid-codec": codec, "mhtype": "sha2-256"}, data=block).json()
        return str(answer["Key"])

    def has_block(self, cid: str) -> bool:
        try:
            self._rpc("block/stat", {"arg": str(Cid.parse(cid)), "offline": "true"})
        except NotFound:
            return False
        return True

    def _rpc(
        self,
        command: str,
        params: Mapping[str, str],
        *,
        data: bytes | None = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """One RPC, its errors translated into the store's: NotFound when kubo says the content is absent."""
        files = None if data is None else {"file": ("payload", data, "application/octet-stream")}
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        try:
            response = self._http.post(f"/api/v0/{command}", params=dict(params), files=files, **extra)
        except httpx.TimeoutException as exc:
            waited = self._http.timeout.read if timeout is None else timeout
            raise PayloadError(f"the kubo daemon at {self.api} did not answer within {waited:g} s") from exc
        except httpx.HTTPError as exc:
            raise PayloadError(f"the kubo daemon at {self.api} cannot be reached: {exc}") from exc
        if response.status_code == 200:
            return response
        message = _error_message(response)
        if any(phrase in message.lower() for phrase in _ABSENT):
            raise NotFound(f"kubo does not have it: {message}")
        raise PayloadError(f"kubo refused the request ({command}): {message}")


def _error_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text.strip() or f"HTTP {response.status_code}"
    if isinstance(body, dict) and body.get("Message"):
        return str(body["Message"])
    return response.text.strip()

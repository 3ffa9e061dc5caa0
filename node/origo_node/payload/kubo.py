"""The payload store port over a kubo (go-ipfs) daemon's RPC API, for production deployments.

ipfshttpclient 0.7 is used only for the endpoints current kubo still serves (add, cat, pin, block),
and its ``Client`` is built directly because ``connect()`` refuses daemons newer than 0.7. Lookups
carry kubo's own ``timeout`` option so that asking for a CID nobody has ends as NotFound instead of
searching the network until the HTTP timeout.

Not exercised on machines without kubo: the conformance suite runs it when ORIGO_TEST_KUBO_API is set.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import ipfshttpclient  # type: ignore[import-untyped, unused-ignore]
from ipfshttpclient import exceptions as ipfs_errors  # type: ignore[import-untyped, unused-ignore]

from origo_node.errors import NotFound, PayloadError
from origo_node.payload.cid import Cid

DEFAULT_API = "/ip4/127.0.0.1/tcp/5001/http"
_ADD_OPTIONS = {"cid-version": "1", "raw-leaves": "true", "pin": "true"}
# Phrases kubo uses when content is absent (locally when offline, or nowhere within the timeout).
_ABSENT = ("not found", "deadline exceeded", "no link named")

T = TypeVar("T")


class KuboPayloadStore:
    def __init__(
        self, api: str = DEFAULT_API, *, timeout: float = 30.0, lookup_timeout: float = 10.0
    ) -> None:
        self.api = api
        self._lookup = {"timeout": f"{lookup_timeout:g}s"}
        try:
            self._client: Any = ipfshttpclient.Client(api, timeout=timeout)
        except ipfs_errors.Error as exc:
            raise PayloadError(f"bad kubo API address {api!r}: {exc}") from exc

    def __repr__(self) -> str:
        return f"KuboPayloadStore({self.api!r})"

    def close(self) -> None:
        self._client.close()

    def problem(self, timeout: float = 1.0) -> str | None:
        """What is wrong with the daemon, in plain words, or None when it answers; for health reports, so
        bounded by a short timeout: a hung daemon must not hang the node's health check with it."""
        try:
            self._client.version(timeout=timeout)
        except ipfs_errors.TimeoutError:
            return f"the kubo daemon at {self.api} did not answer within {timeout:g} s"
        except ipfs_errors.Error as exc:
            return f"the kubo daemon at {self.api} cannot be reached: {exc}"
        return None

    def put(self, data: bytes) -> str:
        return str(self._call(lambda: self._client.add_bytes(data, opts=_ADD_OPTIONS)))

    def put_many(self, payloads: Sequence[bytes]) -> list[str]:
        return [self.put(data) for data in payloads]

    def get(self, cid: str) -> bytes:
        checked = str(Cid.parse(cid))
        return bytes(self._call(lambda: self._client.cat(checked, opts=self._lookup)))

    def has(self, cid: str) -> bool:
        return self.has_block(cid)

    def pin(self, cid: str) -> None:
        checked = str(Cid.parse(cid))
        self._call(lambda: self._client.pin.add(checked, opts=self._lookup))

    def get_block(self, cid: str) -> bytes:
        parsed = Cid.parse(cid)
        block = bytes(self._call(lambda: self._client.block.get(str(parsed), opts=self._lookup)))
        if not parsed.matches(block):
            raise PayloadError("kubo returned a block that does not hash to its CID", cid=cid)
        return block

    def put_block(self, block: bytes, codec: str = "raw") -> str:
        options = {"cid-codec": codec, "mhtype": "sha2-256"}
        answer = self._call(lambda: self._client.block.put(io.BytesIO(block), opts=options))
        return str(answer["Key"])

    def has_block(self, cid: str) -> bool:
        checked = str(Cid.parse(cid))
        try:
            self._call(lambda: self._client.block.stat(checked, offline=True))
        except NotFound:
            return False
        return True

    def _call(self, request: Callable[[], T]) -> T:
        """Run one RPC, translating ipfshttpclient's errors into the store's."""
        try:
            return request()
        except ipfs_errors.ErrorResponse as exc:
            if any(phrase in str(exc).lower() for phrase in _ABSENT):
                raise NotFound(f"kubo does not have it: {exc}") from exc
            raise PayloadError(f"kubo refused the request: {exc}") from exc
        except ipfs_errors.Error as exc:
            raise PayloadError(f"kubo RPC failed: {exc}") from exc

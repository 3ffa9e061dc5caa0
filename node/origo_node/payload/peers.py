"""Fetch blocks from other members' trustless gateways, trusting none of them.

Each block is asked of one peer after another (``GET {peer}/ipfs/{cid}?format=raw``) until one
returns bytes that hash to the CID; nothing unverified is ever handed back, so a faulty or hostile
peer costs time, never integrity.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from types import TracebackType

import httpx

from origo_node.errors import NotFound, PayloadError
from origo_node.payload.car import CAR_MEDIA_TYPE, read_car
from origo_node.payload.cid import Cid

log = logging.getLogger(__name__)

RAW_BLOCK_MEDIA_TYPE = "application/vnd.ipld.raw"
# kubo refuses blocks over 2 MiB for bitswap; a bigger answer is not a block, so stop reading it early.
MAX_BLOCK_SIZE = 2 * 1024 * 1024
#: Roots asked for in one CAR request (the gateway's bound), and the largest CAR read (above its answer's).
MAX_CAR_ROOTS = 4096
MAX_CAR_SIZE = 80 * 1024 * 1024


class _BadAnswer(Exception):
    pass


class PeerFetcher:
    def __init__(
        self, peers: Sequence[str], *, timeout: float = 10.0, client: httpx.Client | None = None
    ) -> None:
        self.peers = tuple(peer.rstrip("/") for peer in peers)
        self._owns_client = client is None
        self._client = client if client is not None else httpx.Client(timeout=timeout)

    def __repr__(self) -> str:
        return f"PeerFetcher(peers={list(self.peers)!r})"

    def close(self) -> None:
        if self._owns_client:
            self._client.close()

    def __enter__(self) -> PeerFetcher:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def fetch_block(self, cid: Cid) -> bytes:
        """A block that hashes to ``cid``, from the first peer that has one.

        Raises NotFound when every peer says it has no such block, PayloadError when at least one
        peer failed in another way (unreachable, wrong bytes...) and none answered correctly.
        """
        failures: dict[str, str] = {}
        for peer in self.peers:
            try:
                block = self._ask(peer, cid)
            except NotFound:
                continue
            except (_BadAnswer, httpx.HTTPError) as exc:
                log.warning("peer %s failed to serve block %s: %s", peer, cid, exc)
                failures[peer] = str(exc) or type(exc).__name__
                continue
            return block
        if failures:
            raise PayloadError("no peer served a valid copy of the block", cid=str(cid), failures=failures)
        raise NotFound("no peer holds the block", cid=str(cid), peers=list(self.peers))

    def fetch_many(self, cids: Sequence[Cid]) -> dict[Cid, bytes]:
        """As many blocks of ``cids`` and of the DAGs under them as the peers serve in one CAR each
        (``POST /ipfs/car``), every block checked against its CID; what none served is simply absent (the
        caller fetches it block by block). A peer that does not serve CARs (kubo's gateway, an older node)
        answers 404/405 and costs one request."""
        found: dict[Cid, bytes] = {}
        wanted = list(dict.fromkeys(cids))
        for peer in self.peers:
            missing = [cid for cid in wanted if cid not in found]
            if not missing:
                break
            for start in range(0, len(missing), MAX_CAR_ROOTS):
                try:
                    found.update(self._ask_car(peer, missing[start : start + MAX_CAR_ROOTS]))
                except (_BadAnswer, PayloadError, httpx.HTTPError) as exc:
                    log.warning("peer %s failed to serve a CAR of %d payloads: %s", peer, len(missing), exc)
                    break
        return found

    def _ask_car(self, peer: str, cids: Sequence[Cid]) -> dict[Cid, bytes]:
        body = {"cids": [str(cid) for cid in cids]}
        headers = {"Accept": CAR_MEDIA_TYPE}
        with self._client.stream("POST", f"{peer}/ipfs/car", json=body, headers=headers) as response:
            if response.status_code in (404, 405, 406):
                return {}
            if response.status_code != 200:
                raise _BadAnswer(f"HTTP {response.status_code}")
            data = bytearray()
            for piece in response.iter_bytes():
                data.extend(piece)
                if len(data) > MAX_CAR_SIZE:
                    raise _BadAnswer(f"CAR larger than {MAX_CAR_SIZE} bytes")
        _, blocks = read_car(bytes(data))  # raises CarInvalid if any block is not its CID's
        return dict(blocks)

    def _ask(self, peer: str, cid: Cid) -> bytes:
        url = f"{peer}/ipfs/{cid}"
        headers = {"Accept": RAW_BLOCK_MEDIA_TYPE}
        with self._client.stream("GET", url, params={"format": "raw"}, headers=headers) as response:
            if response.status_code == 404:
                raise NotFound("peer does not hold the block")
            if response.status_code != 200:
                raise _BadAnswer(f"HTTP {response.status_code}")
            block = bytearray()
            for piece in response.iter_bytes():
                block.extend(piece)
                if len(block) > MAX_BLOCK_SIZE:
                    raise _BadAnswer(f"answer larger than {MAX_BLOCK_SIZE} bytes")
        if not cid.matches(bytes(block)):
            raise _BadAnswer("bytes do not hash to the CID")
        return bytes(block)

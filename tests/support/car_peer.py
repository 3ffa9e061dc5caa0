"""A member's gateway for the payload store's tests: it serves CARs of the roots asked for (as the real one,
``POST /ipfs/car``) and single blocks, and counts the single blocks it was asked for."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
from origo_node.payload import LocalPayloadStore, PeerFetcher
from origo_node.payload.car import write_car
from origo_node.payload.cid import Cid
from origo_node.payload.importer import DEFAULT_CHUNK_SIZE, build_file_dag

PAYLOADS = [os.urandom(3000), os.urandom(2 * DEFAULT_CHUNK_SIZE + 5)]
DAGS = [build_file_dag(data) for data in PAYLOADS]
BLOCKS = {cid: block for dag in DAGS for cid, block in dag.blocks}


class Peer:
    """A member's gateway: CARs of the roots asked for, single blocks; counts the single blocks asked for."""

    def __init__(self) -> None:
        self.single: list[str] = []
        self.client = httpx.Client(transport=httpx.MockTransport(self.answer))

    def answer(self, request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            roots = [Cid.parse(text) for text in json.loads(request.content)["cids"]]
            wanted = [dag for dag in DAGS if dag.root in roots]
            car = write_car(roots, [pair for dag in wanted for pair in dag.blocks])
            return httpx.Response(200, content=b"".join(car))
        text = request.url.path.removeprefix("/ipfs/")
        self.single.append(text)
        block = BLOCKS.get(Cid.parse(text))
        return httpx.Response(200, content=block) if block is not None else httpx.Response(404)


def reading_store(tmp_path: Path, peer: Peer) -> LocalPayloadStore:
    return LocalPayloadStore(tmp_path, peers=PeerFetcher(["http://peer0"], client=peer.client))


def rot_in_pack(tmp_path: Path, cid: Cid) -> None:
    """Flips a bit of the block in the pack its round was written to."""
    [pack] = [path for path in (tmp_path / "packs").glob("*.car") if BLOCKS[cid] in path.read_bytes()]
    data = bytearray(pack.read_bytes())
    data[data.find(BLOCKS[cid]) + 7] ^= 1
    pack.write_bytes(bytes(data))

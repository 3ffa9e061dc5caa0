"""Many payloads in one answer: the gateway's CAR (POST /ipfs/car) read by the peer fetcher, every block
checked against its CID, and nothing but the DAGs asked for kept."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from origo_node.payload import LocalPayloadStore, PeerFetcher
from origo_node.payload.car import CarInvalid, read_car, write_car
from origo_node.payload.cid import RAW, Cid
from origo_node.payload.importer import DEFAULT_CHUNK_SIZE
from origo_node.payload.port import BlockReader

PAYLOADS = [os.urandom(5000) for _ in range(20)] + [os.urandom(2 * DEFAULT_CHUNK_SIZE + 3)]


def test_a_car_round_trips_and_a_forged_block_is_refused() -> None:
    blocks = [(Cid.of_block(RAW, data), data) for data in PAYLOADS[:3]]
    car = b"".join(write_car([blocks[0][0]], blocks))
    roots, read = read_car(car)
    assert roots == [blocks[0][0]] and read == blocks
    forged = car[:-1] + bytes([car[-1] ^ 1])
    with pytest.raises(CarInvalid, match="does not hash"):
        read_car(forged)
    for cut in (1, len(car) // 2, len(car) - 1):
        with pytest.raises(CarInvalid):
            read_car(car[:cut])


def test_one_request_brings_every_payload_held_and_the_rest_is_read_block_by_block(
    tmp_path: Path, serve_gateway: Callable[[BlockReader], str]
) -> None:
    serving = LocalPayloadStore(tmp_path / "serving")
    cids = [serving.put(data) for data in PAYLOADS]
    requests: list[str] = []
    url = serve_gateway(serving.blocks)
    client = httpx.Client(event_hooks={"request": [lambda r: requests.append(f"{r.method} {r.url.path}")]})
    with PeerFetcher([url], client=client) as fetcher:
        reading = LocalPayloadStore(tmp_path / "reading", peers=fetcher)
        stored = reading.prefetch(cids)
        assert requests == ["POST /ipfs/car"]
        assert stored == len(PAYLOADS) - 1 + 4  # the big payload is a root and three leaves
        assert [reading.get(cid) for cid in cids] == PAYLOADS
        assert requests == ["POST /ipfs/car"]  # nothing fetched again


def test_a_peer_sending_a_block_nobody_asked_for_gets_it_dropped(tmp_path: Path) -> None:
    wanted = Cid.of_block(RAW, PAYLOADS[0])
    extra = Cid.of_block(RAW, b"junk nobody asked for")

    def answer(request: httpx.Request) -> httpx.Response:
        car = b"".join(write_car([wanted], [(wanted, PAYLOADS[0]), (extra, b"junk nobody asked for")]))
        return httpx.Response(200, content=car)

    client = httpx.Client(transport=httpx.MockTransport(answer))
    reading = LocalPayloadStore(tmp_path, peers=PeerFetcher(["http://peer0"], client=client))
    assert reading.prefetch([str(wanted)]) == 1
    assert reading.has_block(str(wanted)) and not reading.has_block(str(extra))


@pytest.mark.parametrize(
    "answer",
    [
        lambda request: httpx.Response(200, content=b"not a car at all"),
        lambda request: httpx.Response(405),
        lambda request: httpx.Response(500),
    ],
)
def test_a_peer_without_cars_or_with_a_bad_one_costs_only_the_request(
    tmp_path: Path, answer: Callable[[httpx.Request], httpx.Response]
) -> None:
    client = httpx.Client(transport=httpx.MockTransport(answer))
    reading = LocalPayloadStore(tmp_path, peers=PeerFetcher(["http://peer0"], client=client))
    assert reading.prefetch([str(Cid.of_block(RAW, PAYLOADS[0]))]) == 0


def test_the_gateway_refuses_what_is_not_a_list_of_cids(
    tmp_path: Path, serve_gateway: Callable[[BlockReader], str]
) -> None:
    url = serve_gateway(LocalPayloadStore(tmp_path).blocks)
    for body in ({"cids": "bafy"}, {"cids": ["not-a-cid"]}, {"cids": ["x"] * 5000}, [1, 2]):
        response = httpx.post(f"{url}/ipfs/car", json=body)
        assert response.status_code == 400, (body, response.status_code)
        assert response.headers["content-type"].startswith("application/problem+json")

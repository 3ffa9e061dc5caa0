"""The node's importer must give the CIDs kubo gives; the reference JS importer stands in for kubo."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest
from origo_node.payload.cid import DAG_PB, RAW, Cid
from origo_node.payload.dag import links_of
from origo_node.payload.importer import DEFAULT_CHUNK_SIZE, FileDag, build_file_dag, file_cid

ReferenceCids = Callable[..., list[str]]
CHUNK = DEFAULT_CHUNK_SIZE
SIZES = [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 7]


def depth(dag: FileDag) -> int:
    """Levels of dag-pb nodes above the leaves."""
    blocks = dict(dag.blocks)

    def below(cid: Cid) -> int:
        children = links_of(cid, blocks[cid])
        return 1 + max(below(child) for child in children) if children else 0

    return below(dag.root)


def test_default_chunking_matches_the_reference_importer(reference_cids: ReferenceCids) -> None:
    payloads = [os.urandom(size) for size in SIZES]

    assert [file_cid(payload) for payload in payloads] == reference_cids(*payloads)


def test_single_chunk_payloads_are_one_raw_block_and_larger_ones_a_dag_pb_root() -> None:
    assert Cid.parse(file_cid(b"")).codec == RAW
    assert file_cid(b"").startswith("bafk")
    assert Cid.parse(file_cid(bytes(CHUNK))).codec == RAW
    assert Cid.parse(file_cid(bytes(CHUNK + 1))).codec == DAG_PB
    assert file_cid(bytes(CHUNK + 1)).startswith("bafy")


@pytest.mark.parametrize(
    ("size", "chunk_size", "max_links", "levels"),
    [
        (1024 * 200, 1024, 174, 2),  # more than 174 leaves: two levels of dag-pb nodes
        (174 * 64 + 1, 64, 174, 2),  # one leaf beyond what one node of 174 links holds
        (174 * 174 + 1, 1, 174, 3),  # kubo's own fan-out, three levels deep (30,277 one-byte leaves)
        (5000, 16, 3, 6),  # 313 leaves, fan-out 3: a deep tree with a ragged right edge
        (48, 16, 3, 1),  # exactly one full node
        (64, 16, 3, 2),  # one leaf too many for one node: a lone leaf gets its own parent
    ],
)
def test_many_level_trees_match_the_reference_importer(
    reference_cids: ReferenceCids, size: int, chunk_size: int, max_links: int, levels: int
) -> None:
    payload = os.urandom(size)
    dag = build_file_dag(payload, chunk_size, max_links)
    assert depth(dag) == levels

    [expected] = reference_cids(payload, chunk_size=chunk_size, max_links=max_links)
    assert str(dag.root) == expected

"""Cut a payload into a UnixFS file DAG exactly as ``ipfs add --cid-version 1 --raw-leaves`` does.

kubo's defaults: fixed-size chunks of 256 KiB, each a raw (0x55) block; a file of one chunk is that
block alone; otherwise a balanced tree of dag-pb nodes with at most 174 links each, built bottom-up
one full level at a time. The chunk size and fan-out are parameters only so that tests can build deep
trees from small inputs; production code keeps the defaults, or CIDs stop matching other nodes'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from origo_node.payload.cid import DAG_PB, RAW, Cid
from origo_node.payload.dagpb import PbLink, file_node

DEFAULT_CHUNK_SIZE = 262_144
DEFAULT_MAX_LINKS = 174


@dataclass(frozen=True, slots=True)
class _Child:
    cid: Cid
    file_bytes: int  # how much of the payload lies under this block (UnixFS blocksizes entry)
    tree_bytes: int  # this block plus everything under it (dag-pb link Tsize)


@dataclass(frozen=True, slots=True)
class FileDag:
    root: Cid
    #: Every block of the DAG, leaves first and the root last, with its CID.
    blocks: tuple[tuple[Cid, bytes], ...]


def chunk(data: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE) -> list[bytes]:
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    # An empty payload is still one (empty) chunk, as in the reference importer.
    return [data[i : i + chunk_size] for i in range(0, len(data), chunk_size)] or [b""]


def build_file_dag(
    data: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE, max_links: int = DEFAULT_MAX_LINKS
) -> FileDag:
    if max_links < 2:
        raise ValueError("max_links must be at least 2")
    blocks: list[tuple[Cid, bytes]] = []
    level: list[_Child] = []
    for piece in chunk(data, chunk_size):
        cid = Cid.of_block(RAW, piece)
        blocks.append((cid, piece))
        level.append(_Child(cid, len(piece), len(piece)))
    if len(level) == 1:
        return FileDag(level[0].cid, tuple(blocks))
    while True:
        # Even a lone leftover child gets a parent of its own, as in kubo: only a single-chunk file
        # is reduced to its leaf.
        level = [_parent(level[i : i + max_links], blocks) for i in range(0, len(level), max_links)]
        if len(level) == 1:
            return FileDag(level[0].cid, tuple(blocks))


def _parent(children: Sequence[_Child], blocks: list[tuple[Cid, bytes]]) -> _Child:
    links = [PbLink(child.cid, child.tree_bytes) for child in children]
    block = file_node(links, [child.file_bytes for child in children])
    cid = Cid.of_block(DAG_PB, block)
    blocks.append((cid, block))
    return _Child(
        cid,
        file_bytes=sum(child.file_bytes for child in children),
        tree_bytes=len(block) + sum(child.tree_bytes for child in children),
    )


def file_cid(data: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE, max_links: int = DEFAULT_MAX_LINKS) -> str:
    """The CID ``ipfs add --cid-version 1 --raw-leaves`` would give ``data``, without storing anything."""
    return str(build_file_dag(data, chunk_size, max_links).root)

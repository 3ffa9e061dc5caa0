"""Read a UnixFS file back out of its blocks, wherever the blocks come from.

The loader decides where a block comes from (disk, a peer, kubo) and must only return bytes that
match the CID it was asked for; this module checks the structure: codecs, UnixFS types, sizes.
"""

from __future__ import annotations

from collections.abc import Callable

from origo_node.errors import PayloadError
from origo_node.payload.cid import DAG_PB, RAW, Cid
from origo_node.payload.dagpb import UnixFsType, decode_node, decode_unixfs

BlockLoader = Callable[[Cid], bytes]

# A kubo DAG of 174-link nodes is 4 levels deep at 5 TB; anything deeper is hostile or broken, and
# bounding it keeps a crafted chain from exhausting the stack.
MAX_DEPTH = 32


def links_of(cid: Cid, block: bytes) -> tuple[Cid, ...]:
    if cid.codec == RAW:
        return ()
    return tuple(link.cid for link in decode_node(block).links)


def read_file(root: Cid, load: BlockLoader) -> bytes:
    out = bytearray()
    _append_file(root, load, out, depth=0)
    return bytes(out)


def _append_file(cid: Cid, load: BlockLoader, out: bytearray, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise PayloadError("UnixFS DAG is deeper than any file the store would build", cid=str(cid))
    block = load(cid)
    if cid.codec == RAW:
        out.extend(block)
        return
    if cid.codec != DAG_PB:
        raise PayloadError(f"cannot read a {cid.codec_name} block as a file", cid=str(cid))
    node = decode_node(block)
    unixfs = decode_unixfs(node.data)
    if unixfs.type not in (UnixFsType.FILE, UnixFsType.RAW):
        raise PayloadError(f"CID names a UnixFS {unixfs.type.name.lower()}, not a file", cid=str(cid))
    start = len(out)
    out.extend(unixfs.data)
    for link in node.links:
        _append_file(link.cid, load, out, depth + 1)
    if unixfs.filesize is not None and len(out) - start != unixfs.filesize:
        raise PayloadError("UnixFS node's filesize does not match its content", cid=str(cid))


def walk_blocks(root: Cid, load: BlockLoader) -> int:
    """Load every block under ``root`` (so a loader that fetches leaves them all local); return how many."""
    count = 0
    pending = [(root, 0)]
    while pending:
        cid, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise PayloadError("DAG is deeper than any file the store would build", cid=str(cid))
        count += 1
        pending.extend((child, depth + 1) for child in links_of(cid, load(cid)))
    return count

"""Block sync messages: STATUS, GET_BLOCKS and BLOCKS (docs/p2p.md, "Block sync").

Fixed big-endian layouts, decoded strictly (exact sizes, no trailing bytes, counts within
the limits we asked for). Blocks and commits travel as their Cap'n Proto bytes; the
chain that applies them decodes and validates them.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from tonomy.net.errors import ProtocolViolationError

_STATUS = struct.Struct(">Q32s")
_GET_BLOCKS = struct.Struct(">IQH")
_BLOCKS_HEAD = struct.Struct(">IQH")
_LEN = struct.Struct(">I")

#: Protocol bound on blocks per request (a node may ask for fewer).
MAX_BLOCKS_PER_REQUEST = 256


@dataclass(frozen=True)
class Status:
    height: int
    head_hash: bytes


@dataclass(frozen=True)
class GetBlocks:
    request_id: int
    from_height: int
    count: int


@dataclass(frozen=True)
class Blocks:
    request_id: int
    from_height: int
    #: ``(block bytes, commit bytes or None)`` for heights ``from_height``, ``from_height + 1``, …
    items: tuple[tuple[bytes, bytes | None], ...]


def encode_status(status: Status) -> bytes:
    return _STATUS.pack(status.height, status.head_hash)


def decode_status(data: bytes) -> Status:
    if len(data) != _STATUS.size:
        raise ProtocolViolationError(f"a STATUS of {len(data)} bytes, expected {_STATUS.size}")
    height, head = _STATUS.unpack(data)
    return Status(height, head)


def encode_get_blocks(request: GetBlocks) -> bytes:
    return _GET_BLOCKS.pack(request.request_id, request.from_height, request.count)


def decode_get_blocks(data: bytes) -> GetBlocks:
    if len(data) != _GET_BLOCKS.size:
        raise ProtocolViolationError(f"a GET_BLOCKS of {len(data)} bytes, expected {_GET_BLOCKS.size}")
    request = GetBlocks(*_GET_BLOCKS.unpack(data))
    if not 1 <= request.count <= MAX_BLOCKS_PER_REQUEST:
        raise ProtocolViolationError(f"a GET_BLOCKS for {request.count} blocks (1..{MAX_BLOCKS_PER_REQUEST})")
    return request


def encode_blocks(response: Blocks) -> bytes:
    parts = [_BLOCKS_HEAD.pack(response.request_id, response.from_height, len(response.items))]
    for block, commit in response.items:
        parts += [_LEN.pack(len(block)), block, _LEN.pack(len(commit) if commit else 0), commit or b""]
    return b"".join(parts)


def decode_blocks(data: bytes, max_items: int = MAX_BLOCKS_PER_REQUEST) -> Blocks:
    if len(data) < _BLOCKS_HEAD.size:
        raise ProtocolViolationError("a truncated BLOCKS header")
    request_id, from_height, count = _BLOCKS_HEAD.unpack_from(data)
    if count > max_items:
        raise ProtocolViolationError(f"a BLOCKS with {count} items (at most {max_items})")
    items: list[tuple[bytes, bytes | None]] = []
    offset = _BLOCKS_HEAD.size
    for _ in range(count):
        block, offset = _take(data, offset)
        if not block:
            raise ProtocolViolationError("an empty block in BLOCKS")
        commit, offset = _take(data, offset)
        items.append((block, commit or None))
    if offset != len(data):
        raise ProtocolViolationError("trailing bytes after BLOCKS")
    return Blocks(request_id, from_height, tuple(items))


def _take(data: bytes, offset: int) -> tuple[bytes, int]:
    if offset + _LEN.size > len(data):
        raise ProtocolViolationError("a truncated BLOCKS item")
    (length,) = _LEN.unpack_from(data, offset)
    start = offset + _LEN.size
    if start + length > len(data):
        raise ProtocolViolationError("a BLOCKS item longer than the message")
    return data[start : start + length], start + length

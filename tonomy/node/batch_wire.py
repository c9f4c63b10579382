"""The binary form of a batch submission, and its compact answer (both ends use this).

Request (``Content-Type: application/octet-stream``): entries back to back, each a
4-byte big-endian length and then that many bytes of a signed transaction. No base64,
no JSON: the node slices the body and hands the slices to the chain as they are.

Answer (JSON, small): ``{"admitted": n, "ids": "<hex>", "refused": [{"index": i,
"problem": {...}}]}`` where ``ids`` holds the 32-byte ids of the admitted transactions
in request order, concatenated, and ``refused`` names the others by their index. A
client that needs one result per transaction rebuilds them with :func:`merge_answer`.

The framing is checked whole before anything reaches the chain: a truncated length,
a length past the end of the body, an empty body or too many entries refuse the whole
request (``api.bad_request``). An entry larger than a transaction may be is refused on
its own, as an oversized item of the JSON form is; an empty entry goes to the chain,
which refuses it as malformed, as it would refuse an empty JSON item.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import Any

from tonomy.errors import TonomyError
from tonomy.node.errors import BadRequestError, UntrustedAnswerError
from tonomy.node.problems import error_from_problem, problem

BATCH_CONTENT_TYPE = "application/octet-stream"
LENGTH_PREFIX = struct.Struct(">I")
TX_ID_SIZE = 32


def encode_batch(txs: Sequence[bytes]) -> bytes:
    """The request body for ``txs`` (each length-prefixed)."""
    pack = LENGTH_PREFIX.pack
    return b"".join(pack(len(tx)) + tx for tx in txs)


def split_batch(body: bytes, *, max_entries: int, max_entry_bytes: int) -> list[bytes | TonomyError]:
    """The entries of a binary batch; an oversized entry is its refusal (raised for the whole body otherwise)."""
    if not body:
        raise BadRequestError("a batch holds at least one transaction")
    entries: list[bytes | TonomyError] = []
    unpack = LENGTH_PREFIX.unpack_from
    prefix = LENGTH_PREFIX.size
    offset, end = 0, len(body)
    while offset < end:
        if len(entries) == max_entries:
            raise BadRequestError(f"a batch holds at most {max_entries} transactions")
        if end - offset < prefix:
            raise BadRequestError(f"entry {len(entries)}: the body ends inside its {prefix}-byte length")
        (size,) = unpack(body, offset)
        offset += prefix
        if size > end - offset:
            raise BadRequestError(f"entry {len(entries)}: its length {size} runs past the end of the body")
        if size > max_entry_bytes:
            entries.append(BadRequestError(f"transaction is larger than {max_entry_bytes} bytes"))
        else:
            entries.append(body[offset : offset + size])
        offset += size
    return entries


def compact_answer(results: Sequence[bytes | TonomyError]) -> dict[str, Any]:
    """The node's answer to a binary batch: ids of the admitted, problems of the refused."""
    ids: list[bytes] = []
    refused: list[dict[str, Any]] = []
    for index, result in enumerate(results):
        if isinstance(result, TonomyError):
            refused.append({"index": index, "problem": problem(result)[1]})
        else:
            ids.append(result)
    return {"admitted": len(ids), "ids": b"".join(ids).hex(), "refused": refused}


def merge_answer(doc: object, count: int) -> list[bytes | TonomyError]:
    """One result per transaction from a compact answer (the client side); checks its shape."""
    unreadable = UntrustedAnswerError("the node's batch answer does not hold one result per transaction")
    if not isinstance(doc, dict) or not isinstance(doc.get("refused"), list) or not isinstance(doc.get("ids"), str):
        raise unreadable
    refused: list[Any] = doc["refused"]
    try:
        ids = bytes.fromhex(doc["ids"])
    except ValueError:
        raise unreadable from None
    if len(ids) != TX_ID_SIZE * (count - len(refused)):
        raise unreadable
    out: list[bytes | TonomyError | None] = [None] * count
    previous = -1
    for item in refused:
        index = item.get("index") if isinstance(item, dict) else None
        if type(index) is not int or not previous < index < count:
            raise unreadable
        out[index] = error_from_problem(item.get("problem"), 422)
        previous = index
    at = 0
    for index, result in enumerate(out):
        if result is None:
            out[index] = ids[at : at + TX_ID_SIZE]
            at += TX_ID_SIZE
    return out  # type: ignore[return-value]  # every None was filled in


__all__ = ["BATCH_CONTENT_TYPE", "TX_ID_SIZE", "compact_answer", "encode_batch", "merge_answer", "split_batch"]

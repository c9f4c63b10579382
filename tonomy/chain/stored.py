"""Cheap reads of what a chain has committed: stored bytes as they are, and events by plugin.

``Chain.get_block`` decodes a whole block (thousands of transactions) into objects; a
node that only forwards a block to a peer, or compares it with one it was offered, needs
its stored bytes. ``Chain.get_events`` decodes every event of a range; a node service
that follows one plugin's events needs only those. These readers answer exactly what
the decoding readers answer, restricted to what the caller asked for.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from tonomy.chain import blocks, codec

#: Every event of one block fits in one range read (the store's own bound).
MAX_EVENTS_PER_BLOCK = 100_000


def block_bytes(chain: Any, height: int) -> bytes | None:
    """The stored ``encode_block`` bytes of block ``height`` (None if there is none)."""
    if type(height) is not int or not 0 <= height < 1 << 64:
        return None
    raw = chain.store.aux_get(blocks.BLOCKS, blocks.height_key(height))
    return None if raw is None else bytes(raw)


def commit_bytes(chain: Any, height: int) -> bytes | None:
    """The stored ``encode_commit`` bytes that finalized block ``height`` (None if unknown)."""
    if type(height) is not int or not 0 <= height < 1 << 64:
        return None
    raw = chain.store.aux_get(blocks.META, blocks.commit_key(height))
    return None if raw is None else bytes(raw)


def receipt_bytes(store: Any, tx_id: bytes) -> bytes | None:
    """The stored receipt record of transaction ``tx_id`` (None if it is not in a block).

    Receipts are kept by location (height ‖ index, so a block's receipts append to the
    table), found through the tx index; a store written before they moved there keeps
    them by id.
    """
    location = store.aux_get(blocks.TX_INDEX, tx_id)
    if location is None:
        return None
    raw = store.aux_get(blocks.RECEIPTS, location)
    return bytes(raw) if raw is not None else store.aux_get(blocks.RECEIPTS, tx_id)


def _field(name: str, value: str) -> bytes:
    """How ``"name": value`` appears inside any canonically encoded record (sorted keys, no spaces)."""
    return codec.encode({name: value})[1:-1]


def block_events(
    chain: Any, height: int, *, plugin: str | None = None, names: Collection[str] | None = None
) -> list[dict[str, Any]]:
    """The events of block ``height`` (as ``Chain.get_events`` gives them), only of ``plugin``
    and only named one of ``names`` when those are given.

    A record is decoded only if its stored bytes contain the encoded ``"plugin": plugin``
    (and one ``"name": n``) field: every matching record does, since the canonical encoding
    writes each field the same way wherever it stands. The substring may also occur deeper
    in an event's data, so every candidate is decoded and checked exactly.
    """
    rows = chain.store.aux_range(blocks.EVENTS, blocks.height_key(height), blocks.height_key(height + 1), MAX_EVENTS_PER_BLOCK)
    plugin_field = None if plugin is None else _field("plugin", plugin)
    name_fields = None if names is None else [_field("name", name) for name in names]
    if plugin_field is not None and plugin_field not in b"\x00".join(value for _, value in rows):
        return []  # the usual answer, from one search (the NUL-free field cannot span two records)
    out = []
    for key, value in rows:
        if plugin_field is not None and plugin_field not in value:
            continue
        if name_fields is not None and not any(field in value for field in name_fields):
            continue
        record = codec.decode(value)
        if plugin is not None and record.get("plugin") != plugin:
            continue
        if names is not None and record.get("name") not in names:
            continue
        record.update(height=int.from_bytes(key[:8], "big"), tx_index=int.from_bytes(key[8:12], "big"))
        out.append(record)
    return out


__all__ = ["block_bytes", "block_events", "commit_bytes"]

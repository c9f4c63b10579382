"""Chain objects turned into the API's response models (hex for every binary field)."""

from __future__ import annotations

from typing import Any

from tonomy import _core
from tonomy.node.api_models import BlockView, HeaderView


def header_view(header: Any) -> HeaderView:
    encoded = _core.encode_block_header(header)
    return HeaderView(
        height=header.height,
        hash=header.hash.hex(),
        time=header.time,
        chain_id=header.chain_id.hex(),
        previous_hash=header.previous_hash.hex(),
        transaction_root=header.transaction_root.hex(),
        state_root=header.state_root.hex(),
        proposer=header.proposer.hex(),
        validator_set_hash=header.validator_set_hash.hex(),
        round=header.round,
        last_commit_hash=header.last_commit_hash.hex(),
        encoded=encoded.hex(),
    )


def block_view(block: Any) -> BlockView:
    return BlockView(header=header_view(block.header), transactions=[tx.id.hex() for tx in block.transactions])


def transaction_ids(block: Any) -> list[bytes]:
    return [tx.id for tx in block.transactions]


__all__ = ["block_view", "header_view", "transaction_ids"]

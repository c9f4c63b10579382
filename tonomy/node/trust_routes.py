"""What a client needs to trust nothing but a chain id: the genesis and each block's commit.

A client pinned to a chain id fetches ``GET /v1/genesis``, hashes the record itself
(the chain id is the hash of its canonical encoding) and so learns the validator set
without trusting the node. For any header the node shows it (a block, a state
proof's header) it fetches ``GET /v1/blocks/{height}/commit`` and checks that more
than two thirds of that set precommitted the header's hash (``tonomy.sdk``).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Path

from tonomy import _core
from tonomy.errors import NotFoundError
from tonomy.node.api import HEIGHT_PATTERN, _height  # loaded first: build_app installs these routes
from tonomy.node.api_models import CommitView, GenesisView
from tonomy.node.errors import UnknownBlockError


def install_trust_routes(app: FastAPI, services: Any, responses: Any) -> None:
    worker = services.worker

    @app.get("/v1/genesis", response_model=GenesisView, responses=responses)
    async def get_genesis() -> GenesisView:
        """The genesis record; its canonical encoding hashes to the chain id."""
        record, chain_id = await worker.call(lambda chain: (chain.genesis.to_record(), chain.chain_id))
        return GenesisView(chain_id=chain_id.hex(), genesis=record)

    @app.get("/v1/blocks/{height}/commit", response_model=CommitView, responses=responses)
    async def get_commit(
        height: Annotated[str, Path(pattern=HEIGHT_PATTERN, description="A block height (decimal, at least 1).")],
    ) -> CommitView:
        """The precommits that finalized block ``height`` (genesis has none).

        The node's own stored commit, or else the one the next block carries.
        """
        wanted = _height(height)

        def read(chain: Any) -> tuple[Any, bytes] | None:
            if wanted < 1 or wanted > chain.head.height:
                return None
            try:
                commit, block = chain.get_commit(wanted), chain.get_block(wanted)
                if commit is None and wanted < chain.head.height:
                    # A block taken from sync may come without its commit; the next block
                    # carries it (``last_commit``), and the client verifies it either way.
                    after = chain.get_block(wanted + 1)
                    commit = None if after is None or not after.last_commit.votes else after.last_commit
            except NotFoundError:
                return None
            return None if commit is None or block is None else (commit, block.hash)

        found = await worker.call(read)
        if found is None:
            raise UnknownBlockError(f"no commit for block {height}")
        commit, block_hash = found
        return CommitView(height=wanted, block_hash=block_hash.hex(), commit=_core.encode_commit(commit).hex())


__all__ = ["install_trust_routes"]

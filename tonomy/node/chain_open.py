"""Open the chain a node runs: genesis from its file, the plugins, the validator key."""

from __future__ import annotations

from typing import Any

from tonomy.node.chain_port import ChainPort
from tonomy.node.config import NodeConfig
from tonomy.node.keys import read_key_file

#: A proposal takes transactions while executing them takes at most this long (seconds):
#: every validator executes it again before the propose timeout (2 s by default) ends.
BUILD_BUDGET_S = 0.4


def load_genesis(path: Any) -> Any:
    from tonomy.chain.genesis import Genesis

    return Genesis.load(path)


def open_chain(config: NodeConfig) -> ChainPort:
    """Open (or create from genesis) the chain in ``config.data_dir``; runs on the chain thread."""
    from tonomy.chain.chain import Chain
    from tonomy.plugin import build_plugin_manager

    genesis = load_genesis(config.genesis_file)
    seed = None if config.validator_key_file is None else read_key_file(config.validator_key_file).seed
    chain = Chain.open(config.data_dir, genesis, build_plugin_manager(), validator_seed=seed)
    chain.build_budget_s = BUILD_BUDGET_S
    opened: ChainPort = chain
    return opened


__all__ = ["BUILD_BUDGET_S", "load_genesis", "open_chain"]

"""Open the chain a node runs: genesis from its file, the plugins, the validator key."""

from __future__ import annotations

from typing import Any

from tonomy.node.chain_port import ChainPort
from tonomy.node.config import NodeConfig
from tonomy.node.keys import read_key_file
from tonomy.node.schedule import wall_clock_ms

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
    from tonomy.plugin.apploader import APPS_FOLDER, installed_plugin_names, load_installed_apps

    genesis = load_genesis(config.genesis_file)
    seed = None if config.validator_key_file is None else read_key_file(config.validator_key_file).seed
    # Apps installed from the marketplace (docs/marketplace.md) load beside the installed
    # plugins; each is verified and scanned again here, and a refused one stops the node.
    apps = load_installed_apps(config.data_dir / APPS_FOLDER, installed_plugin_names())
    chain = Chain.open(config.data_dir, genesis, build_plugin_manager(extra_plugins=apps), validator_seed=seed)
    chain.build_budget_s = BUILD_BUDGET_S
    chain.clock_ms = wall_clock_ms
    opened: ChainPort = chain
    return opened


__all__ = ["BUILD_BUDGET_S", "load_genesis", "open_chain"]

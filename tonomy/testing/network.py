"""A test network on disk: a genesis with a validator and demo accounts, their keys, and
helpers that sign real transactions for it. Used with :class:`NodeProcess` by the node's
end-to-end tests and benchmarks (and by anything else that needs a live node).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tonomy.node.keys import KeyPair, write_key_file
from tonomy.testing.node_process import NodeProcess

GENESIS_TIME_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z; block times come from the node's schedule


@dataclass
class Network:
    """A genesis file and the keys behind it (validator, alice, bob)."""

    root: Path
    genesis_file: Path
    validator_key_file: Path
    keys: dict[str, KeyPair]

    def node(self, name: str = "node", *, block_time_ms: int = 50, validator: bool = True) -> NodeProcess:
        return NodeProcess(
            self.root / name,
            self.genesis_file,
            self.validator_key_file if validator else None,
            block_time_ms=block_time_ms,
        )


def make_network(
    root: Path,
    accounts: tuple[str, ...] = ("alice", "bob"),
    *,
    parameters: dict[str, dict[str, Any]] | None = None,
) -> Network:
    """Write keys (0600) and a genesis pinning the installed plugins into ``root``."""
    from tonomy.chain.genesis import Genesis, GenesisAccount
    from tonomy.node.devnet import installed_plugins

    root.mkdir(parents=True, exist_ok=True)
    validator = KeyPair.generate()
    write_key_file(root / "validator.key", validator)
    keys = {name: KeyPair.generate(name) for name in accounts}
    genesis = Genesis(
        chain_name="node-tests",
        initial_time_ms=GENESIS_TIME_MS,
        validators=(validator.public_key,),
        accounts=tuple(GenesisAccount(name, "person", (key.public_key,)) for name, key in keys.items()),
        plugins=tuple(installed_plugins()),
        parameters=parameters or {},
    )
    genesis.save(root / "genesis.json")
    return Network(root, root / "genesis.json", root / "validator.key", keys)


_names = itertools.count()


def fresh_account_name(prefix: str = "acct") -> str:
    """An account name no other call in this process returns."""
    return f"{prefix}{next(_names)}"


def newaccount_tx(
    network: Network, head: Any, name: str, *, creator: str = "alice", signer: str | None = None, **build: Any
) -> bytes:
    """``creator`` creates the account ``name`` (owner and active: a fresh key): a system action.

    ``signer`` signs instead of the creator (to provoke tx.unauthorized); ``build`` goes to
    ``build_transaction`` (nonce, expiration, ...).
    """
    from tonomy.chain.txbuilder import action, build_transaction

    key = KeyPair.generate().public_key
    authority = {"threshold": 1, "keys": [{"key": key, "weight": 1}], "accounts": [], "waits": []}
    data = {"creator": creator, "name": name, "type": "person", "owner": authority, "active": authority}
    act = action("tonomy", "newaccount", data, [f"{creator}@active"])
    return build_transaction(head.chain_id, head, [act], [network.keys[signer or creator].seed], **build)


__all__ = ["GENESIS_TIME_MS", "Network", "fresh_account_name", "make_network", "newaccount_tx"]

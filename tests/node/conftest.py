"""Fixtures for node tests: a genesis with demo accounts and real node processes on 127.0.0.1."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tonomy.node.client import NodeClient
from tonomy.node.keys import KeyPair, write_key_file
from tonomy.testing.node_process import NodeProcess


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


def make_network(root: Path) -> Network:
    from tonomy.chain.genesis import Genesis, GenesisAccount
    from tonomy.node.devnet import installed_plugins

    root.mkdir(parents=True, exist_ok=True)
    validator = KeyPair.generate()
    write_key_file(root / "validator.key", validator)
    keys = {name: KeyPair.generate(name) for name in ("alice", "bob")}
    genesis = Genesis(
        chain_name="node-tests",
        initial_time_ms=1_767_225_600_000,
        validators=(validator.public_key,),
        accounts=tuple(GenesisAccount(name, "person", (key.public_key,)) for name, key in keys.items()),
        plugins=tuple(installed_plugins()),
    )
    genesis.save(root / "genesis.json")
    return Network(root, root / "genesis.json", root / "validator.key", keys)


@pytest.fixture(scope="module")
def network(tmp_path_factory: pytest.TempPathFactory) -> Network:
    return make_network(tmp_path_factory.mktemp("network"))


@pytest.fixture(scope="module")
def running_node(network: Network) -> Iterator[NodeProcess]:
    node = network.node("shared")
    node.start()
    try:
        yield node
    finally:
        node.stop()


@pytest.fixture
def client(running_node: NodeProcess) -> Iterator[NodeClient]:
    with NodeClient(running_node.url) as c:
        yield c


_names = itertools.count()


def fresh_account_name(prefix: str = "acct") -> str:
    return f"{prefix}{next(_names)}"


def newaccount_tx(
    network: Network, head: Any, name: str, *, creator: str = "alice", signer: str | None = None, **build: Any
) -> bytes:
    """``creator`` (alice) creates the account ``name`` (owner and active: a fresh key): a system action.

    ``signer`` signs instead of the creator (to provoke tx.unauthorized); ``build`` goes to
    ``build_transaction`` (nonce, expiration, ...).
    """
    from tonomy.chain.txbuilder import action, build_transaction

    key = KeyPair.generate().public_key
    authority = {"threshold": 1, "keys": [{"key": key, "weight": 1}], "accounts": [], "waits": []}
    data = {"creator": creator, "name": name, "type": "person", "owner": authority, "active": authority}
    act = action("tonomy", "newaccount", data, [f"{creator}@active"])
    return build_transaction(head.chain_id, head, [act], [network.keys[signer or creator].seed], **build)


@pytest.fixture
def make_tx(network: Network) -> Callable[..., bytes]:
    def make(head: Any, name: str | None = None, **kwargs: Any) -> bytes:
        return newaccount_tx(network, head, name or fresh_account_name(), **kwargs)

    return make

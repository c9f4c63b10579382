"""A small ledger harness for tests: named keys, a genesis, a chain in a directory.

    net = LedgerNet.create(tmp_path, plugins=[my_plugin], accounts=["alice", "bob"])
    tx_id = net.submit(net.action("mine", "do", {"x": 1}, "alice@active"), signers=["alice"])
    header = net.produce()
    receipt = net.chain.get_receipt(tx_id)

Keys are derived from labels (``seed("alice")``), so every run and every process
builds the same chain. Every account in ``accounts`` gets the key of its own name
as owner and active. The validator's seed is ``seed("validator")``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tonomy import _core
from tonomy.chain.chain import Chain
from tonomy.chain.genesis import Genesis, GenesisAccount
from tonomy.chain.txbuilder import action as make_action
from tonomy.chain.txbuilder import build_transaction

GENESIS_TIME_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z
BLOCK_INTERVAL_MS = 1000


def seed(label: str) -> bytes:
    """A reproducible 32-byte Ed25519 seed per label (test keys only)."""
    return hashlib.sha256(b"tonomy test seed/" + label.encode()).digest()


def public_key(label: str) -> bytes:
    return _core.ed25519_public_key(seed(label))


def build_manager(plugins: Iterable[object]) -> Any:
    from tonomy.plugin.manager import build_plugin_manager

    return build_plugin_manager(autoload=False, extra_plugins=list(plugins))


def make_genesis(
    manager: Any,
    accounts: Sequence[str] = ("alice", "bob", "carol"),
    *,
    parameters: Mapping[str, Mapping[str, Any]] | None = None,
    chain_name: str = "testnet",
    validators: Sequence[str] = ("validator",),
) -> Genesis:
    """A genesis pinning exactly the manager's plugins, with one key per account."""
    return Genesis(
        chain_name=chain_name,
        initial_time_ms=GENESIS_TIME_MS,
        validators=tuple(public_key(label) for label in validators),
        accounts=tuple(GenesisAccount(name, "person", (public_key(name),)) for name in accounts),
        plugins=tuple((record.name, record.info.version) for record in manager.registry.plugins),
        parameters=dict(parameters or {}),
    )


@dataclass
class LedgerNet:
    """One chain in ``data_dir`` with its genesis and plugin manager."""

    data_dir: Path
    genesis: Genesis
    manager: Any
    chain: Chain

    @classmethod
    def create(
        cls,
        data_dir: str | Path,
        *,
        plugins: Iterable[object] = (),
        accounts: Sequence[str] = ("alice", "bob", "carol"),
        parameters: Mapping[str, Mapping[str, Any]] | None = None,
        manager: Any = None,
        genesis: Genesis | None = None,
    ) -> LedgerNet:
        manager = manager if manager is not None else build_manager(plugins)
        genesis = genesis if genesis is not None else make_genesis(manager, accounts, parameters=parameters)
        path = Path(data_dir)
        chain = Chain.open(path, genesis, manager, validator_seed=seed("validator"), durable=False)
        return cls(path, genesis, manager, chain)

    def reopen(self) -> LedgerNet:
        """Close and open the same directory again (a restart)."""
        self.chain.close()
        self.chain = Chain.open(self.data_dir, self.genesis, self.manager, validator_seed=seed("validator"), durable=False)
        return self

    def close(self) -> None:
        self.chain.close()

    @staticmethod
    def action(plugin: str, name: str, data: Mapping[str, Any], *authorization: str) -> _core.Action:
        return make_action(plugin, name, data, authorization)

    def transaction(self, actions: _core.Action | Sequence[_core.Action], signers: Sequence[str], **options: Any) -> bytes:
        listed = [actions] if isinstance(actions, _core.Action) else list(actions)
        return build_transaction(self.chain.chain_id, self.chain.head, listed, [seed(label) for label in signers], **options)

    def submit(self, actions: _core.Action | Sequence[_core.Action], signers: Sequence[str], **options: Any) -> bytes:
        return self.chain.submit(self.transaction(actions, signers, **options))

    def produce(self, time_ms: int | None = None) -> _core.BlockHeader:
        return self.chain.produce_block(self.chain.head.time + BLOCK_INTERVAL_MS if time_ms is None else time_ms)

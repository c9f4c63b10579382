"""A small world builder for chain-core tests: accounts with named, reproducible keys."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

import pytest

from tonomy.chain.accounts import AccountType, create_account
from tonomy.chain.authority import Authority, PermissionLevel
from tonomy.chain.checker import ActionAuthorization, check_transaction_authorizations
from tonomy.chain.permissions import update_auth
from tonomy.chain.state import MemoryState


def key(label: str) -> bytes:
    """A distinct, reproducible 32-byte public key per label (the checker only compares bytes)."""
    return hashlib.sha256(b"test key " + label.encode()).digest()


class World:
    def __init__(self) -> None:
        self.state = MemoryState()

    key = staticmethod(key)

    def account(
        self,
        name: str,
        *,
        owner: Authority | None = None,
        active: Authority | None = None,
        kind: AccountType = AccountType.PERSON,
        creator: str | None = None,
    ) -> str:
        """Create ``name`` with keys ``<name>/owner`` and ``<name>/active`` unless told otherwise."""
        create_account(
            self.state,
            name,
            kind,
            creator=creator,
            owner=owner or Authority.single_key(key(f"{name}/owner")),
            active=active or Authority.single_key(key(f"{name}/active")),
        )
        return name

    def set_auth(self, level: str, authority: Authority, parent: str | None = None) -> None:
        actor, _, permission = level.partition("@")
        if parent is None and permission != "owner":
            parent = "owner" if permission == "active" else "active"
        update_auth(self.state, actor, permission, parent, authority)

    def check(
        self,
        declared: str | Iterable[str],
        keys: Iterable[bytes],
        *,
        plugin: str = "pay",
        action: str = "transfer",
        delay: int = 0,
        **limits: int,
    ) -> frozenset[bytes]:
        levels = (declared,) if isinstance(declared, str) else tuple(declared)
        act = ActionAuthorization(plugin, action, tuple(PermissionLevel.parse(text) for text in levels))
        return check_transaction_authorizations(self.state, [act], list(keys), delay, **limits)


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture(scope="session")
def make_world() -> type[World]:
    """The World class itself, for Hypothesis tests that build a fresh world per example."""
    return World



# -- ledger tests: a real chain over LMDB in a tmp dir, with the test plugins --------------


def _load_ledger_plugins():  # type: ignore[no-untyped-def]
    import importlib.util
    from pathlib import Path

    path = Path(__file__).with_name("ledger_plugins.py")
    spec = importlib.util.spec_from_file_location("tonomy_ledger_test_plugins", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ledger_plugins = _load_ledger_plugins()


@pytest.fixture
def net(tmp_path):  # type: ignore[no-untyped-def]
    from tonomy.testing.ledger import LedgerNet

    opened = LedgerNet.create(tmp_path / "chain", plugins=ledger_plugins.plugins(), accounts=["alice", "bob", "carol", "dave"])
    yield opened
    opened.close()


@pytest.fixture
def make_net(tmp_path):  # type: ignore[no-untyped-def]
    """Build more chains in tmp dirs: ``make_net("name", parameters=..., accounts=...)``."""
    from tonomy.testing.ledger import LedgerNet

    made = []

    def make(name: str, **options):  # type: ignore[no-untyped-def]
        options.setdefault("plugins", ledger_plugins.plugins())
        options.setdefault("accounts", ["alice", "bob", "carol", "dave"])
        opened = LedgerNet.create(tmp_path / name, **options)
        made.append(opened)
        return opened

    yield make
    for opened in made:
        opened.chain.close()


@pytest.fixture
def ledger_manager():  # type: ignore[no-untyped-def]
    """A plugin manager with the ledger test plugins."""
    from tonomy.testing.ledger import build_manager

    return build_manager(ledger_plugins.plugins())

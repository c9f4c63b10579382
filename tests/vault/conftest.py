"""Vault test fixtures: a real chain with the vault plugin, a node blob store, identities."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


def _load_harness():  # type: ignore[no-untyped-def]
    if "vault_harness" in sys.modules:
        return sys.modules["vault_harness"]
    spec = importlib.util.spec_from_file_location("vault_harness", Path(__file__).with_name("harness.py"))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["vault_harness"] = module
    spec.loader.exec_module(module)
    return module


harness = _load_harness()


@dataclass
class World:
    net: object
    blobs: object
    server: object
    people: dict
    directory: object
    path: Path


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    from tonomy_vault.blobs import BlobStore

    net = harness.make_net(tmp_path / "chain")
    blobs = BlobStore(tmp_path / "blobs")
    server = harness.ChainServer(net, blobs)
    people = {name: harness.person(name) for name in harness.ACCOUNTS}
    directory = harness.directory_for(*people.values())
    yield World(net, blobs, server, people, directory, tmp_path)
    net.close()


@pytest.fixture
def hostile(tmp_path: Path) -> Iterator[World]:
    """Like ``world`` but the server is a :class:`HostileServer` (honest until a hook is set)."""
    from tonomy_vault.blobs import BlobStore

    net = harness.make_net(tmp_path / "chain")
    blobs = BlobStore(tmp_path / "blobs")
    server = harness.HostileServer(net, blobs)
    people = {name: harness.person(name) for name in harness.ACCOUNTS}
    directory = harness.directory_for(*people.values())
    yield World(net, blobs, server, people, directory, tmp_path)
    net.close()

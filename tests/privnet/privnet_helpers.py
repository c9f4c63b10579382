"""Helpers of the private-data network tests: a three-validator network of real node processes with alice, bob and carol, whose
X25519 key-agreement keys are published in their identity records."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from nacl.bindings import crypto_scalarmult_base

from tonomy.node.client import NodeClient
from tonomy.testing.cluster import Cluster, make_cluster


@dataclass
class Member:
    name: str
    seed: bytes  # the active (and owner) key of the genesis account
    x_secret: bytes
    kek: bytes

    @property
    def x_public(self) -> bytes:
        return crypto_scalarmult_base(self.x_secret)


@dataclass
class PrivNet:
    cluster: Cluster
    clients: list[NodeClient]
    people: dict[str, Member]




def blob_dirs(net: PrivNet) -> list[Any]:
    return [node.data_dir / "plugins" / "vault" / "blobs" for node in net.cluster.nodes]

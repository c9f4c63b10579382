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
    app_seed: bytes  # the app account's active key
    app_request_seed: bytes  # the key the app signs login requests with


APP = "notesapp"
APP_ORIGIN = "https://notes.example"
APP_REDIRECT = "https://notes.example/callback"


def authority(public: bytes) -> dict[str, Any]:
    return {"threshold": 1, "keys": [{"key": public, "weight": 1}], "accounts": [], "waits": []}


def register_app(client: NodeClient, creator: Member, app_seed: bytes, request_seed: bytes) -> None:
    """``creator`` creates the app account; the app registers its origin and the scopes it may ask."""
    from tonomy_identity.crypto import public_key

    key = public_key(app_seed)
    receipt = client.push_action("tonomy", "newaccount", {"creator": creator.name, "name": APP, "type": "app",
                                 "owner": authority(key), "active": authority(key)}, [f"{creator.name}@active"],
                                 seeds=[creator.seed], timeout=60)
    assert receipt.ok, receipt.error_message
    receipt = client.push_action("identity", "register_app", {
        "account": APP, "name": "Notes", "origin": APP_ORIGIN, "redirect_uris": [APP_REDIRECT],
        "scopes": ["vault.read_medical"], "request_key": public_key(request_seed)}, [f"{APP}@active"], seeds=[app_seed],
        timeout=60)
    assert receipt.ok, receipt.error_message




def blob_dirs(net: PrivNet) -> list[Any]:
    return [node.data_dir / "plugins" / "vault" / "blobs" for node in net.cluster.nodes]

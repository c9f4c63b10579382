"""A live node with accounts that publish X25519 key-agreement keys, and mail clients for them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nacl.bindings import crypto_scalarmult_base

from tonomy.node.client import NodeClient
from tonomy.node.keys import KeyPair

from tonomy_msg.client import MailClient
from tonomy_msg.directory import ProvenDirectory

NETWORK = "testnet"
PEOPLE = ("alice", "bob", "carol")


@dataclass
class Person:
    name: str
    key: KeyPair
    x_secret: bytes

    @property
    def x_public(self) -> bytes:
        return crypto_scalarmult_base(self.x_secret)


def publish_keys(client: NodeClient, people: dict[str, Person]) -> None:
    for p in people.values():
        receipt = client.push_action("identity", "set_key_agreement", {"account": p.name, "id": "x25519-1", "key": p.x_public},
                                     [f"{p.name}@active"], seeds=[p.key.seed])
        assert receipt.ok, receipt.error_message


def people_for(keys: dict[str, KeyPair]) -> dict[str, Person]:
    return {name: Person(name, key, os.urandom(32)) for name, key in keys.items()}


def mail_client(node: Any, directory_node: NodeClient, person: Person, state: Path | None = None) -> MailClient:
    """A client for ``person`` talking to ``node`` (maybe hostile); keys are proven through ``directory_node``."""
    directory = ProvenDirectory(directory_node, directory_node.head, NETWORK)
    return MailClient(node, person.name, person.key.seed, person.x_secret, directory, state)

"""Who is who, from proven chain state: an account's active keys and key-agreement keys.

:class:`ProvenDirectory` fetches the DID's state values with Merkle proofs from any
node and checks them against a header the caller trusts (``did.resolve``), exactly as
a DID resolver does. A node that lies about a key fails the proof check
(``identity.invalid_proof``). Tests and other callers may use :class:`StaticKeys`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from tonomy_identity import did as didm
from tonomy_identity.errors import NotFoundError
from tonomy_identity.proofs import verify


@dataclass(frozen=True)
class AccountKeys:
    active: tuple[bytes, ...]  # Ed25519: what signs messages, requests and receipts
    agreement: tuple[bytes, ...]  # X25519: what messages are sealed to (the first one)


class KeyResolver(Protocol):
    def keys(self, account: str) -> AccountKeys: ...


@dataclass
class StaticKeys:
    table: dict[str, AccountKeys] = field(default_factory=dict)

    def keys(self, account: str) -> AccountKeys:
        found = self.table.get(account)
        if found is None:
            raise NotFoundError(f"no keys known for {account}")
        return found


class NodeStateSource:
    """A node's ``/v1/state`` answers shaped like ``Chain.get_state`` (value, proof, header), so the
    identity plugin's proof fetchers (``did.fetch_proofs``, ``login.fetch_*_proofs``) work over HTTP.
    Nothing is trusted here: callers verify the proofs against a header they trust."""

    def __init__(self, node: Any, height: int) -> None:
        self.node = node
        self.height = height

    def get_state(self, plugin: str, key: bytes, height: int | None = None) -> tuple[bytes | None, bytes, Any]:
        from tonomy.node.client import decode_header

        doc = self.node.request_json("GET", f"/v1/state/{plugin}/{key.hex()}?height={height or self.height}")
        value = None if doc.get("value") is None else bytes.fromhex(doc["value"])
        return value, bytes.fromhex(doc["proof"]), decode_header(doc["header"])


class ProvenDirectory:
    """Keys from a node's state answers, checked against ``trusted_header()``."""

    def __init__(self, node: Any, trusted_header: Callable[[], Any], network: str) -> None:
        self.node = node
        self.trusted_header = trusted_header
        self.network = network

    def keys(self, account: str) -> AccountKeys:
        header = self.trusted_header()
        did = didm.did_for(self.network, account)
        bundle = didm.fetch_proofs(NodeStateSource(self.node, header.height), did, header.height)
        didm.resolve(did, bundle, header, {self.network: header.chain_id})  # existence, type, every proof
        needed = didm.needed_keys(account)
        proven = verify(bundle, header, needed)
        active = proven[needed[2]]
        record = proven[needed[3]] or {"key_agreement": []}
        return AccountKeys(
            tuple(entry["key"] for entry in (active["authority"]["keys"] if active else [])),
            tuple(entry["key"] for entry in record["key_agreement"]),
        )

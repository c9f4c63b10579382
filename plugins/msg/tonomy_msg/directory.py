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
from tonomy_identity.proofs import ProofBundle, ProvenValue, verify


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


class ProvenDirectory:
    """Keys from a node's state answers, checked against ``trusted_header()``."""

    def __init__(self, node: Any, trusted_header: Callable[[], Any], network: str) -> None:
        self.node = node
        self.trusted_header = trusted_header
        self.network = network

    def keys(self, account: str) -> AccountKeys:
        header = self.trusted_header()
        did = didm.did_for(self.network, account)
        needed = didm.needed_keys(account)
        values = []
        for full in needed:
            plugin, key = ("tonomy", full[4:]) if full.startswith(b"sys/") else (full[2:].split(b"/", 1)[0].decode(),
                                                                                 full[2:].split(b"/", 1)[1])
            doc = self.node.request_json("GET", f"/v1/state/{plugin}/{key.hex()}?height={header.height}")
            value = None if doc.get("value") is None else bytes.fromhex(doc["value"])
            values.append(ProvenValue(full, value, bytes.fromhex(doc["proof"])))
        bundle = ProofBundle(header.height, tuple(values))
        didm.resolve(did, bundle, header, {self.network: header.chain_id})  # existence, type, every proof
        proven = verify(bundle, header, needed)
        active = proven[needed[2]]
        record = proven[needed[3]] or {"key_agreement": []}
        return AccountKeys(
            tuple(entry["key"] for entry in (active["authority"]["keys"] if active else [])),
            tuple(entry["key"] for entry in record["key_agreement"]),
        )

"""A vault server for tests: a real chain (LedgerNet) plus a node BlobStore, recording everything.

``ChainServer`` is honest about what it does, but like a hostile operator it keeps a
transcript of every request and answer (and logs it), so the canary tests can grep
what an operator could have kept. Tests subclass it to misbehave.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nacl.public import PrivateKey

from tonomy.chain import codec
from tonomy.errors import ActionFailedError
from tonomy.testing.ledger import LedgerNet
from tonomy.vault import StaticDirectory
from tonomy.vault.formats import ALGORITHM_NAME, FORMAT_CURRENT
from tonomy.wallet.derivation import vault_key, x25519_secret

import tonomy_vault
from tonomy_vault.blobs import BlobStore
from tonomy_vault.remote import VaultQueries

LOG = logging.getLogger("tonomy.vault.testserver")
ACCOUNTS = ("alice", "bob", "carol", "dave", "erin", "frank")


@dataclass(frozen=True)
class Person:
    """An identity's vault keys, from a root seed (what the wallet derives from a passphrase)."""

    name: str
    root: bytes

    @property
    def kek(self) -> bytes:
        return vault_key(self.root)

    @property
    def secret(self) -> bytes:
        return bytes(x25519_secret(self.root))

    @property
    def public(self) -> bytes:
        return bytes(x25519_secret(self.root).public_key)


def person(name: str, generation: int = 0) -> Person:
    return Person(name, hashlib.sha256(f"vault test root/{name}/{generation}".encode()).digest())


def stranger_key() -> tuple[bytes, bytes]:
    key = PrivateKey.generate()
    return bytes(key), bytes(key.public_key)


class ChainServer(VaultQueries):
    """:class:`tonomy.vault.VaultServer` over a LedgerNet chain and a BlobStore."""

    def __init__(self, net: LedgerNet, blobs: BlobStore) -> None:
        self.net = net
        self.blobs = blobs
        self.transcript: list[str] = []

    def _record(self, what: str, *items: object) -> None:
        line = what + " " + " ".join(x.hex() if isinstance(x, bytes) else repr(x) for x in items)
        self.transcript.append(line)
        LOG.debug("%s", line)

    def offer(self) -> Mapping[str, Any]:
        return {"format": FORMAT_CURRENT, "algorithm": ALGORITHM_NAME}

    def put_blob(self, data: bytes) -> bytes:
        digest = self.blobs.put(data)
        self._record("put_blob", digest, data)
        return digest

    def get_blob(self, content_hash: bytes) -> bytes:
        data = self.blobs.get(content_hash)
        self._record("get_blob", content_hash, data)
        return data

    def _query(self, name: str, params: Mapping[str, Any]) -> Any:
        answer = self.net.chain.query("vault", name, params)
        self._record("query", name, dict(params), answer)
        return answer

    def submit(self, signer: str, actions: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        self._record("submit", signer, [(name, dict(data)) for name, data in actions])
        built = [self.net.action("vault", name, data, f"{signer}@active") for name, data in actions]
        tx_id = self.net.submit(built, signers=[signer])
        self.net.produce()
        receipt = self.net.chain.get_receipt(tx_id)
        assert receipt is not None
        if not receipt.ok:
            # The receipt carries the stable code; the exception type is the chain's.
            raise ActionFailedError(receipt.error_message or "", code=receipt.error_code or "tx.action_failed")
        events = [{"plugin": e.plugin, "name": e.name, "data": e.data} for e in receipt.events]
        self.blobs.apply_events(events, codec.decode)


def make_net(path: Path, parameters: Mapping[str, Mapping[str, Any]] | None = None) -> LedgerNet:
    return LedgerNet.create(path, plugins=[tonomy_vault], accounts=list(ACCOUNTS), parameters=parameters)


def directory_for(*people: Person) -> StaticDirectory:
    return StaticDirectory({p.name: p.public for p in people})


class HostileServer(ChainServer):
    """A server that rewrites its answers: each ``*_hook`` receives the honest answer and the request."""

    def __init__(self, net: LedgerNet, blobs: BlobStore) -> None:
        super().__init__(net, blobs)
        self.offer_value: Mapping[str, Any] | None = None
        self.entry_hook: Any = None
        self.blob_hook: Any = None
        self.grant_hook: Any = None
        self.grants_hook: Any = None
        self.keyring_hook: Any = None

    def offer(self) -> Mapping[str, Any]:
        return self.offer_value if self.offer_value is not None else super().offer()

    def get_blob(self, content_hash: bytes) -> bytes:
        data = super().get_blob(content_hash)
        return self.blob_hook(data, content_hash) if self.blob_hook else data

    def entry(self, owner: str, record_id: bytes, field: str) -> Any:
        answer = super().entry(owner, record_id, field)
        return self.entry_hook(answer, owner, record_id, field) if self.entry_hook else answer

    def grant(self, owner: str, record_id: bytes, reader: str) -> Any:
        answer = super().grant(owner, record_id, reader)
        return self.grant_hook(answer, owner, record_id, reader) if self.grant_hook else answer

    def grants(self, owner: str, record_id: bytes) -> Any:
        answer = super().grants(owner, record_id)
        return self.grants_hook(answer, owner, record_id) if self.grants_hook else answer

    def keyring(self, owner: str) -> Any:
        answer = super().keyring(owner)
        return self.keyring_hook(answer, owner) if self.keyring_hook else answer

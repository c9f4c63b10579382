"""``tonomy.vault.VaultServer`` over a node's HTTP API: blobs through the vault service,
chain reads through plugin queries, writes as signed transactions.

The client library checks everything this returns (hashes, AEAD, versions), so the
node stays untrusted; ``signers`` maps each account to the seed that signs its actions
(what a wallet holds).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tonomy.errors import ActionFailedError, VaultHashMismatchError, VaultMalformedError
from tonomy.vault.formats import ALGORITHM_NAME, FORMAT_CURRENT

from tonomy_vault.blobs import blob_hash


class VaultQueries:
    """The chain-reading half of ``VaultServer``: each read is one vault plugin query."""

    def _query(self, name: str, params: Mapping[str, Any]) -> Any:
        raise NotImplementedError

    def entry(self, owner: str, record_id: bytes, field: str) -> Any:
        return self._query("entry", {"owner": owner, "record_id": record_id, "field": field})

    def fields(self, owner: str, record_id: bytes) -> Any:
        return self._query("fields", {"owner": owner, "record_id": record_id})

    def records(self, owner: str) -> Any:
        return self._query("records", {"owner": owner})

    def grant(self, owner: str, record_id: bytes, reader: str) -> Any:
        return self._query("grant", {"owner": owner, "record_id": record_id, "reader": reader})

    def grants(self, owner: str, record_id: bytes) -> Any:
        return self._query("grants", {"owner": owner, "record_id": record_id})

    def keyring(self, owner: str) -> Any:
        return self._query("keyring", {"owner": owner})


class NodeVaultServer(VaultQueries):
    def __init__(self, node: Any, signers: Mapping[str, bytes]) -> None:
        self.node = node  # tonomy.node.client.NodeClient
        self.signers = dict(signers)

    def offer(self) -> Mapping[str, Any]:
        return {"format": FORMAT_CURRENT, "algorithm": ALGORITHM_NAME}

    def put_blob(self, data: bytes) -> bytes:
        response = self.node._http.put("/v1/x/vault/blobs", content=data)
        if response.status_code >= 400:
            from tonomy.node.problems import error_from_problem

            raise error_from_problem(response.json(), response.status_code)
        digest = bytes.fromhex(response.json()["content_hash"])
        if digest != blob_hash(data):
            raise VaultHashMismatchError("the node answered another content hash")
        return digest

    def get_blob(self, content_hash: bytes) -> bytes:
        response = self.node._http.get(f"/v1/x/vault/blobs/{content_hash.hex()}")
        if response.status_code >= 400:
            from tonomy.node.problems import error_from_problem

            raise error_from_problem(response.json(), response.status_code)
        return bytes(response.content)

    def _query(self, name: str, params: Mapping[str, Any]) -> Any:
        return self.node.query("vault", name, dict(params))

    def submit(self, signer: str, actions: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        from tonomy.chain.txbuilder import action, build_transaction

        seed = self.signers.get(signer)
        if seed is None:
            raise VaultMalformedError(f"no key to sign for {signer}")
        head = self.node.head()
        built = [action("vault", name, dict(data), [f"{signer}@active"]) for name, data in actions]
        status = self.node.submit_and_wait(build_transaction(head.chain_id, head, built, [seed]), 60.0)
        receipt = status.receipt
        if receipt is None:
            raise VaultMalformedError("the vault transaction did not commit in time")
        if not receipt.ok:
            raise ActionFailedError(receipt.error_message or "", code=receipt.error_code or "tx.action_failed")

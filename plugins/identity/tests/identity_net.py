"""The identity tests' chain helper: LedgerNet plus the steps every test repeats."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from tonomy.chain.receipts import Receipt
from tonomy.testing.ledger import LedgerNet, public_key

_nonces = itertools.count(1)


class Net:
    """LedgerNet plus the few steps every identity test repeats."""

    def __init__(self, ledger: LedgerNet) -> None:
        self.ledger = ledger
        self.chain = ledger.chain

    def send(self, actions: Sequence[tuple[str, str, dict[str, Any], Sequence[str]]], signers: Sequence[str], *, time_ms: int | None = None) -> Receipt:
        """Submit one transaction, produce a block, return its receipt (executed or failed)."""
        built = [LedgerNet.action(plugin, name, data, *auth) for plugin, name, data, auth in actions]
        tx_id = self.ledger.submit(built, signers, nonce=next(_nonces))
        self.ledger.produce(time_ms)
        receipt = self.chain.get_receipt(tx_id)
        assert receipt is not None
        return receipt

    def ok(self, actions: Any, signers: Sequence[str], **kw: Any) -> Receipt:
        receipt = self.send(actions, signers, **kw)
        assert receipt.status == "executed", (receipt.error_code, receipt.error_message)
        return receipt

    def fails(self, code: str, actions: Any, signers: Sequence[str], **kw: Any) -> Receipt:
        receipt = self.send(actions, signers, **kw)
        assert receipt.status == "failed" and receipt.error_code == code, (receipt.error_code, receipt.error_message)
        return receipt

    def create_account(self, name: str, kind: str, creator: str = "alice") -> None:
        key = public_key(name)
        authority = {"threshold": 1, "keys": [{"key": key, "weight": 1}], "accounts": [], "waits": []}
        self.ok([("tonomy", "newaccount", {"creator": creator, "name": name, "type": kind, "owner": authority,
                                           "active": authority}, [f"{creator}@active"])], [creator])

    def account(self, name: str) -> Any:
        return self.chain.query("tonomy", "account", {"name": name})

    def advance(self, ms: int) -> None:
        self.ledger.produce(self.chain.head.time + ms)

    @property
    def now(self) -> int:
        return int(self.chain.head.time)

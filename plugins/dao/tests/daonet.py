"""A DAO test network: a real chain with ``dao``, ``pay`` and the test verifier ``badges``.

(A module with its own name, not ``conftest``: the whole repository runs in one pytest
session, and another plugin's tests already import a module called ``conftest``.)
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import tonomy_dao  # noqa: E402
import tonomy_governance  # noqa: E402
import tonomy_pay  # noqa: E402
from badges import Badges  # noqa: E402

from tonomy.chain import codec  # noqa: E402
from tonomy.testing.ledger import LedgerNet, build_manager, make_genesis  # noqa: E402

ACCOUNTS = ("alice", "bob", "carol", "dave", "erin")


def acts(*actions: Mapping[str, Any]) -> bytes:
    return codec.encode([dict(action) for action in actions])


def pay_transfer(source: str, to: str, amount: int, **extra: Any) -> dict[str, Any]:
    return {"plugin": "pay", "name": "transfer", "data": {"from": source, "to": to, "symbol": "TONO", "amount": amount}, **extra}


class Net:
    """The chain plus a few verbs; every action is one transaction in its own block."""

    def __init__(self, net: LedgerNet) -> None:
        self.net = net

    @property
    def height(self) -> int:
        return self.net.chain.height

    def act(self, plugin: str, name: str, data: Mapping[str, Any], signer: str, actor: str | None = None) -> Any:
        actor = actor or ("tonomy" if signer == "validator" else signer)
        tx = self.net.submit(self.net.action(plugin, name, dict(data), f"{actor}@active"), [signer])
        self.net.produce()
        receipt = self.net.chain.get_receipt(tx)
        assert receipt is not None
        return receipt

    def ok(self, plugin: str, name: str, data: Mapping[str, Any], signer: str) -> Any:
        receipt = self.act(plugin, name, data, signer)
        assert receipt.status == "executed", f"{plugin}.{name}: {receipt.error_code} {receipt.error_message}"
        return receipt

    def fails(self, code: str, plugin: str, name: str, data: Mapping[str, Any], signer: str) -> Any:
        receipt = self.act(plugin, name, data, signer)
        assert (receipt.status, receipt.error_code) == ("failed", code), receipt.error_message
        return receipt

    def dao(self, name: str, data: Mapping[str, Any], signer: str) -> Any:
        return self.ok("dao", name, data, signer)

    def query(self, plugin: str, name: str, params: Mapping[str, Any]) -> Any:
        return self.net.chain.query(plugin, name, dict(params))

    def balance(self, account: str) -> int:
        return int(self.query("pay", "balance", {"account": account, "symbol": "TONO"}))

    def propose(self, dao: str, proposer: str, actions: bytes, title: str = "a proposal") -> int:
        receipt = self.dao("propose", {"dao": dao, "proposer": proposer, "title": title, "actions": actions}, proposer)
        event = [e for e in receipt.events if e.name == "proposed"][0]
        return int(codec.decode(event.data)["id"])

    def vote(self, pid: int, voter: str, choice: int = 1) -> Any:
        return self.dao("vote", {"id": pid, "voter": voter, "choice": choice}, voter)

    def until(self, height: int) -> None:
        while self.height < height:
            self.net.produce()

    def decide(self, dao: str, proposer: str, actions: bytes, voters: Sequence[str]) -> int:
        """Propose, let ``voters`` approve, wait out the vote and the timelock, execute."""
        pid = self.propose(dao, proposer, actions)
        for voter in voters:
            self.vote(pid, voter)
        proposal = self.query("dao", "proposal", {"id": pid})
        self.until(proposal["eta"] - 1)
        self.dao("execute", {"id": pid}, proposer)
        return pid

    def members(self, dao: str) -> dict[str, str]:
        return {m["account"]: m["role"] for m in self.query("dao", "members", {"dao": dao})}


def make_net(path: Path) -> Net:
    manager = build_manager([tonomy_dao, tonomy_governance, tonomy_pay, Badges()])
    genesis = make_genesis(manager, ACCOUNTS)
    net = Net(LedgerNet.create(path, manager=manager, genesis=genesis))
    net.ok("pay", "create_token", {"issuer": "tonomy", "symbol": "TONO", "max_supply": 10**9, "decimals": 0}, "validator")
    for account in ACCOUNTS:
        net.ok("pay", "issue", {"symbol": "TONO", "to": account, "amount": 1_000}, "validator")
    return net



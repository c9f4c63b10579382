"""A governance test network: a real chain with ``governance`` and the test token ``gtoken``.

Helpers live here, not in conftest.py, so that tests import them by a name no other
plugin's tests use (several test folders have a conftest module).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


sys.path.insert(0, str(Path(__file__).parent))

import tonomy_governance  # noqa: E402
from gtoken import GToken  # noqa: E402

from tonomy.chain import codec  # noqa: E402
from tonomy.testing.ledger import LedgerNet, build_manager, make_genesis  # noqa: E402

ACCOUNTS = ("alice", "bob", "carol", "dave", "erin")
FAST = {
    "voting_delay": 1,
    "voting_period": 4,
    "timelock": 2,
    "grace": 3,
    "quorum_bps": 2000,
    "approval_bps": 5000,
    "veto_bps": 3334,
    "deposit": 10,
    "voting_token_plugin": "gtoken",
    "voting_symbol": "GOV",
    "deposit_token_plugin": "gtoken",
    "deposit_symbol": "GOV",
    "conviction_lock": 5,
}


def options(*choices: Sequence[Mapping[str, Any]], labels: Sequence[str] | None = None) -> bytes:
    """Canonical options bytes: one option per list of actions."""
    return codec.encode(
        [
            {"label": (labels[index] if labels else f"option {index}"), "actions": [dict(action) for action in actions]}
            for index, actions in enumerate(choices)
        ]
    )


def set_param(plugin: str, name: str, value: Any) -> dict[str, Any]:
    return {"plugin": "governance", "name": "set_parameter", "data": {"plugin": plugin, "name": name, "value": value}}


class Gov:
    """The chain plus a few verbs; every action is one transaction in its own block."""

    def __init__(self, net: LedgerNet) -> None:
        self.net = net

    @property
    def height(self) -> int:
        return self.net.chain.height

    def act(self, plugin: str, name: str, data: Mapping[str, Any], signer: str) -> Any:
        actor = "tonomy" if signer == "validator" else signer
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

    def gov(self, name: str, data: Mapping[str, Any], signer: str) -> Any:
        return self.ok("governance", name, data, signer)

    def mint(self, to: str, amount: int) -> None:
        self.ok("gtoken", "mint", {"to": to, "amount": amount}, "validator")

    def transfer(self, source: str, to: str, amount: int) -> None:
        self.ok("gtoken", "transfer", {"from": source, "to": to, "symbol": "GOV", "amount": amount}, source)

    def balance(self, account: str) -> int:
        return int(self.net.chain.query("gtoken", "balance", {"account": account, "symbol": "GOV"}))  # type: ignore[call-overload]

    def supply(self) -> int:
        return int(self.net.chain.query("gtoken", "supply", {}))  # type: ignore[call-overload]

    def query(self, name: str, params: Mapping[str, Any]) -> Any:
        return self.net.chain.query("governance", name, dict(params))

    def proposal(self, pid: int) -> dict[str, Any]:
        found = self.query("proposal", {"id": pid})
        assert found is not None
        return dict(found)

    def propose(self, proposer: str, opts: bytes, track: str = "root", title: str = "a proposal") -> int:
        receipt = self.gov("propose", {"proposer": proposer, "track": track, "title": title, "options": opts}, proposer)
        event = [e for e in receipt.events if e.name == "proposed"][0]
        return int(codec.decode(event.data)["id"])

    def vote(self, pid: int, voter: str, choice: int = 0, **extra: Any) -> Any:
        return self.gov("vote", {"id": pid, "voter": voter, "choice": choice, **extra}, voter)

    def enact(self, actions: Sequence[Mapping[str, Any]], voter: str = "alice") -> int:
        """Propose ``actions`` on the root track, vote for them as ``voter``, run them after the timelock."""
        pid = self.propose(voter, options(actions))
        p = self.proposal(pid)
        self.until(p["vote_start"] - 1)
        self.vote(pid, voter)
        self.until(p["eta"] - 1)
        self.gov("execute", {"id": pid}, voter)
        return pid

    def until(self, height: int) -> None:
        """Produce empty blocks until the head is at ``height`` (the next tx lands at height + 1)."""
        while self.height < height:
            self.net.produce()

    def param(self, plugin: str, name: str) -> Any:
        from tonomy.chain.parameters import parameter_key

        return codec.decode(self.net.chain.get_state("tonomy", parameter_key(plugin, name)[len(b"sys/"):])[0])


def make_net(path: Path, parameters: Mapping[str, Any] | None = None) -> LedgerNet:
    manager = build_manager([tonomy_governance, GToken()])
    values = {"tonomy": {"governance_plugin": "governance"}, "governance": {**FAST, **(parameters or {})}}
    genesis = make_genesis(manager, ACCOUNTS, parameters=values)
    return LedgerNet.create(path, manager=manager, genesis=genesis)

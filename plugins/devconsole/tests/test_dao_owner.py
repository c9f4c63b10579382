"""An app owned by a DAO: created and changed only through the DAO's executed proposals."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import tonomy_dao
import tonomy_governance
import tonomy_identity
from tonomy.plugin import decode_record, encode_record
from tonomy.testing.ledger import LedgerNet, public_key


class Chain:
    def __init__(self, net: LedgerNet) -> None:
        self.net = net

    def act(self, plugin: str, name: str, data: dict[str, Any], signer: str) -> Any:
        tx = self.net.submit(self.net.action(plugin, name, data, f"{signer}@active"), [signer])
        self.net.produce()
        return self.net.chain.get_receipt(tx)

    def ok(self, plugin: str, name: str, data: dict[str, Any], signer: str) -> Any:
        receipt = self.act(plugin, name, data, signer)
        assert receipt.status == "executed", (receipt.error_code, receipt.error_message)
        return receipt

    def by_dao(self, *actions: dict[str, Any]) -> None:
        """alice proposes, votes yes, waits out the vote, executes."""
        receipt = self.ok("dao", "propose", {"dao": "guild", "proposer": "alice", "title": "app change",
                                             "actions": encode_record(list(actions))}, "alice")
        pid = decode_record(next(e for e in receipt.events if e.name == "proposed").data)["id"]
        self.ok("dao", "vote", {"id": pid, "voter": "alice", "choice": 1}, "alice")
        eta = self.net.chain.query("dao", "proposal", {"id": pid})["eta"]
        while self.net.chain.height < eta - 1:
            self.net.produce()
        self.ok("dao", "execute", {"id": pid}, "alice")


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    net = LedgerNet.create(tmp_path / "chain", plugins=[tonomy_identity, tonomy_dao, tonomy_governance], accounts=["alice", "bob"])
    chain = Chain(net)
    chain.ok("dao", "create", {"creator": "alice", "name": "guild", "voting_period": 1, "timelock": 0}, "alice")
    try:
        yield chain
    finally:
        net.close()


def test_a_dao_owns_and_changes_its_app_only_by_proposal(chain: Chain) -> None:
    authority = {"threshold": 1, "keys": [{"key": public_key("guildapp"), "weight": 1}], "accounts": [], "waits": []}
    chain.by_dao({"plugin": "tonomy", "name": "newaccount", "data": {"creator": "guild", "name": "guildapp", "type": "app",
                                                                     "owner": authority, "active": authority}})
    chain.ok("identity", "register_app", {"account": "guildapp", "name": "Guild", "origin": "https://guild.example",
                                          "redirect_uris": ["https://guild.example/cb"], "scopes": [],
                                          "request_key": public_key("guildapp-req")}, "guildapp")
    assert chain.net.chain.query("identity", "app", {"app": "guildapp"})["owner"] == "guild"
    assert chain.net.chain.query("identity", "apps_of", {"owner": "guild"}) == ["guildapp"]
    # No member, not even the DAO's creator, changes it alone; the app account cannot either.
    for signer, data in (("alice", {"app": "guildapp", "name": "Mine"}), ("guildapp", {"app": "guildapp", "name": "Mine"})):
        assert chain.act("identity", "update_app", data, signer).error_code == "tx.missing_authorization"
    chain.by_dao({"plugin": "identity", "name": "update_app", "data": {"app": "guildapp", "name": "Guild Hall"}},
                 {"plugin": "identity", "name": "rotate_app_key", "data": {"app": "guildapp", "request_key": public_key("r2")}})
    record = chain.net.chain.query("identity", "app", {"app": "guildapp"})
    assert (record["name"], record["key_version"], record["request_key"]) == ("Guild Hall", 2, public_key("r2"))

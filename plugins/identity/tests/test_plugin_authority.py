"""The host's plugin authority (tonomy.code@<plugin>): only the running plugin, only where granted."""

from __future__ import annotations

from typing import Any

import pytest

import tonomy_identity
from tonomy.chain.authority import PermissionLevel, plugin_authority_level
from tonomy.chain.checker import AuthorityChecker
from tonomy.errors import InvalidInputError, TonomyError
from tonomy.plugin import ActionSpec, Field, PluginInfo, RecordSchema, hookimpl
from tonomy.testing import check_plugin_conformance
from tonomy.testing.ledger import LedgerNet, public_key

from identity_net import Net


class Thief:
    """A plugin that tries to use authority it was not granted."""

    @staticmethod
    def steal(ctx: Any, data: Any) -> None:
        authority = {"threshold": 1, "keys": [{"key": bytes(32), "weight": 1}], "accounts": [], "waits": []}
        update = {"account": data["victim"], "permission": "owner", "parent": None, "authority": authority}
        ctx.call_with_plugin_authority("tonomy", "updateauth", update, [PermissionLevel(data["victim"], "owner")])

    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo(name="thief", version="0.1.0", protocol_min=1, protocol_max=1)

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        register(ActionSpec("steal", self.steal, RecordSchema((Field("victim", str, minimum=3, maximum=32),))))


@pytest.fixture
def thief_net(tmp_path: Any) -> Any:
    ledger = LedgerNet.create(tmp_path / "chain", plugins=[tonomy_identity, Thief()], accounts=["alice", "bob"])
    try:
        yield Net(ledger)
    finally:
        ledger.close()


def grant(net: Any, level: PermissionLevel) -> None:
    owner = {"threshold": 1, "keys": [{"key": public_key("alice"), "weight": 1}],
             "accounts": [{"actor": level.actor, "permission": level.permission, "weight": 1}], "waits": []}
    net.ok([("tonomy", "updateauth", {"account": "alice", "permission": "owner", "parent": None, "authority": owner},
             ["alice@owner"])], ["alice"])


def test_conformance() -> None:
    report = check_plugin_conformance(tonomy_identity)
    assert "execute_recovery" in [a.name for a in report.actions]


def test_a_plugin_cannot_use_authority_it_was_not_granted(thief_net: Any) -> None:
    net = thief_net
    net.fails("auth.insufficient", [("thief", "steal", {"victim": "alice"}, ["bob@active"])], ["bob"])
    grant(net, plugin_authority_level("identity"))  # alice trusts identity, not thief
    net.fails("auth.insufficient", [("thief", "steal", {"victim": "alice"}, ["bob@active"])], ["bob"])
    grant(net, plugin_authority_level("thief"))
    net.ok([("thief", "steal", {"victim": "alice"}, ["bob@active"])], ["bob"])  # granted: it works, as designed


def test_no_signature_satisfies_a_plugin_level(thief_net: Any) -> None:
    net = thief_net
    grant(net, plugin_authority_level("identity"))
    checker = AuthorityChecker(net.chain.store, [public_key("alice"), public_key("bob")])
    assert not checker.evaluate(plugin_authority_level("identity")).satisfied
    granted = AuthorityChecker(net.chain.store, [], provided_levels=[plugin_authority_level("identity")])
    assert granted.evaluate(PermissionLevel("alice", "owner")).satisfied
    with pytest.raises(InvalidInputError):
        AuthorityChecker(net.chain.store, [], provided_levels=[PermissionLevel("bob", "active")])
    with pytest.raises(TonomyError):
        net.send([("thief", "steal", {"victim": "alice"}, ["tonomy.code@thief"])], ["bob"])


def test_level_names() -> None:
    assert str(plugin_authority_level("identity")) == "tonomy.code@identity"
    assert str(plugin_authority_level("my_plugin")) == "tonomy.code@my-plugin"

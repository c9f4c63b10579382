"""The governance privilege: only the plugin named by ``tonomy.governance_plugin`` may
change parameters or act as the system account; every plugin may read parameters.

Two tiny plugins: ``govern`` (the one genesis names) and ``rogue`` (any other plugin,
with the same handlers). Both try the privileged operations through a real chain.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tonomy.chain.authority import PermissionLevel
from tonomy.chain.context import ActionContext
from tonomy.errors import GenesisError, InvalidInputError
from tonomy.plugin import (
    ActionSpec,
    Field,
    ParameterSpec,
    PluginInfo,
    QuerySpec,
    RecordSchema,
    VotingPower,
    VotingStrategySpec,
    hookimpl,
)
from tonomy.testing.ledger import LedgerNet, build_manager, make_genesis

SET = RecordSchema((Field("plugin", str), Field("name", str), Field("value", int)))
HAND = RecordSchema((Field("to", str),))
AS_SYSTEM = RecordSchema((Field("owner", str), Field("key", str)))
EMPTY = RecordSchema()


def set_parameter(ctx: Any, data: Any) -> None:
    old = ctx.set_parameter(data["plugin"], data["name"], data["value"])
    ctx.emit("changed", {"old": old, "new": ctx.parameter(data["name"], data["plugin"])})


def forge_context(ctx: Any, data: Any) -> None:
    # A plugin building a context that claims to be the governance plugin gains nothing:
    # the engine checks which handler is really running.
    fake = ActionContext(
        plugin="govern", action="x", authorization=(), block=ctx.block, state=ctx.state,
        random=ctx.random, meter=ctx.meter, dispatcher=ctx.dispatcher, events=ctx.events, depth=ctx.depth,
    )
    fake.set_parameter(data["plugin"], data["name"], data["value"])


def hand(ctx: Any, data: Any) -> None:
    ctx.set_parameter("tonomy", "governance_plugin", data["to"])


def write_as_system(ctx: Any, data: Any) -> None:
    ctx.call_as_system("store", "put", {"owner": data["owner"], "key": data["key"]})


def put(ctx: Any, data: Any) -> None:
    ctx.require_auth(data["owner"])
    ctx.state.put(data["key"].encode(), repr(ctx.authorization).encode())


SCHEDULE = RecordSchema((Field("op", str), Field("plugin", str), Field("version", str), Field("height", int)))


def schedule(ctx: Any, data: Any) -> None:
    ctx.schedule_plugin_change(data["op"], data["plugin"], data["version"], data["height"])


def read_limit(ctx: Any, params: Any) -> int:
    return int(ctx.parameter("limit"))


def _power(ctx: Any, account: str, snapshot: Any) -> VotingPower:
    return VotingPower(1, 1)


def _total(ctx: Any, snapshot: Any) -> int:
    return 1


class Privileged:
    def __init__(self, name: str) -> None:
        self.name = name

    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo(self.name, "1.0", 1, 1)

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        register(ActionSpec("set_parameter", set_parameter, SET))
        register(ActionSpec("forge", forge_context, SET))
        register(ActionSpec("as_system", write_as_system, AS_SYSTEM))
        register(ActionSpec("hand", hand, HAND))
        register(ActionSpec("schedule", schedule, SCHEDULE))

    @hookimpl
    def tonomy_register_parameters(self, register: Any) -> None:
        register(ParameterSpec("limit", int, 10, "a limit", minimum=1, maximum=100))

    @hookimpl
    def tonomy_register_queries(self, register: Any) -> None:
        register(QuerySpec("limit", read_limit, EMPTY))

    @hookimpl
    def tonomy_voting_strategies(self, register: Any) -> None:
        register(VotingStrategySpec("one", _power, _total, "one vote each"))


class Store:
    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo("store", "1.0", 1, 1)

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        register(ActionSpec("put", put, AS_SYSTEM))


def _net(tmp_path: Path, governor: str = "govern") -> LedgerNet:
    manager = build_manager([Privileged("govern"), Privileged("rogue"), Store()])
    genesis = make_genesis(manager, parameters={"tonomy": {"governance_plugin": governor}})
    return LedgerNet.create(tmp_path, manager=manager, genesis=genesis)


def _run(net: LedgerNet, plugin: str, action: str, data: dict[str, Any]) -> Any:
    tx = net.submit(net.action(plugin, action, data, "alice@active"), ["alice"])
    net.produce()
    receipt = net.chain.get_receipt(tx)
    assert receipt is not None
    return receipt


def test_governance_sets_and_everyone_reads(tmp_path: Path) -> None:
    net = _net(tmp_path)
    try:
        receipt = _run(net, "govern", "set_parameter", {"plugin": "rogue", "name": "limit", "value": 42})
        assert receipt.status == "executed", receipt.error_message
        assert net.chain.query("rogue", "limit", {}) == 42
        assert net.chain.query("govern", "limit", {}) == 10
        system = _run(net, "govern", "set_parameter", {"plugin": "tonomy", "name": "max_events", "value": 100})
        assert system.status == "executed"
        assert net.chain.parameters().max_events == 100
        # Out of the owner's bounds, unknown names: refused, nothing written.
        for data in (
            {"plugin": "rogue", "name": "limit", "value": 101},
            {"plugin": "rogue", "name": "nope", "value": 1},
            {"plugin": "ghost", "name": "limit", "value": 1},
        ):
            refused = _run(net, "govern", "set_parameter", data)
            assert (refused.status, refused.error_code) == ("failed", "core.invalid_input")
        assert net.chain.query("rogue", "limit", {}) == 42
    finally:
        net.close()


def test_another_plugin_cannot_change_a_parameter_even_its_own(tmp_path: Path) -> None:
    net = _net(tmp_path)
    try:
        for action in ("set_parameter", "forge"):
            for target in ("rogue", "govern", "tonomy"):
                name = "max_events" if target == "tonomy" else "limit"
                receipt = _run(net, "rogue", action, {"plugin": target, "name": name, "value": 5})
                assert (receipt.status, receipt.error_code) == ("failed", "tx.missing_authorization")
        assert net.chain.query("rogue", "limit", {}) == 10
        assert net.chain.parameters().max_events == 256
    finally:
        net.close()


def test_without_a_governance_plugin_nobody_changes_parameters(tmp_path: Path) -> None:
    manager = build_manager([Privileged("govern"), Privileged("rogue"), Store()])
    net = LedgerNet.create(tmp_path, manager=manager)
    try:
        receipt = _run(net, "govern", "set_parameter", {"plugin": "rogue", "name": "limit", "value": 5})
        assert receipt.error_code == "tx.missing_authorization"
    finally:
        net.close()


def test_genesis_must_pin_the_governance_plugin(tmp_path: Path) -> None:
    manager = build_manager([Store()])
    with pytest.raises(GenesisError, match="does not pin"):
        make_genesis(manager, parameters={"tonomy": {"governance_plugin": "govern"}}).parameter_values(manager.registry)


def test_only_governance_acts_as_the_system_account(tmp_path: Path) -> None:
    net = _net(tmp_path)
    try:
        ok = _run(net, "govern", "as_system", {"owner": "tonomy", "key": "k"})
        assert ok.status == "executed", ok.error_message
        value, _, _ = net.chain.get_state("store", b"k")
        assert value == repr((PermissionLevel("tonomy", "active"),)).encode()
        refused = _run(net, "rogue", "as_system", {"owner": "tonomy", "key": "k2"})
        assert refused.error_code == "tx.missing_authorization"
        assert net.chain.get_state("store", b"k2")[0] is None
    finally:
        net.close()


def test_voting_strategies_are_collected_per_plugin(tmp_path: Path) -> None:
    manager = build_manager([Privileged("govern"), Store()])
    assert [(plugin, spec.name) for plugin, spec in manager.registry.voting_strategies()] == [("govern", "one")]
    seen: list[VotingStrategySpec] = []
    manager.hook.tonomy_voting_strategies(register=seen.append)
    assert [spec.name for spec in seen] == ["one"]
    with pytest.raises(TypeError, match="description"):
        VotingStrategySpec("x", _power, _total, " ")
    with pytest.raises(Exception, match="non-negative"):
        VotingPower(-1, 0)


def test_governance_can_hand_its_privilege_only_to_a_plugin_of_the_chain(tmp_path: Path) -> None:
    net = _net(tmp_path)
    try:
        for target in ("ghost", ""):
            refused = _run(net, "govern", "hand", {"to": target})
            assert refused.error_code == "core.invalid_input"
        assert _run(net, "govern", "hand", {"to": "rogue"}).status == "executed"
        assert net.chain.parameters().governance_plugin == "rogue"
        assert _run(net, "govern", "set_parameter", {"plugin": "rogue", "name": "limit", "value": 7}).error_code == "tx.missing_authorization"
        assert _run(net, "rogue", "set_parameter", {"plugin": "govern", "name": "limit", "value": 7}).status == "executed"
        assert net.chain.query("govern", "limit", {}) == 7
    finally:
        net.close()


def test_only_governance_schedules_plugin_changes_and_only_far_enough_ahead(tmp_path: Path) -> None:
    net = _net(tmp_path)
    try:
        ahead = net.chain.height + 1 + net.chain.parameters().plugin_change_min_delay
        refused = _run(net, "rogue", "schedule", {"op": "disable", "plugin": "store", "version": "", "height": ahead + 5})
        assert refused.error_code == "tx.missing_authorization"
        for data in (
            {"op": "disable", "plugin": "store", "version": "", "height": ahead - 1},  # too soon
            {"op": "disable", "plugin": "store", "version": "", "height": 2**70},  # absurd
            {"op": "disable", "plugin": "govern", "version": "", "height": ahead + 9},  # the governance plugin
            {"op": "disable", "plugin": "store", "version": "1.0", "height": ahead + 9},  # disable takes no version
            {"op": "upgrade", "plugin": "store", "version": " 2.0", "height": ahead + 9},
            {"op": "upgrade", "plugin": "store", "version": "x" * 65, "height": ahead + 9},
            {"op": "activate", "plugin": "../sys", "version": "1", "height": ahead + 9},
            {"op": "upgrade", "plugin": "ghost", "version": "1", "height": ahead + 9},  # not enabled
        ):
            receipt = _run(net, "govern", "schedule", data)
            assert (receipt.status, receipt.error_code) == ("failed", "lifecycle.refused"), data
        assert net.chain.query("tonomy", "plugins", {})["scheduled"] == []
        ok = _run(net, "govern", "schedule", {"op": "disable", "plugin": "store", "version": "", "height": ahead + 9})
        assert ok.status == "executed", ok.error_message
        assert net.chain.query("tonomy", "plugins", {})["scheduled"] == [{"op": "disable", "name": "store", "version": "", "height": ahead + 9}]
        again = _run(net, "govern", "schedule", {"op": "upgrade", "plugin": "store", "version": "2", "height": ahead + 20})
        assert again.error_code == "lifecycle.refused"  # one pending change per plugin
    finally:
        net.close()


def test_the_plugins_query_refuses_garbage(tmp_path: Path) -> None:
    net = _net(tmp_path)
    try:
        for params in ({"nope": 1}, {"name": 7}, {"name": "Not A Name"}):
            with pytest.raises(InvalidInputError):
                net.chain.query("tonomy", "plugins", params)
        assert [item["name"] for item in net.chain.query("tonomy", "plugins", {})["plugins"]] == ["govern", "rogue", "store"]
    finally:
        net.close()

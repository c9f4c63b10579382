"""Tracks, the built-in strategies (quadratic, conviction), strategies of other plugins, delegation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from govnet import FAST, Gov, make_net, options, set_param

import tonomy_governance
from tonomy.plugin import PluginInfo, VotingPower, VotingStrategySpec, build_plugin_manager, hookimpl
from tonomy.testing import check_plugin_conformance
from tonomy.testing.ledger import LedgerNet, build_manager, make_genesis

from gtoken import GToken


def track(name: str, strategy: str, matches: str, **overrides: int) -> dict[str, Any]:
    record: dict[str, Any] = {k: FAST[k] for k in ("voting_delay", "voting_period", "quorum_bps", "approval_bps", "veto_bps", "timelock", "grace")}
    record.update(name=name, deposit=0, strategy=strategy, matches=matches)
    record.update(overrides)
    return record


def _funded(gov: Gov) -> None:
    gov.mint("alice", 625)
    gov.mint("bob", 324)
    gov.mint("carol", 100)


def test_a_track_carries_only_its_actions_and_uses_its_strategy(gov: Gov) -> None:
    _funded(gov)
    gov.enact([{"plugin": "governance", "name": "set_track", "data": track("params", "governance.quadratic", "governance.set_parameter")}])
    gov.fails("governance.action_not_in_track", "governance", "propose",
              {"proposer": "bob", "track": "params", "title": "t", "options": options([{"plugin": "governance", "name": "handover", "data": {}}])}, "bob")
    gov.fails("governance.unknown_track", "governance", "propose", {"proposer": "bob", "track": "nope", "title": "t", "options": options([])}, "bob")
    pid = gov.propose("bob", options([set_param("governance", "max_options", 3)]), track="params")
    assert gov.balance("bob") == 324  # this track takes no deposit
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "alice", -1)
    gov.vote(pid, "bob", 0)
    gov.vote(pid, "carol", 0)
    tally = gov.proposal(pid)["tally"]
    assert (tally["against"], tally["options"], tally["turnout"]) == (25, [18 + 10], 625 + 324 + 100)
    gov.until(p["eta"] - 1)
    gov.gov("execute", {"id": pid}, "carol")
    assert gov.param("governance", "max_options") == 3
    names = [t["name"] for t in gov.query("tracks", {})]
    assert names == ["root", "params"]


def test_conviction_multiplies_and_locks_the_snapshot_tokens(gov: Gov) -> None:
    _funded(gov)
    gov.enact([{"plugin": "governance", "name": "set_track", "data": track("convinced", "governance.conviction", "*")}])
    pid = gov.propose("carol", options([set_param("governance", "max_options", 2)]), track="convinced")
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "bob", 0, conviction=2)
    gov.vote(pid, "alice", -1)
    tally = gov.proposal(pid)["tally"]
    assert (tally["options"], tally["against"]) == ([3 * 324], 625)
    gov.fails("gtoken.overdrawn", "gtoken", "transfer", {"from": "bob", "to": "carol", "symbol": "GOV", "amount": 1}, "bob")
    gov.until(p["vote_end"] + 2 * FAST["conviction_lock"])
    gov.transfer("bob", "carol", 1)
    plain = gov.propose("carol", options([]))
    gov.fails("governance.invalid_choice", "governance", "vote", {"id": plain, "voter": "bob", "choice": 0, "conviction": 1}, "bob")


def test_delegation_per_track_and_direct_votes_override(slow_gov: Gov) -> None:
    gov = slow_gov
    _funded(gov)
    gov.fails("governance.self_delegation", "governance", "delegate", {"delegator": "bob", "track": "root", "delegate": "bob"}, "bob")
    gov.fails("governance.unknown_track", "governance", "delegate", {"delegator": "bob", "track": "nope", "delegate": "alice"}, "bob")
    gov.fails("governance.not_allowed", "governance", "undelegate", {"delegator": "bob", "track": "root"}, "bob")
    gov.gov("delegate", {"delegator": "bob", "track": "root", "delegate": "alice"}, "bob")
    assert gov.query("delegation", {"delegator": "bob", "track": "root"}) == "alice"
    pid = gov.propose("carol", options([set_param("governance", "max_options", 2)]))
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "alice", 0)
    assert gov.proposal(pid)["tally"]["options"] == [625 + 324]
    assert gov.query("ballot", {"id": pid, "account": "bob"})["by"] == "alice"
    gov.gov("delegate", {"delegator": "carol", "track": "root", "delegate": "alice"}, "carol")  # too late for this vote
    gov.vote(pid, "bob", -1)  # overrides the delegate
    tally = gov.proposal(pid)["tally"]
    assert (tally["options"], tally["against"], tally["voters"]) == ([625], 324, 2)
    gov.fails("governance.already_voted", "governance", "vote", {"id": pid, "voter": "bob", "choice": 0}, "bob")
    gov.fails("governance.already_voted", "governance", "vote", {"id": pid, "voter": "alice", "choice": 0}, "alice")
    gov.vote(pid, "carol", -2)
    assert gov.proposal(pid)["tally"]["abstain"] == 100
    gov.gov("undelegate", {"delegator": "carol", "track": "root"}, "carol")
    assert gov.query("delegation", {"delegator": "carol", "track": "root"}) is None


# -- a strategy from another plugin, through the hook -------------------------------------------


def _one_each(ctx: Any, account: str, snapshot: Any) -> VotingPower:
    return VotingPower(1, 1) if ctx.account_exists(account) else VotingPower(0, 0)


def _five(ctx: Any, snapshot: Any) -> int:
    return 5


class FlatPlugin:
    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo("flat", "1.0", 1, 1)

    @hookimpl
    def tonomy_voting_strategies(self, register: Any) -> None:
        register(VotingStrategySpec("one", _one_each, _five, "one account, one vote (no identity check: tests only)"))


def test_a_track_can_use_a_strategy_of_another_plugin(tmp_path: Path) -> None:
    manager = build_manager([tonomy_governance, GToken(), FlatPlugin()])
    genesis = make_genesis(manager, ("alice", "bob", "carol"), parameters={"tonomy": {"governance_plugin": "governance"}, "governance": FAST})
    net = LedgerNet.create(tmp_path, manager=manager, genesis=genesis)
    try:
        gov = Gov(net)
        gov.mint("alice", 10)
        strategies = [s["name"] for s in gov.query("strategies", {})]
        assert strategies == ["flat.one", "governance.conviction", "governance.council", "governance.quadratic", "governance.token"]
        gov.enact([{"plugin": "governance", "name": "set_track", "data": track("flat", "flat.one", "*")}])
        gov.enact([{"plugin": "governance", "name": "set_track", "data": track("ghost", "ghost.one", "*")}])
        gov.fails("governance.unknown_strategy", "governance", "propose", {"proposer": "bob", "track": "ghost", "title": "t", "options": options([])}, "bob")
        pid = gov.propose("bob", options([set_param("governance", "max_options", 2)]), track="flat")
        p = gov.proposal(pid)
        gov.until(p["vote_start"] - 1)
        gov.vote(pid, "bob")
        gov.vote(pid, "carol")
        gov.until(p["eta"] - 1)
        gov.gov("execute", {"id": pid}, "bob")
        assert gov.param("governance", "max_options") == 2
    finally:
        net.close()


def test_voting_strategies_hook_through_a_plugin_manager() -> None:
    pm = build_plugin_manager(autoload=False, extra_plugins=[tonomy_governance, FlatPlugin()])
    seen: list[VotingStrategySpec] = []
    pm.hook.tonomy_voting_strategies(register=seen.append)
    assert sorted(spec.name for spec in seen) == ["conviction", "council", "one", "quadratic", "token"]


def test_conformance() -> None:
    report = check_plugin_conformance(tonomy_governance)
    assert "propose" in [a.name for a in report.actions]


def test_installed_entry_point_loads_the_plugin() -> None:
    pm = build_plugin_manager(allow=["governance"])
    assert [record.name for record in pm.registry.plugins] == ["governance"]
    assert pm.registry.parameter("governance", "quorum_bps").default == 2000


@pytest.mark.parametrize("value", [-1, 10_001])
def test_genesis_refuses_out_of_bounds_governance_parameters(tmp_path: Path, value: int) -> None:
    from tonomy.errors import GenesisError

    with pytest.raises(GenesisError):
        make_net(tmp_path, {"quorum_bps": value})


class RoguePlugin:
    """Any plugin but the governance one: it may read parameters, never write them."""

    @hookimpl
    def tonomy_plugin_info(self) -> PluginInfo:
        return PluginInfo("rogue", "1.0", 1, 1)

    @hookimpl
    def tonomy_register_actions(self, register: Any) -> None:
        from tonomy.plugin import ActionSpec, RecordSchema

        def grab(ctx: Any, data: Any) -> None:
            assert ctx.parameter("quorum_bps", "governance") == 2000
            ctx.set_parameter("governance", "quorum_bps", 1)

        def as_system(ctx: Any, data: Any) -> None:
            ctx.call_as_system("governance", "set_parameter", {"plugin": "governance", "name": "quorum_bps", "value": 1})

        def via_governance(ctx: Any, data: Any) -> None:
            ctx.call("governance", "set_parameter", {"plugin": "governance", "name": "quorum_bps", "value": 1})

        register(ActionSpec("grab", grab, RecordSchema()))
        register(ActionSpec("as_system", as_system, RecordSchema()))
        register(ActionSpec("via_governance", via_governance, RecordSchema()))


def test_another_plugin_cannot_change_governance_parameters(tmp_path: Path) -> None:
    manager = build_manager([tonomy_governance, GToken(), RoguePlugin()])
    genesis = make_genesis(manager, ("alice", "bob"), parameters={"tonomy": {"governance_plugin": "governance"}, "governance": FAST})
    net = LedgerNet.create(tmp_path, manager=manager, genesis=genesis)
    try:
        gov = Gov(net)
        for action in ("grab", "as_system", "via_governance"):
            gov.fails("tx.missing_authorization", "rogue", action, {}, "alice")
        gov.fails("tx.missing_authorization", "rogue", "grab", {}, "validator")  # even signed by the system account
        gov.fails("tx.missing_authorization", "rogue", "as_system", {}, "validator")
        # Carrying the system account's authority into governance is not a vote either.
        gov.fails("governance.not_allowed", "rogue", "via_governance", {}, "validator")
        assert gov.param("governance", "quorum_bps") == 2000
        assert gov.query("parameter_history", {"plugin": "governance", "name": "quorum_bps"}) == []
    finally:
        net.close()

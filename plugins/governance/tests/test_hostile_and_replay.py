"""Hostile proposal data, exact execution of the voted actions, and replay determinism."""

from __future__ import annotations

from pathlib import Path

import pytest
from govnet import Gov, make_net, options, set_param

from tonomy.chain import codec
from tonomy.chain.chain import Chain
from tonomy_governance.options import options_hash

GARBAGE = [
    b"\xff\x00",  # not the codec
    b'[{"actions":[],"label":"a"}] ',  # trailing space: not canonical
    b'{"actions":[],"label":"a"}',  # not a list
    codec.encode([]),  # no option
    codec.encode([{"label": f"o{i}", "actions": []} for i in range(9)]),  # over max_options
    codec.encode([{"label": "", "actions": []}]),  # empty label
    codec.encode([{"label": "a", "actions": [], "extra": 1}]),  # unknown field
    codec.encode([{"label": "a", "actions": [{"plugin": "governance", "name": "handover"}]}]),  # no data
    codec.encode([{"label": "a", "actions": [{"plugin": 1, "name": "x", "data": {}}]}]),  # wrong type
    codec.encode([{"label": "a", "actions": [{"plugin": "p", "name": "x", "data": 1}]}]),  # data not a record
    codec.encode([{"label": "a", "actions": [{"plugin": "p", "name": "x", "data": {}}] * 17}]),  # over max_actions
    codec.encode([{"label": "a", "actions": [{"plugin": "p", "name": "x", "data": {}, "permission": 5}]}]),
]


@pytest.mark.parametrize("raw", GARBAGE)
def test_malformed_options_are_refused_and_change_nothing(gov: Gov, raw: bytes) -> None:
    gov.mint("alice", 100)
    gov.fails("governance.invalid_options", "governance", "propose", {"proposer": "alice", "track": "root", "title": "t", "options": raw}, "alice")
    assert gov.balance("alice") == 100 and gov.query("proposal", {"id": 1}) is None and gov.query("escrowed", {}) == 0


def test_hostile_ids_and_fields(gov: Gov) -> None:
    for name, data in (
        ("vote", {"id": 99, "voter": "alice", "choice": 0}),
        ("execute", {"id": 99}),
        ("settle", {"id": 99}),
        ("cancel", {"id": 99}),
    ):
        gov.fails("governance.unknown_proposal", "governance", name, data, "alice")
    with pytest.raises(Exception, match="invalid_data|choice"):
        gov.act("governance", "vote", {"id": 1, "voter": "alice", "choice": -4}, "alice")
    with pytest.raises(Exception, match="invalid_data"):
        gov.act("governance", "set_parameter", {"plugin": "governance", "name": "deposit", "value": [1]}, "alice")


def test_the_executed_actions_are_the_voted_ones_in_order(gov: Gov) -> None:
    gov.mint("alice", 100)
    actions = [set_param("governance", "max_options", 3), set_param("governance", "max_options", 5), set_param("governance", "max_actions", 2)]
    raw = options(actions)
    pid = gov.propose("alice", raw)
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "alice")
    gov.until(p["eta"] - 1)
    receipt = gov.gov("execute", {"id": pid}, "alice")
    changes = [codec.decode(e.data) for e in receipt.events if e.name == "parameter_changed"]
    assert [(c["name"], c["old"], c["new"], c["proposal"]) for c in changes] == [
        ("max_options", 8, 3, pid), ("max_options", 3, 5, pid), ("max_actions", 16, 2, pid),
    ]
    executed = [codec.decode(e.data) for e in receipt.events if e.name == "executed"][0]
    assert executed["options_hash"] == options_hash(raw) == gov.proposal(pid)["options_hash"]
    assert gov.param("governance", "max_options") == 5 and gov.param("governance", "max_actions") == 2


def test_a_governed_chain_replays_to_the_same_state_roots(tmp_path: Path) -> None:
    net = make_net(tmp_path / "chain")
    gov = Gov(net)
    gov.mint("alice", 100)
    gov.mint("bob", 50)
    gov.gov("delegate", {"delegator": "bob", "track": "root", "delegate": "alice"}, "bob")
    gov.enact([set_param("governance", "quorum_bps", 4000), set_param("tonomy", "max_events", 128)])
    roots = {height: net.chain.get_block(height).header.state_root for height in range(net.chain.height + 1)}  # type: ignore[union-attr]
    manager, genesis = net.manager, net.genesis
    net.close()
    assert Chain.replay(tmp_path / "chain", genesis, manager, into=tmp_path / "replay") == roots


def test_a_proposal_acts_as_the_system_account_on_the_system_plugin(gov: Gov) -> None:
    from tonomy.chain.authority import Authority, PermissionLevel

    gov.mint("alice", 100)
    guarded = Authority(1, [], [(PermissionLevel("tonomy", "active"), 1)], []).to_record()
    create = {"creator": "tonomy", "name": "tonomy.treasury", "type": "system", "owner": guarded, "active": guarded}
    gov.enact([{"plugin": "tonomy", "name": "newaccount", "data": create}])
    account = gov.net.chain.query("tonomy", "account", {"name": "tonomy.treasury"})
    assert account is not None and account["creator"] == "tonomy" and account["type"] == "system"  # type: ignore[index]

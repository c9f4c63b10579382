"""``tonomy gov ...`` over a real chain in process (the ChainNode interface the node client backs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from click.testing import CliRunner
from govnet import Gov

import tonomy_governance
from tonomy.testing import check_plugin_conformance
from tonomy_governance.cli import gov_cli
from tonomy.plugin.cli import ActionOutcome, outcome_from_receipt


class InProcessNode:
    def __init__(self, gov: Gov) -> None:
        self.gov = gov

    def query(self, plugin: str, name: str, params: Mapping[str, Any]) -> Any:
        return self.gov.net.chain.query(plugin, name, dict(params))

    def act(self, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[str]) -> ActionOutcome:
        return outcome_from_receipt(self.gov.act(plugin, name, data, authorization[0].split("@")[0]))


def run(gov: Gov, account: str, *args: str) -> Any:
    return CliRunner().invoke(gov_cli, ["--account", account, *args], obj=InProcessNode(gov))


def test_the_cli_is_registered_through_the_hook() -> None:
    assert list(check_plugin_conformance(tonomy_governance).cli_commands) == ["gov"]


def test_propose_vote_execute_and_read_the_parameter_history(gov: Gov) -> None:
    gov.mint("alice", 600)
    gov.mint("bob", 300)
    result = run(gov, "alice", "propose", "root", "more options", "--set-parameter", "governance.max_options=4")
    assert result.exit_code == 0, result.output
    pid = int(result.output.split()[-1])
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    assert run(gov, "alice", "vote", str(pid), "yes").output.strip() == "voted with weight 600"
    assert run(gov, "bob", "vote", str(pid), "against").exit_code == 0
    assert '"state": "active"' in run(gov, "carol", "status", str(pid)).output
    gov.until(p["eta"] - 1)
    assert run(gov, "carol", "execute", str(pid)).exit_code == 0
    assert gov.param("governance", "max_options") == 4
    out = run(gov, "carol", "parameters", "governance", "max_options").output
    assert f"8 -> 4 (proposal {pid})" in out


def test_delegation_and_refusals(gov: Gov) -> None:
    gov.mint("alice", 600)
    assert run(gov, "bob", "delegate", "root", "alice").output.strip() == "delegated root to alice"
    assert gov.query("delegation", {"delegator": "bob", "track": "root"}) is not None
    assert run(gov, "bob", "undelegate", "root").exit_code == 0
    result = run(gov, "alice", "delegate", "root", "alice")
    assert result.exit_code == 1 and "[governance.self_delegation]" in result.output
    result = run(gov, "alice", "execute", "99")
    assert result.exit_code == 1 and "[governance.unknown_proposal]" in result.output
    assert run(gov, "alice", "propose", "root", "t", "--set-parameter", "nonsense").exit_code == 2
    assert run(gov, "alice", "vote", "1", "maybe").exit_code == 2
    assert "never changed" in run(gov, "alice", "parameters", "governance", "quorum_bps").output


def test_plugin_changes_are_proposed_and_read_from_the_cli(gov: Gov) -> None:
    gov.mint("alice", 600)
    result = run(gov, "alice", "propose", "root", "upgrade", "--upgrade-plugin", "gtoken=9.9.9", "--disable-plugin", "governance", "--after", "20")
    assert result.exit_code == 0, result.output
    options = gov.proposal(int(result.output.split()[-1]))["options"]
    from tonomy.plugin import decode_record

    actions = decode_record(options)[0]["actions"]
    assert [a["data"] for a in actions] == [
        {"op": "upgrade", "plugin": "gtoken", "version": "9.9.9", "delay": 20},
        {"op": "disable", "plugin": "governance", "version": "", "delay": 20},
    ]
    for bad in (["--upgrade-plugin", "gtoken"], ["--disable-plugin", "x", "--after", "1", "--at-height", "9"]):
        refused = run(gov, "alice", "propose", "root", "bad", *bad)
        assert refused.exit_code == 2 and "Invalid value" in refused.output
    listed = run(gov, "alice", "plugins", "gtoken").output
    assert '"name": "gtoken"' in listed and '"scheduled": []' in listed and '"log": []' in listed

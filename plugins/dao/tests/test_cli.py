"""``tonomy dao ...`` over a real chain in process (the same ChainNode interface the node client backs)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from click.testing import CliRunner
from daonet import Net

from tonomy_dao.cli import dao_cli
from tonomy.plugin.cli import ActionOutcome, outcome_from_receipt


class InProcessNode:
    def __init__(self, net: Net) -> None:
        self.net = net

    def query(self, plugin: str, name: str, params: Mapping[str, Any]) -> Any:
        return self.net.query(plugin, name, params)

    def act(self, plugin: str, name: str, data: Mapping[str, Any], authorization: Sequence[str]) -> ActionOutcome:
        signer = authorization[0].split("@")[0]
        return outcome_from_receipt(self.net.act(plugin, name, data, signer))


def run(net: Net, account: str, *args: str) -> Any:
    return CliRunner().invoke(dao_cli, ["--account", account, *args], obj=InProcessNode(net))


def test_create_invite_join_propose_vote_execute(chain: Net) -> None:
    assert run(chain, "alice", "create", "guild", "--voting-period", "2", "--timelock", "0").exit_code == 0
    assert run(chain, "alice", "invite", "guild", "bob").exit_code == 0
    assert run(chain, "bob", "join", "guild").exit_code == 0
    out = run(chain, "alice", "members", "guild").output
    assert "alice\tadmin" in out and "bob\tmember" in out
    chain.ok("pay", "transfer", {"from": "carol", "to": "guild", "symbol": "TONO", "amount": 300}, "carol")
    assert run(chain, "alice", "treasury", "guild").output.strip() == "300 TONO"
    result = run(chain, "bob", "propose", "guild", "pay dave", "--transfer", "dave:120:TONO")
    assert result.exit_code == 0, result.output
    pid = result.output.split()[-1]
    assert "weight 1" in run(chain, "alice", "vote", pid, "yes").output
    assert run(chain, "bob", "vote", pid, "yes").exit_code == 0
    chain.until(chain.query("dao", "proposal", {"id": int(pid)})["eta"] - 1)
    assert run(chain, "carol", "execute", pid).exit_code == 0
    assert run(chain, "alice", "treasury", "guild").output.strip() == "180 TONO"
    assert '"state": "executed"' in run(chain, "alice", "proposal", pid).output


def test_refusals_print_the_code_and_exit_1(chain: Net) -> None:
    run(chain, "alice", "create", "guild")
    result = run(chain, "dave", "join", "guild")
    assert result.exit_code == 1 and "[dao.not_invited]" in result.output
    result = run(chain, "dave", "propose", "guild", "steal", "--transfer", "dave:1:TONO")
    assert result.exit_code == 1 and "[dao.not_member]" in result.output
    assert run(chain, "dave", "propose", "guild", "t", "--transfer", "bad").exit_code == 2

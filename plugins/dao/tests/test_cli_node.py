"""``tonomy dao`` against a real node process: signed transactions over HTTP, receipts back."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from tonomy.node.keys import write_key_file
from tonomy.testing.network import Network, make_network
from tonomy_dao.cli import dao_cli

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Network, str]]:
    network = make_network(tmp_path_factory.mktemp("dao-network"), accounts=("alice", "bob", "carol"))
    for name, key in network.keys.items():
        write_key_file(network.root / f"{name}.key", key)
    process = network.node("dao")
    process.start()
    try:
        yield network, process.url
    finally:
        process.stop()


def run(node: tuple[Network, str], account: str, *args: str, cli: Any = dao_cli) -> Any:
    network, url = node
    key = network.validator_key_file if account == "tonomy" else network.root / f"{account}.key"
    return CliRunner().invoke(cli, ["--node", url, "--account", account, "--key-file", str(key), *args])


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output + repr(result.exception)
    return str(result.output)


def test_a_dao_spends_its_treasury_by_vote_over_a_node(node: tuple[Network, str]) -> None:
    from tonomy_pay.cli import pay_cli

    ok(run(node, "tonomy", "create-token", "TONO", "1000000", cli=pay_cli))
    ok(run(node, "tonomy", "issue", "carol", "100", "TONO", cli=pay_cli))
    ok(run(node, "alice", "create", "guild", "--voting-period", "60", "--timelock", "0", "--grace", "100000"))
    ok(run(node, "alice", "invite", "guild", "bob"))
    refused = run(node, "carol", "join", "guild")
    assert refused.exit_code == 1 and "[dao.not_invited]" in refused.output
    ok(run(node, "bob", "join", "guild"))
    ok(run(node, "carol", "transfer", "guild", "50", "TONO", cli=pay_cli))
    assert ok(run(node, "alice", "treasury", "guild")).strip() == "50 TONO"
    pid = ok(run(node, "bob", "propose", "guild", "pay carol back", "--transfer", "carol:20:TONO")).split()[-1]
    ok(run(node, "alice", "vote", pid, "yes"))
    ok(run(node, "bob", "vote", pid, "yes"))
    outsider = run(node, "carol", "vote", pid, "yes")
    assert outsider.exit_code == 1 and "[dao.not_member]" in outsider.output
    deadline = time.monotonic() + 60
    while True:  # blocks keep coming: execute once voting has ended
        result = run(node, "carol", "execute", pid)
        if result.exit_code == 0 or time.monotonic() > deadline:
            break
        assert "[dao.not_approved]" in result.output, result.output
        time.sleep(0.3)
    ok(result)
    assert ok(run(node, "alice", "treasury", "guild")).strip() == "30 TONO"
    assert json.loads(ok(run(node, "alice", "proposal", pid)))["state"] == "executed"

"""``tonomy gov`` against a real node process, voting with the real Pay token."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from tonomy.node.keys import write_key_file
from tonomy.testing.network import Network, make_network
from tonomy_governance.cli import gov_cli

tonomy_pay_cli = pytest.importorskip("tonomy_pay.cli")
pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Network, str]]:
    parameters = {"tonomy": {"governance_plugin": "governance"}, "governance": {"voting_delay": 1, "voting_period": 40, "timelock": 2, "grace": 100_000}}
    network = make_network(tmp_path_factory.mktemp("gov-network"), accounts=("alice", "bob"), parameters=parameters)
    for name, key in network.keys.items():
        write_key_file(network.root / f"{name}.key", key)
    process = network.node("gov")
    process.start()
    try:
        yield network, process.url
    finally:
        process.stop()


def run(node: tuple[Network, str], account: str, *args: str, cli: Any = gov_cli) -> Any:
    network, url = node
    key = network.validator_key_file if account == "tonomy" else network.root / f"{account}.key"
    return CliRunner().invoke(cli, ["--node", url, "--account", account, "--key-file", str(key), *args])


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output + repr(result.exception)
    return str(result.output)


def until_ok(node: tuple[Network, str], account: str, *args: str, expected: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        result = run(node, account, *args)
        if result.exit_code == 0 or time.monotonic() > deadline:
            return ok(result)
        assert expected in result.output, result.output
        time.sleep(0.3)


def test_a_parameter_changes_by_token_vote_over_a_node(node: tuple[Network, str]) -> None:
    pay_cli = tonomy_pay_cli.pay_cli
    ok(run(node, "tonomy", "create-token", "TONO", "1000000", cli=pay_cli))
    ok(run(node, "tonomy", "issue", "alice", "600", "TONO", cli=pay_cli))
    ok(run(node, "tonomy", "issue", "bob", "300", "TONO", cli=pay_cli))
    time.sleep(0.5)  # let the snapshot height pass the issues
    pid = ok(run(node, "bob", "propose", "root", "more options", "--set-parameter", "governance.max_options=4")).split()[-1]
    assert until_ok(node, "alice", "vote", pid, "yes", expected="[governance.not_active]").strip() == "voted with weight 600"
    ok(run(node, "bob", "delegate", "root", "alice"))
    until_ok(node, "bob", "execute", pid, expected="[governance.")
    assert f"8 -> 4 (proposal {pid})" in ok(run(node, "bob", "parameters", "governance", "max_options"))
    assert '"state": "executed"' in ok(run(node, "bob", "status", pid))

"""``tonomy pay`` against a real node process: signed transactions over HTTP, receipts back.

The network's genesis pins the installed plugins (Pay among them); the first
commands, signed with the validator's key as the system account ``tonomy``,
create the native token and issue the genesis allocation.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from tonomy.errors import TonomyError
from tonomy.node.keys import write_key_file
from tonomy.testing.network import Network, make_network
from tonomy_pay.cli import pay_cli

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Network, str]]:
    network = make_network(tmp_path_factory.mktemp("pay-network"), accounts=("alice", "bob", "carol"))
    for name, key in network.keys.items():
        write_key_file(network.root / f"{name}.key", key)
    process = network.node("pay")
    process.start()
    try:
        yield network, process.url
    finally:
        process.stop()


def pay(node: tuple[Network, str], account: str, *args: str) -> Any:
    network, url = node
    key = network.validator_key_file if account == "tonomy" else network.root / f"{account}.key"
    options = ["--node", url, "--account", account, "--key-file", str(key)]
    return CliRunner().invoke(pay_cli, [*options, *args])


def ok(result: Any) -> str:
    assert result.exit_code == 0, result.output + repr(result.exception)
    return str(result.output)


def test_pay_commands_over_a_node(node: tuple[Network, str]) -> None:
    ok(pay(node, "tonomy", "create-token", "TONO", "1000000", "--decimals", "6"))
    ok(pay(node, "tonomy", "issue", "alice", "100", "TONO", "--memo", "genesis"))
    assert ok(pay(node, "alice", "transfer", "bob", "2.5", "TONO", "--memo", "coffee")) == "sent 2.5 TONO to bob\n"
    assert ok(pay(node, "bob", "balance")) == "2.500000 TONO\n"
    assert ok(pay(node, "bob", "balance", "alice", "--symbol", "TONO")) == "97.500000 TONO\n"

    refused = pay(node, "carol", "transfer", "bob", "1", "TONO")
    assert refused.exit_code == 1 and "[pay.overdrawn]" in refused.output

    request_id = ok(pay(node, "bob", "request", "create", "1", "TONO", "--payer", "alice")).split()[1]
    ok(pay(node, "alice", "request", "pay", request_id))
    assert json.loads(ok(pay(node, "bob", "request", "status", request_id)))["status"] == "paid"
    again = pay(node, "alice", "request", "pay", request_id)
    assert again.exit_code == 1 and "[pay.request_closed]" in again.output

    escrow_id = ok(pay(node, "alice", "escrow", "deposit", "bob", "carol", "3", "TONO", "--deadline-height", "1000000")).split()[1]
    early = pay(node, "alice", "escrow", "refund", escrow_id)
    assert early.exit_code == 1 and "[pay.deadline_not_reached]" in early.output
    ok(pay(node, "carol", "escrow", "release", escrow_id))
    assert json.loads(ok(pay(node, "bob", "escrow", "status", escrow_id)))["status"] == "released"
    assert ok(pay(node, "bob", "balance")) == "6.500000 TONO\n"
    info = json.loads(ok(pay(node, "bob", "token", "TONO")))
    assert (info["supply"], info["native"]) == (100_000_000, True)


def test_a_wrong_key_is_refused_by_the_node(node: tuple[Network, str]) -> None:
    network, url = node
    ok(pay(node, "alice", "create-token", "WK", "10"))
    ok(pay(node, "alice", "issue", "alice", "10", "WK"))
    result = CliRunner().invoke(
        pay_cli, ["--node", url, "--account", "alice", "--key-file", str(network.root / "bob.key"), "transfer", "bob", "1", "WK"]
    )
    assert isinstance(result.exception, TonomyError), result.output
    assert result.exception.code.startswith(("auth.", "tx.")), result.exception.code
    assert ok(pay(node, "alice", "balance", "--symbol", "WK")) == "10 WK\n"

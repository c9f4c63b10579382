"""``tonomy pay`` commands, run against the harness ledger through the shared ChainNode interface."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from tonomy.errors import TonomyError
from tonomy_pay.amounts import format_amount, parse_amount
from tonomy_pay.cli import ActionOutcome, pay_cli
from tonomy_pay.layout import MAX_AMOUNT


class LedgerNode:
    """A ChainNode over the harness: what a node would do with the signed action."""

    def __init__(self, ledger) -> None:
        self.ledger = ledger
        self.submitted: list[tuple[str, dict, list[str]]] = []

    def query(self, plugin, name, params):
        assert plugin == "pay"
        return self.ledger.query(name, **params)

    def act(self, plugin, name, data, authorization):
        assert plugin == "pay"
        self.submitted.append((name, dict(data), list(authorization)))
        try:
            return ActionOutcome(True, [("pay", event, body) for event, body in self.ledger.act(name, authorization, **data)])
        except TonomyError as exc:
            return ActionOutcome(False, [], exc.code, exc.message)


def run(ledger, account, *args):
    node = LedgerNode(ledger)
    result = CliRunner().invoke(pay_cli, ["--account", account, *args], obj=node, catch_exceptions=False)
    return result, node


def test_balance_and_transfer_in_display_units(usd) -> None:
    result, node = run(usd, "alice", "transfer", "bob", "2.50", "USD", "--memo", "lunch")
    assert result.exit_code == 0, result.output
    assert node.submitted == [("transfer", {"from": "alice", "to": "bob", "symbol": "USD", "amount": 250, "memo": "lunch"}, ["alice@active"])]
    result, _ = run(usd, "bob", "balance")
    assert result.output == "2.50 USD\n"
    result, _ = run(usd, "bob", "balance", "alice", "--symbol", "USD")
    assert result.output == "7.50 USD\n"


def test_failures_show_the_stable_code(usd) -> None:
    result, _ = run(usd, "bob", "transfer", "alice", "1", "USD")
    assert result.exit_code == 1
    assert "[pay.overdrawn]" in result.output
    result, _ = run(usd, "alice", "transfer", "bob", "0.001", "USD")
    assert result.exit_code == 2
    assert "digits after the point" in result.output


def test_token_lifecycle(ledger) -> None:
    assert run(ledger, "bob", "create-token", "EUR", "1000", "--decimals", "2")[0].exit_code == 0
    assert ledger.query("token", symbol="EUR")["max_supply"] == 100_000
    assert run(ledger, "bob", "issue", "carol", "10", "EUR")[0].exit_code == 0
    assert run(ledger, "carol", "retire", "0.5", "EUR")[0].exit_code == 0
    assert ledger.balance("carol", "EUR") == 950
    result, _ = run(ledger, "bob", "token", "EUR")
    assert json.loads(result.output)["supply"] == 950


def test_request_commands(usd) -> None:
    result, _ = run(usd, "bob", "request", "create", "3", "USD", "--payer", "alice", "--memo", "inv 7")
    assert result.output == "request 1\n"
    assert run(usd, "alice", "request", "pay", "1")[0].exit_code == 0
    status = json.loads(run(usd, "bob", "request", "status", "1")[0].output)
    assert (status["status"], status["paid_by"]) == ("paid", "alice")
    result, _ = run(usd, "alice", "request", "pay", "1")
    assert "[pay.request_closed]" in result.output
    run(usd, "bob", "request", "create", "3", "USD")
    assert run(usd, "bob", "request", "cancel", "2")[0].exit_code == 0
    assert "[pay.unknown_request]" in run(usd, "bob", "request", "status", "9")[0].output


def test_escrow_commands(usd) -> None:
    result, _ = run(usd, "alice", "escrow", "deposit", "bob", "carol", "4", "USD", "--deadline-height", "30")
    assert result.output == "escrow 1\n"
    assert "[pay.deadline_not_reached]" in run(usd, "alice", "escrow", "refund", "1")[0].output
    assert run(usd, "carol", "escrow", "release", "1")[0].exit_code == 0
    assert json.loads(run(usd, "bob", "escrow", "status", "1")[0].output)["status"] == "released"
    assert usd.balance("bob") == 400
    assert run(usd, "alice", "escrow", "deposit", "bob", "carol", "4", "USD")[0].exit_code == 2  # no deadline


def test_commands_need_an_account(usd) -> None:
    result = CliRunner().invoke(pay_cli, ["balance"], obj=LedgerNode(usd))
    assert result.exit_code == 2 and "--account" in result.output


@pytest.mark.parametrize(
    ("text", "decimals", "units"),
    [("1", 0, 1), ("12.5", 2, 1250), ("0.01", 2, 1), ("12.50", 2, 1250), ("007", 1, 70), (str(MAX_AMOUNT), 0, MAX_AMOUNT)],
)
def test_parse_amount(text, decimals, units) -> None:
    assert parse_amount(text, decimals) == units


@pytest.mark.parametrize(
    ("text", "decimals"),
    [("0", 2), ("0.00", 2), ("-1", 0), ("+1", 0), ("1e3", 0), ("1.5", 0), ("1.001", 2), ("", 2), (".5", 2), ("1.", 2),
     ("nan", 2), ("inf", 0), ("1,5", 2), ("١", 0), (str(MAX_AMOUNT + 1), 0), ("9" * 100, 0)],
)
def test_parse_amount_refuses(text, decimals) -> None:
    with pytest.raises(ValueError):
        parse_amount(text, decimals)


def test_format_amount_round_trips() -> None:
    for units, decimals in ((1, 0), (1, 18), (1250, 2), (MAX_AMOUNT, 18), (100, 2)):
        assert parse_amount(format_amount(units, decimals), decimals) == units
    assert format_amount(1250, 2) == "12.50"
    assert format_amount(5, 3) == "0.005"


def test_lock_unlock_and_balance_at(usd) -> None:
    start = usd.height
    result, node = run(usd, "alice", "lock", "6", "USD", "--until", str(start + 3))
    assert result.output == f"locked 6.00 USD until height {start + 3}\n"
    assert node.submitted == [("lock", {"account": "alice", "symbol": "USD", "amount": 600, "until_height": start + 3}, ["alice@active"])]
    result, _ = run(usd, "alice", "transfer", "bob", "5", "USD")
    assert result.exit_code == 1 and "[pay.locked]" in result.output
    result, _ = run(usd, "alice", "unlock", "USD")
    assert result.exit_code == 1 and "[pay.still_locked]" in result.output
    usd.height = start + 3
    result, _ = run(usd, "alice", "transfer", "bob", "5", "USD")
    assert result.exit_code == 0
    assert run(usd, "alice", "unlock", "USD")[0].output == "unlocked USD\n"
    assert run(usd, "alice", "balance-at", str(start), "USD")[0].output == "10.00 USD\n"
    assert run(usd, "bob", "balance-at", str(start + 3), "USD", "alice")[0].output == "5.00 USD\n"

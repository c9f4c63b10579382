"""Transfers and balances."""

from __future__ import annotations

import pytest

from tonomy_pay.layout import MAX_AMOUNT

MISSING_AUTH = "tx.missing_authorization"
INVALID = "core.invalid_input"


def test_transfer_moves_units_and_announces_it(usd) -> None:
    events = usd.act("transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "USD", "amount": 300, "memo": "rent"})
    assert events == [("transferred", {"from": "alice", "to": "bob", "symbol": "USD", "amount": 300, "memo": "rent"})]
    assert (usd.balance("alice"), usd.balance("bob")) == (700, 300)


def test_transferring_everything_leaves_no_record(usd) -> None:
    usd.act("transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "USD", "amount": 1_000})
    assert usd.query("balances", account="alice") == []
    assert b"bal/alice/USD" not in usd.raw_records()


def test_overdraft_is_refused(usd) -> None:
    usd.fails("pay.overdrawn", "transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "USD", "amount": 1_001})
    usd.fails("pay.overdrawn", "transfer", "bob", **{"from": "bob", "to": "alice", "symbol": "USD", "amount": 1})


def test_transfer_needs_the_senders_authority(usd) -> None:
    usd.fails(MISSING_AUTH, "transfer", "bob", **{"from": "alice", "to": "bob", "symbol": "USD", "amount": 1})
    usd.fails(MISSING_AUTH, "transfer", None, **{"from": "alice", "to": "bob", "symbol": "USD", "amount": 1})


def test_any_permission_of_the_sender_carries_its_authority(usd) -> None:
    usd.act("transfer", "alice@payments", **{"from": "alice", "to": "bob", "symbol": "USD", "amount": 1})
    assert usd.balance("bob") == 1


def test_unknown_recipient_or_token_or_self(usd) -> None:
    usd.fails("pay.unknown_account", "transfer", "alice", **{"from": "alice", "to": "nobody", "symbol": "USD", "amount": 1})
    usd.fails("pay.unknown_account", "transfer", "alice", **{"from": "alice", "to": "bo/b", "symbol": "USD", "amount": 1})
    usd.fails("pay.unknown_token", "transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "EUR", "amount": 1})
    usd.fails("pay.unknown_token", "transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "us/d", "amount": 1})
    usd.fails("pay.self_transfer", "transfer", "alice", **{"from": "alice", "to": "alice", "symbol": "USD", "amount": 1})


def test_memo_limits(usd) -> None:
    base = {"from": "alice", "to": "bob", "symbol": "USD", "amount": 1}
    usd.act("transfer", "alice", **base, memo="€" * 85)  # 255 bytes
    usd.fails(INVALID, "transfer", "alice", **base, memo="€" * 86)  # 258 bytes: above the hard limit
    usd.fails(INVALID, "transfer", "alice", **base, memo="x" * 257)
    usd.parameters = {"max_memo_bytes": 4, "max_tokens_per_account": 16, "native_symbol": "TONO", "native_issuer": "tonomy"}
    usd.act("transfer", "alice", **base, memo="abcd")
    usd.fails("pay.memo_too_long", "transfer", "alice", **base, memo="abcde")
    usd.fails("pay.memo_too_long", "transfer", "alice", **base, memo="€€")  # 6 bytes, 2 characters


def test_a_host_giving_an_out_of_range_parameter_is_not_trusted(usd) -> None:
    usd.parameters = {"max_memo_bytes": 10_000}
    with pytest.raises(ValueError):
        usd.act("transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "USD", "amount": 1, "memo": "x"})


@pytest.mark.parametrize(
    "amount", [0, -1, MAX_AMOUNT + 1, 2**128, 1.0, 1.5, True, "1", b"\x01", None, float("nan"), [1], {"n": 1}]
)
def test_hostile_amounts_are_refused(usd, amount) -> None:
    usd.fails(INVALID, "transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "USD", "amount": amount})


@pytest.mark.parametrize(
    "data",
    [
        {"from": "alice", "to": "bob", "symbol": "USD"},
        {"from": "alice", "to": "bob", "symbol": "USD", "amount": 1, "extra": 1},
        {"from": b"alice", "to": "bob", "symbol": "USD", "amount": 1},
        {"from": "alice", "to": 7, "symbol": "USD", "amount": 1},
        {"from": "alice", "to": "bob", "symbol": b"USD", "amount": 1},
        {"from": "alice", "to": "bob", "symbol": "USD", "amount": 1, "memo": b"x"},
        {"from": "alice", "to": "b" * 33, "symbol": "USD", "amount": 1},
        {"from": "alice", "to": "bob", "symbol": "U" * 13, "amount": 1},
    ],
)
def test_hostile_data_is_refused(usd, data) -> None:
    usd.fails(INVALID, "transfer", "alice", **data)


def test_balance_overflow_is_impossible(ledger) -> None:
    """Two tokens at the maximum supply: balances stay within bounds however units move."""
    ledger.act("create_token", "alice", issuer="alice", symbol="BIG", max_supply=MAX_AMOUNT, decimals=0)
    ledger.act("issue", "alice", symbol="BIG", to="alice", amount=MAX_AMOUNT)
    ledger.fails("pay.supply_exceeded", "issue", "alice", symbol="BIG", to="bob", amount=1)
    ledger.act("transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "BIG", "amount": MAX_AMOUNT - 1})
    ledger.act("transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "BIG", "amount": 1})
    assert ledger.balance("bob", "BIG") == MAX_AMOUNT
    ledger.fails("pay.overdrawn", "transfer", "alice", **{"from": "alice", "to": "bob", "symbol": "BIG", "amount": 1})


def test_balances_lists_every_token_held_in_symbol_order(usd) -> None:
    usd.token("EUR", issuer="bob")
    usd.fund("alice", 5, "EUR")
    usd.token("EURO", issuer="bob")
    usd.fund("alice", 7, "EURO")
    assert usd.query("balances", account="alice") == [
        {"symbol": "EUR", "amount": 5},
        {"symbol": "EURO", "amount": 7},
        {"symbol": "USD", "amount": 1_000},
    ]
    assert usd.query("balances", account="bob") == []


def test_balances_of_similar_names_do_not_mix(ledger) -> None:
    ledger.accounts.names |= {"ali", "ali.ce", "alice1"}
    ledger.token()
    for name, amount in (("ali", 1), ("ali.ce", 2), ("alice", 3), ("alice1", 4)):
        ledger.fund(name, amount)
    assert ledger.query("balances", account="ali") == [{"symbol": "USD", "amount": 1}]
    assert ledger.query("balances", account="alice") == [{"symbol": "USD", "amount": 3}]


def test_queries_about_unknown_things_answer_nothing(usd) -> None:
    assert usd.balance("nobody") == 0
    assert usd.query("balance", account="bo/b", symbol="USD") == 0
    assert usd.query("balances", account="a/b") == []
    assert usd.query("token", symbol="EUR") is None
    assert usd.query("token", symbol="bad!") is None
    assert usd.query("request", id=1) is None
    assert usd.query("escrow", id=1) is None

"""Creating, issuing and retiring tokens."""

from __future__ import annotations

import pytest

from tonomy_pay.layout import MAX_AMOUNT

MISSING_AUTH = "tx.missing_authorization"
INVALID = "core.invalid_input"


def test_create_token_records_it_and_announces_it(ledger) -> None:
    events = ledger.act("create_token", "alice", issuer="alice", symbol="USD", max_supply=500, decimals=2)
    assert events == [("token_created", {"symbol": "USD", "issuer": "alice", "decimals": 2, "max_supply": 500})]
    info = ledger.query("token", symbol="USD")
    assert info == {"symbol": "USD", "issuer": "alice", "decimals": 2, "max_supply": 500, "supply": 0, "created_height": 10, "native": False}


def test_create_token_needs_the_issuers_authority(ledger) -> None:
    ledger.fails(MISSING_AUTH, "create_token", "bob", issuer="alice", symbol="USD", max_supply=5, decimals=0)


@pytest.mark.parametrize("symbol", ["usd", "1USD", "US-D", "US D", "ÜSD", "A" * 13, ""])
def test_bad_symbols_are_refused(ledger, symbol) -> None:
    code = INVALID if len(symbol.encode()) not in range(1, 13) else "pay.invalid_symbol"
    ledger.fails(code, "create_token", "alice", issuer="alice", symbol=symbol, max_supply=5, decimals=0)


def test_a_symbol_is_created_once(usd) -> None:
    usd.fails("pay.token_exists", "create_token", "bob", issuer="bob", symbol="USD", max_supply=5, decimals=0)


@pytest.mark.parametrize(("field", "value"), [("decimals", 19), ("decimals", -1), ("max_supply", 0), ("max_supply", MAX_AMOUNT + 1)])
def test_decimals_and_max_supply_are_bounded(ledger, field, value) -> None:
    data = {"issuer": "alice", "symbol": "USD", "max_supply": 5, "decimals": 0} | {field: value}
    ledger.fails(INVALID, "create_token", "alice", **data)


def test_the_largest_token_is_allowed(ledger) -> None:
    ledger.act("create_token", "alice", issuer="alice", symbol="BIG", max_supply=MAX_AMOUNT, decimals=18)
    ledger.act("issue", "alice", symbol="BIG", to="bob", amount=MAX_AMOUNT)
    assert ledger.balance("bob", "BIG") == MAX_AMOUNT


def test_an_unknown_issuer_cannot_create(ledger) -> None:
    ledger.fails("pay.unknown_account", "create_token", "zed", issuer="zed", symbol="ZED", max_supply=5, decimals=0)


def test_tokens_per_account_are_limited_by_the_parameter(ledger) -> None:
    for i in range(16):
        ledger.token(f"T{i}")
    ledger.fails("pay.too_many_tokens", "create_token", "alice", issuer="alice", symbol="T16", max_supply=5, decimals=0)
    ledger.token("B1", issuer="bob")  # a per-account limit, not a global one


def test_governance_can_lower_the_token_limit(ledger) -> None:
    ledger.parameters = {"max_tokens_per_account": 0, "native_symbol": "TONO", "native_issuer": "tonomy", "max_memo_bytes": 256}
    ledger.fails("pay.too_many_tokens", "create_token", "alice", issuer="alice", symbol="USD", max_supply=5, decimals=0)


def test_the_native_symbol_is_reserved_for_the_native_issuer(ledger) -> None:
    ledger.fails("pay.reserved_symbol", "create_token", "alice", issuer="alice", symbol="TONO", max_supply=5, decimals=0)
    assert ledger.query("native_token") is None
    ledger.act("create_token", "tonomy", issuer="tonomy", symbol="TONO", max_supply=10**15, decimals=6)
    assert ledger.query("native_token")["native"] is True


def test_genesis_allocation_is_issued_by_the_native_issuer(ledger) -> None:
    """What the genesis transactions do: create the native token, then issue each allocation."""
    ledger.act("create_token", "tonomy", issuer="tonomy", symbol="TONO", max_supply=10**15, decimals=6)
    allocation = {"alice": 600, "bob": 300, "carol": 100}
    for account, amount in allocation.items():
        ledger.act("issue", "tonomy", symbol="TONO", to=account, amount=amount, memo="genesis")
    assert {a: ledger.balance(a, "TONO") for a in allocation} == allocation
    assert ledger.query("native_token")["supply"] == 1_000


def test_issue_credits_and_raises_supply(usd) -> None:
    events = usd.act("issue", "alice", symbol="USD", to="bob", amount=250, memo="hi")
    assert events == [("issued", {"symbol": "USD", "to": "bob", "amount": 250, "supply": 1_250, "memo": "hi"}), ]
    assert usd.balance("bob") == 250
    assert usd.query("token", symbol="USD")["supply"] == 1_250


def test_only_the_issuer_issues(usd) -> None:
    usd.fails(MISSING_AUTH, "issue", "bob", symbol="USD", to="bob", amount=1)


def test_issue_stays_within_max_supply(usd) -> None:
    usd.act("issue", "alice", symbol="USD", to="bob", amount=999_000)
    usd.fails("pay.supply_exceeded", "issue", "alice", symbol="USD", to="bob", amount=1)


def test_issue_to_an_unknown_account_or_token(usd) -> None:
    usd.fails("pay.unknown_account", "issue", "alice", symbol="USD", to="nobody", amount=1)
    usd.fails("pay.unknown_token", "issue", "alice", symbol="EUR", to="bob", amount=1)


def test_retire_burns_own_balance(usd) -> None:
    events = usd.act("retire", "alice", owner="alice", symbol="USD", amount=400)
    assert events == [("retired", {"symbol": "USD", "owner": "alice", "amount": 400, "supply": 600, "memo": ""})]
    assert usd.balance("alice") == 600
    assert usd.query("token", symbol="USD")["supply"] == 600


def test_retire_cannot_overdraw_or_burn_anothers_balance(usd) -> None:
    usd.fails("pay.overdrawn", "retire", "alice", owner="alice", symbol="USD", amount=1_001)
    usd.fails(MISSING_AUTH, "retire", "bob", owner="alice", symbol="USD", amount=1)


def test_retired_units_can_be_issued_again(usd) -> None:
    usd.act("issue", "alice", symbol="USD", to="alice", amount=999_000)
    usd.act("retire", "alice", owner="alice", symbol="USD", amount=10)
    usd.act("issue", "alice", symbol="USD", to="bob", amount=10)
    assert usd.query("token", symbol="USD")["supply"] == 1_000_000

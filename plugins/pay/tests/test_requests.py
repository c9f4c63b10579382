"""Payment requests: create, pay exactly once, cancel, expire, status."""

from __future__ import annotations

import pytest

MISSING_AUTH = "tx.missing_authorization"
INVALID = "core.invalid_input"


def created_id(events) -> int:
    [(name, data)] = events
    assert name == "request_created"
    return data["id"]


def test_create_request_assigns_increasing_ids(usd) -> None:
    first = usd.act("create_request", "bob", payee="bob", symbol="USD", amount=50, payer="alice", memo="invoice 1")
    assert first == [("request_created", {"id": 1, "payee": "bob", "payer": "alice", "symbol": "USD", "amount": 50, "memo": "invoice 1", "created_height": 10})]
    assert created_id(usd.act("create_request", "bob", payee="bob", symbol="USD", amount=5)) == 2
    status = usd.query("request", id=1)
    assert (status["status"], status["payer"], status["amount"], status["paid_by"]) == ("open", "alice", 50, None)


def test_pay_request_moves_funds_once(usd) -> None:
    rid = created_id(usd.act("create_request", "bob", payee="bob", symbol="USD", amount=50, payer="alice", memo="inv"))
    usd.height = 11
    events = usd.act("pay_request", "alice", id=rid, payer="alice")
    assert [name for name, _ in events] == ["transferred", "request_paid"]
    assert events[0][1] == {"from": "alice", "to": "bob", "symbol": "USD", "amount": 50, "memo": "inv"}
    assert (usd.balance("alice"), usd.balance("bob")) == (950, 50)
    status = usd.query("request", id=rid)
    assert (status["status"], status["paid_by"], status["closed_height"]) == ("paid", "alice", 11)
    usd.fails("pay.request_closed", "pay_request", "alice", id=rid, payer="alice")
    assert usd.balance("alice") == 950


def test_open_request_is_paid_by_anyone_but_the_payee(usd) -> None:
    usd.fund("carol", 100)
    rid = created_id(usd.act("create_request", "bob", payee="bob", symbol="USD", amount=60))
    usd.fails("pay.self_transfer", "pay_request", "bob", id=rid, payer="bob")
    usd.act("pay_request", "carol", id=rid, payer="carol")
    usd.fails("pay.request_closed", "pay_request", "alice", id=rid, payer="alice")
    assert (usd.balance("carol"), usd.balance("bob"), usd.balance("alice")) == (40, 60, 1_000)


def test_a_named_payer_is_the_only_payer(usd) -> None:
    usd.fund("carol", 100)
    rid = created_id(usd.act("create_request", "bob", payee="bob", symbol="USD", amount=5, payer="alice"))
    usd.fails("pay.wrong_payer", "pay_request", "carol", id=rid, payer="carol")
    usd.fails(MISSING_AUTH, "pay_request", "carol", id=rid, payer="alice")


def test_paying_needs_funds(usd) -> None:
    rid = created_id(usd.act("create_request", "alice", payee="alice", symbol="USD", amount=5, payer="bob"))
    usd.fails("pay.overdrawn", "pay_request", "bob", id=rid, payer="bob")
    assert usd.query("request", id=rid)["status"] == "open"


def test_cancel_by_the_payee_only_and_only_while_open(usd) -> None:
    rid = created_id(usd.act("create_request", "bob", payee="bob", symbol="USD", amount=5, payer="alice"))
    usd.fails(MISSING_AUTH, "cancel_request", "alice", id=rid)
    assert usd.act("cancel_request", "bob", id=rid) == [("request_cancelled", {"id": rid, "payee": "bob"})]
    assert usd.query("request", id=rid)["status"] == "cancelled"
    usd.fails("pay.request_closed", "pay_request", "alice", id=rid, payer="alice")
    usd.fails("pay.request_closed", "cancel_request", "bob", id=rid)


def test_a_paid_request_cannot_be_cancelled(usd) -> None:
    rid = created_id(usd.act("create_request", "bob", payee="bob", symbol="USD", amount=5))
    usd.act("pay_request", "alice", id=rid, payer="alice")
    usd.fails("pay.request_closed", "cancel_request", "bob", id=rid)


def test_expiry_by_height(usd) -> None:
    rid = created_id(usd.act("create_request", "bob", payee="bob", symbol="USD", amount=5, expires_height=12))
    usd.height = 11
    assert usd.query("request", id=rid)["status"] == "open"
    usd.height = 12
    assert usd.query("request", id=rid)["status"] == "expired"
    usd.fails("pay.request_expired", "pay_request", "alice", id=rid, payer="alice")
    usd.act("cancel_request", "bob", id=rid)  # an expired request may still be closed by its payee
    assert usd.query("request", id=rid)["status"] == "cancelled"


def test_expiry_by_time(usd) -> None:
    rid = created_id(usd.act("create_request", "bob", payee="bob", symbol="USD", amount=5, expires_time_ms=1_000_500))
    usd.time_ms = 1_000_499
    usd.act("pay_request", "alice", id=rid, payer="alice")
    rid = created_id(usd.act("create_request", "bob", payee="bob", symbol="USD", amount=5, expires_time_ms=1_000_500))
    usd.time_ms = 1_000_500
    usd.fails("pay.request_expired", "pay_request", "alice", id=rid, payer="alice")


@pytest.mark.parametrize("expiry", [{"expires_height": 10}, {"expires_height": 3}, {"expires_time_ms": 1_000_000}, {"expires_height": 99, "expires_time_ms": 5}])
def test_expiry_must_be_in_the_future(usd, expiry) -> None:
    usd.fails("pay.invalid_expiry", "create_request", "bob", payee="bob", symbol="USD", amount=5, **expiry)


def test_create_request_checks(usd) -> None:
    usd.fails(MISSING_AUTH, "create_request", "alice", payee="bob", symbol="USD", amount=5)
    usd.fails("pay.unknown_token", "create_request", "bob", payee="bob", symbol="EUR", amount=5)
    usd.fails("pay.unknown_account", "create_request", "bob", payee="bob", symbol="USD", amount=5, payer="nobody")
    usd.fails("pay.self_transfer", "create_request", "bob", payee="bob", symbol="USD", amount=5, payer="bob")
    usd.fails(INVALID, "create_request", "bob", payee="bob", symbol="USD", amount=5, expires_height=0)
    usd.fails(INVALID, "create_request", "bob", payee="bob", symbol="USD", amount=5, memo="m" * 257)
    usd.fails(INVALID, "create_request", "bob", payee="bob", symbol="USD", amount=5, payer=None)


def test_unknown_request(usd) -> None:
    usd.fails("pay.unknown_request", "pay_request", "alice", id=7, payer="alice")
    usd.fails("pay.unknown_request", "cancel_request", "bob", id=7)
    for bad in (0, -1, 2**64, True, "1"):
        usd.fails(INVALID, "pay_request", "alice", id=bad, payer="alice")

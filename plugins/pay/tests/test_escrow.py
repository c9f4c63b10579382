"""Escrow: deposit, release by payer or arbiter, refund by arbiter or by payer after the deadline."""

from __future__ import annotations

import pytest

MISSING_AUTH = "tx.missing_authorization"
INVALID = "core.invalid_input"


def deposit(ledger, amount=100, **extra) -> int:
    data = {"payer": "alice", "payee": "bob", "arbiter": "carol", "symbol": "USD", "amount": amount, "deadline_height": 20} | extra
    events = ledger.act("deposit", data["payer"], **data)
    [(name, info)] = events
    assert name == "escrow_deposited"
    return info["id"]


def test_deposit_locks_funds(usd) -> None:
    eid = deposit(usd, memo="job")
    assert usd.balance("alice") == 900
    status = usd.query("escrow", id=eid)
    assert (status["status"], status["amount"], status["deadline_reached"], status["memo"]) == ("open", 100, False, "job")
    assert usd.query("token", symbol="USD")["supply"] == 1_000  # the supply is unchanged: the escrow holds the units


@pytest.mark.parametrize("actor", ["alice", "carol"])
def test_release_by_payer_or_arbiter_pays_the_payee_once(usd, actor) -> None:
    eid = deposit(usd)
    events = usd.act("release_escrow", actor, id=eid, actor=actor)
    assert events == [("escrow_released", {"id": eid, "by": actor, "to": "bob", "symbol": "USD", "amount": 100})]
    assert (usd.balance("alice"), usd.balance("bob")) == (900, 100)
    assert usd.query("escrow", id=eid)["status"] == "released"
    usd.fails("pay.escrow_closed", "release_escrow", actor, id=eid, actor=actor)
    usd.fails("pay.escrow_closed", "refund_escrow", "carol", id=eid, actor="carol")
    usd.height = 100
    usd.fails("pay.escrow_closed", "refund_escrow", "alice", id=eid, actor="alice")


def test_the_payee_cannot_release_to_itself(usd) -> None:
    eid = deposit(usd)
    usd.fails("pay.not_allowed", "release_escrow", "bob", id=eid, actor="bob")
    usd.fails("pay.not_allowed", "release_escrow", "dave", id=eid, actor="dave")


def test_actor_must_carry_its_authority(usd) -> None:
    eid = deposit(usd)
    usd.fails(MISSING_AUTH, "release_escrow", "bob", id=eid, actor="carol")
    usd.fails(MISSING_AUTH, "refund_escrow", "bob", id=eid, actor="carol")


def test_arbiter_refunds_any_time(usd) -> None:
    eid = deposit(usd)
    events = usd.act("refund_escrow", "carol", id=eid, actor="carol")
    assert events == [("escrow_refunded", {"id": eid, "by": "carol", "to": "alice", "symbol": "USD", "amount": 100})]
    assert usd.balance("alice") == 1_000
    usd.fails("pay.escrow_closed", "refund_escrow", "carol", id=eid, actor="carol")
    usd.fails("pay.escrow_closed", "release_escrow", "alice", id=eid, actor="alice")
    assert (usd.balance("alice"), usd.balance("bob")) == (1_000, 0)


def test_payer_refund_waits_for_the_height_deadline(usd) -> None:
    eid = deposit(usd, deadline_height=20)
    usd.height = 19
    usd.fails("pay.deadline_not_reached", "refund_escrow", "alice", id=eid, actor="alice")
    usd.height = 20
    assert usd.query("escrow", id=eid)["deadline_reached"] is True
    usd.act("refund_escrow", "alice", id=eid, actor="alice")
    assert usd.query("escrow", id=eid)["status"] == "refunded"


def test_payer_refund_waits_for_the_time_deadline(usd) -> None:
    data = {"payer": "alice", "payee": "bob", "arbiter": "carol", "symbol": "USD", "amount": 10, "deadline_time_ms": 2_000_000}
    eid = usd.act("deposit", "alice", **data)[0][1]["id"]
    usd.time_ms = 1_999_999
    usd.fails("pay.deadline_not_reached", "refund_escrow", "alice", id=eid, actor="alice")
    usd.time_ms = 2_000_000
    usd.act("refund_escrow", "alice", id=eid, actor="alice")


def test_payee_and_outsiders_cannot_refund(usd) -> None:
    eid = deposit(usd)
    usd.height = 50
    usd.fails("pay.not_allowed", "refund_escrow", "bob", id=eid, actor="bob")
    usd.fails("pay.not_allowed", "refund_escrow", "dave", id=eid, actor="dave")


def test_release_still_works_after_the_deadline(usd) -> None:
    eid = deposit(usd)
    usd.height = 50
    usd.act("release_escrow", "alice", id=eid, actor="alice")
    assert usd.balance("bob") == 100


def test_deposit_checks(usd) -> None:
    base = {"payer": "alice", "payee": "bob", "arbiter": "carol", "symbol": "USD", "amount": 5, "deadline_height": 20}
    usd.fails(MISSING_AUTH, "deposit", "bob", **base)
    usd.fails("pay.overdrawn", "deposit", "alice", **base | {"amount": 1_001})
    usd.fails("pay.unknown_token", "deposit", "alice", **base | {"symbol": "EUR"})
    usd.fails("pay.unknown_account", "deposit", "alice", **base | {"payee": "nobody"})
    usd.fails("pay.unknown_account", "deposit", "alice", **base | {"arbiter": "nobody"})
    for parties in ({"payee": "alice"}, {"arbiter": "alice"}, {"arbiter": "bob"}):
        usd.fails("pay.invalid_parties", "deposit", "alice", **base | parties)
    no_deadline = {k: v for k, v in base.items() if k != "deadline_height"}
    usd.fails("pay.invalid_deadline", "deposit", "alice", **no_deadline)
    usd.fails("pay.invalid_deadline", "deposit", "alice", **base | {"deadline_height": 10})
    usd.fails("pay.invalid_deadline", "deposit", "alice", **no_deadline | {"deadline_time_ms": 1_000_000})
    usd.fails(INVALID, "deposit", "alice", **base | {"deadline_height": 0})
    usd.fails(INVALID, "deposit", "alice", **base | {"deadline_height": None})
    usd.parameters = {"max_memo_bytes": 0, "max_tokens_per_account": 16, "native_symbol": "TONO", "native_issuer": "tonomy"}
    usd.fails("pay.memo_too_long", "deposit", "alice", **base | {"memo": "x"})


def test_unknown_escrow(usd) -> None:
    usd.fails("pay.unknown_escrow", "release_escrow", "alice", id=1, actor="alice")
    usd.fails("pay.unknown_escrow", "refund_escrow", "carol", id=1, actor="carol")


def test_escrow_ids_are_separate_from_request_ids(usd) -> None:
    usd.act("create_request", "bob", payee="bob", symbol="USD", amount=5)
    assert deposit(usd) == 1
    assert deposit(usd) == 2

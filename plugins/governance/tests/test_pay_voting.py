"""Token-weighted and conviction voting on the real Pay token (its checkpoints and locks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from govnet import ACCOUNTS, FAST, Gov, options, set_param

tonomy_pay = pytest.importorskip("tonomy_pay")

import tonomy_governance  # noqa: E402

from tonomy.testing.ledger import LedgerNet, build_manager, make_genesis  # noqa: E402

PAY_TOKEN = {"voting_token_plugin": "pay", "voting_symbol": "TONO", "deposit_token_plugin": "pay", "deposit_symbol": "TONO", "deposit": 0}


def pay_net(path: Path, **settings: object) -> Gov:
    manager = build_manager([tonomy_governance, tonomy_pay])
    values = {**FAST, **PAY_TOKEN, **settings}
    genesis = make_genesis(manager, ACCOUNTS, parameters={"tonomy": {"governance_plugin": "governance"}, "governance": values})
    gov = Gov(LedgerNet.create(path, manager=manager, genesis=genesis))
    gov.ok("pay", "create_token", {"issuer": "tonomy", "symbol": "TONO", "max_supply": 10**9, "decimals": 0}, "validator")
    for account, amount in (("alice", 600), ("bob", 300), ("carol", 100)):
        gov.ok("pay", "issue", {"symbol": "TONO", "to": account, "amount": amount}, "validator")
    return gov


@pytest.fixture
def token_gov(tmp_path: Path) -> Iterator[Gov]:
    gov = pay_net(tmp_path, voting_delay=3, voting_period=8)
    try:
        yield gov
    finally:
        gov.net.close()


@pytest.fixture
def conviction_gov(tmp_path: Path) -> Iterator[Gov]:
    gov = pay_net(tmp_path, strategy="governance.conviction")
    try:
        yield gov
    finally:
        gov.net.close()


def send(gov: Gov, source: str, to: str, amount: int) -> None:
    gov.ok("pay", "transfer", {"from": source, "to": to, "symbol": "TONO", "amount": amount}, source)


def test_weights_are_pay_balances_at_the_snapshot_and_moved_tokens_add_nothing(token_gov: Gov) -> None:
    gov = token_gov
    pid = gov.propose("carol", options([set_param("governance", "max_options", 4)]))
    p = gov.proposal(pid)
    # after the snapshot bob hands all his tokens to carol, and alice funds dave
    send(gov, "bob", "carol", 300)
    send(gov, "alice", "dave", 500)
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "carol", 0)
    gov.vote(pid, "bob", -1)  # against, with the 300 he held at the snapshot
    weights = {a: gov.query("ballot", {"id": pid, "account": a})["weight"] for a in ("carol", "bob")}
    assert weights == {"carol": 100, "bob": 300}  # carol's 300 received later count nothing
    gov.fails("governance.no_power", "governance", "vote", {"id": pid, "voter": "dave", "choice": 0}, "dave")
    gov.vote(pid, "alice", 0)  # 600 at the snapshot, though she holds 100 now
    assert gov.query("ballot", {"id": pid, "account": "alice"})["weight"] == 600
    gov.until(p["eta"] - 1)
    proposal = gov.proposal(pid)
    assert proposal["state"] == "queued", proposal  # executable from the next block (eta)
    gov.gov("execute", {"id": pid}, "erin")
    assert gov.param("governance", "max_options") == 4


def test_tokens_moved_in_the_creating_block_count_for_the_old_holder(token_gov: Gov) -> None:
    gov = token_gov
    opts = options([set_param("governance", "max_options", 4)])
    tx = [
        gov.net.action("pay", "transfer", {"from": "alice", "to": "erin", "symbol": "TONO", "amount": 600}, "alice@active"),
        gov.net.action("governance", "propose", {"proposer": "alice", "track": "root", "title": "t", "options": opts}, "alice@active"),
    ]
    gov.net.submit(tx, ["alice"])
    gov.net.produce()
    pid = 1
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.fails("governance.no_power", "governance", "vote", {"id": pid, "voter": "erin", "choice": 0}, "erin")
    gov.vote(pid, "alice", 0)
    assert gov.query("ballot", {"id": pid, "account": "alice"})["weight"] == 600


def test_conviction_locks_the_voted_pay_tokens_until_the_lock_ends(conviction_gov: Gov) -> None:
    gov = conviction_gov
    pid = gov.propose("bob", options([set_param("governance", "max_options", 4)]))
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "alice", 0, conviction=2)  # 3x weight, locks 600 for 2 periods after vote_end
    assert gov.query("ballot", {"id": pid, "account": "alice"})["weight"] == 1800
    lock = gov.net.chain.query("pay", "locked", {"account": "alice", "symbol": "TONO"})
    until = p["vote_end"] + 2 * FAST["conviction_lock"]
    assert lock["amount"] == 600 and lock["until_height"] == until  # type: ignore[index]
    gov.fails("pay.locked", "pay", "transfer", {"from": "alice", "to": "bob", "symbol": "TONO", "amount": 1}, "alice")
    gov.fails("pay.still_locked", "pay", "unlock", {"account": "alice", "symbol": "TONO"}, "alice")
    gov.until(until - 1)
    send(gov, "alice", "bob", 600)  # the lock has ended at this height
    gov.ok("pay", "unlock", {"account": "alice", "symbol": "TONO"}, "alice")


def test_a_conviction_vote_fails_when_the_snapshot_tokens_are_gone(conviction_gov: Gov) -> None:
    gov = conviction_gov
    pid = gov.propose("bob", options([set_param("governance", "max_options", 4)]))
    p = gov.proposal(pid)
    send(gov, "alice", "bob", 550)
    gov.until(p["vote_start"] - 1)
    # she cannot lock 600 she no longer holds: no cheap conviction with spent tokens
    gov.fails("pay.overdrawn", "governance", "vote", {"id": pid, "voter": "alice", "choice": 0, "conviction": 1}, "alice")
    gov.vote(pid, "alice", 0)  # without conviction: her 600 at the snapshot, 1x
    assert gov.query("ballot", {"id": pid, "account": "alice"})["weight"] == 600

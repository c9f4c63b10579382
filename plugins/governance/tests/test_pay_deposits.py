"""Deposits through the real Pay plugin's public actions (transfer, retire), on a real chain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from govnet import ACCOUNTS, FAST, Gov, options, set_param

tonomy_pay = pytest.importorskip("tonomy_pay")

import tonomy_governance  # noqa: E402
from gtoken import GToken  # noqa: E402

from tonomy.testing.ledger import LedgerNet, build_manager, make_genesis  # noqa: E402


@pytest.fixture
def paid(tmp_path: Path) -> Iterator[Gov]:
    manager = build_manager([tonomy_governance, GToken(), tonomy_pay])
    settings = {**FAST, "deposit": 1_000, "deposit_token_plugin": "pay", "deposit_symbol": "TONO"}
    genesis = make_genesis(manager, ACCOUNTS, parameters={"tonomy": {"governance_plugin": "governance"}, "governance": settings})
    net = LedgerNet.create(tmp_path, manager=manager, genesis=genesis)
    gov = Gov(net)
    gov.ok("pay", "create_token", {"issuer": "tonomy", "symbol": "TONO", "max_supply": 10**9, "decimals": 0}, "validator")
    for account in ("alice", "bob"):
        gov.ok("pay", "issue", {"symbol": "TONO", "to": account, "amount": 5_000}, "validator")
    gov.mint("alice", 600)  # voting power (gtoken keeps checkpoints; Pay does not yet)
    gov.mint("bob", 300)
    try:
        yield gov
    finally:
        net.close()


def tono(gov: Gov, account: str) -> int:
    return int(gov.net.chain.query("pay", "balance", {"account": account, "symbol": "TONO"}))  # type: ignore[call-overload]


def supply(gov: Gov) -> int:
    return int(gov.net.chain.query("pay", "token", {"symbol": "TONO"})["supply"])  # type: ignore[index]


def test_a_pay_deposit_is_held_then_refunded_on_execution(paid: Gov) -> None:
    gov = paid
    pid = gov.propose("bob", options([set_param("governance", "max_options", 4)]))
    assert (tono(gov, "bob"), tono(gov, "tonomy"), gov.query("escrowed", {})) == (4_000, 1_000, 1_000)
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "alice")
    gov.until(p["eta"] - 1)
    gov.gov("execute", {"id": pid}, "carol")
    assert (tono(gov, "bob"), tono(gov, "tonomy"), gov.query("escrowed", {})) == (5_000, 0, 0)


def test_a_vetoed_proposal_burns_its_pay_deposit(paid: Gov) -> None:
    gov = paid
    before = supply(gov)
    pid = gov.propose("bob", options([set_param("governance", "max_options", 4)]))
    p = gov.proposal(pid)
    gov.until(p["vote_start"] - 1)
    gov.vote(pid, "alice", -3)
    gov.until(p["vote_end"] + 1)
    gov.gov("settle", {"id": pid}, "carol")
    assert (tono(gov, "bob"), tono(gov, "tonomy"), supply(gov)) == (4_000, 0, before - 1_000)


def test_a_proposer_without_the_deposit_cannot_propose(paid: Gov) -> None:
    gov = paid
    gov.fails("pay.overdrawn", "governance", "propose", {"proposer": "carol", "track": "root", "title": "t", "options": options([])}, "carol")
    assert gov.query("escrowed", {}) == 0 and gov.query("proposal", {"id": 1}) is None

"""Crowdfunding with refunds, published by a DAO, approved by the network, used by people."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from marketnet import CROWDFUND, Market, make_market

from tonomy.chain import codec

ESCROW = "cf.escrow"


@pytest.fixture
def market(tmp_path: Path) -> Iterator[Market]:
    net = make_market(tmp_path, [CROWDFUND])
    net.publish(CROWDFUND)
    activation = net.height + 10
    net.approve(CROWDFUND, activation)
    net.until(activation - 1)
    net.ok("crowdfund", "open_escrow", {"payer": "alice", "account": ESCROW}, "alice")
    try:
        yield net
    finally:
        net.net.close()


def balance(market: Market, account: str) -> int:
    return int(market.query("pay", "balance", {"account": account, "symbol": "TONO"}))


def campaign(market: Market, goal: int, blocks: int = 6) -> int:
    receipt = market.ok("crowdfund", "create", {"creator": "carol", "title": "a bridge", "symbol": "TONO", "goal": goal, "deadline": market.height + blocks}, "carol")
    return int(codec.decode(receipt.events[0].data)["id"])


def test_a_funded_campaign_pays_its_creator_once(market: Market) -> None:
    cid = campaign(market, 300)
    carol = balance(market, "carol")
    market.ok("crowdfund", "pledge", {"id": cid, "backer": "dave", "amount": 200}, "dave")
    market.ok("crowdfund", "pledge", {"id": cid, "backer": "erin", "amount": 150}, "erin")
    assert balance(market, ESCROW) == 350 and balance(market, "dave") == 800
    market.fails("crowdfund.not_funded", "crowdfund", "claim", {"id": cid}, "bob")  # before the deadline
    market.until(market.query("crowdfund", "campaign", {"id": cid})["deadline"])
    market.fails("crowdfund.closed", "crowdfund", "pledge", {"id": cid, "backer": "bob", "amount": 5}, "bob")
    market.ok("crowdfund", "claim", {"id": cid}, "bob")
    assert balance(market, "carol") == carol + 350 and balance(market, ESCROW) == 0
    market.fails("crowdfund.not_funded", "crowdfund", "claim", {"id": cid}, "bob")
    market.fails("crowdfund.not_refundable", "crowdfund", "refund", {"id": cid, "backer": "dave"}, "dave")
    assert market.query("crowdfund", "campaign", {"id": cid})["state"] == "funded"


def test_a_campaign_that_misses_its_goal_refunds_every_backer(market: Market) -> None:
    cid = campaign(market, 1000)
    market.ok("crowdfund", "pledge", {"id": cid, "backer": "dave", "amount": 100}, "dave")
    market.ok("crowdfund", "pledge", {"id": cid, "backer": "dave", "amount": 20}, "dave")
    market.ok("crowdfund", "pledge", {"id": cid, "backer": "erin", "amount": 30}, "erin")
    market.fails("crowdfund.not_refundable", "crowdfund", "refund", {"id": cid, "backer": "dave"}, "dave")
    market.until(market.query("crowdfund", "campaign", {"id": cid})["deadline"])
    market.ok("crowdfund", "refund", {"id": cid, "backer": "dave"}, "bob")  # anyone may trigger it; dave gets it
    assert balance(market, "dave") == 1000 and market.query("crowdfund", "pledge", {"id": cid, "backer": "dave"}) == 0
    market.fails("crowdfund.nothing_to_refund", "crowdfund", "refund", {"id": cid, "backer": "dave"}, "dave")
    market.fails("crowdfund.not_funded", "crowdfund", "claim", {"id": cid}, "carol")
    market.ok("crowdfund", "refund", {"id": cid, "backer": "erin"}, "erin")
    assert balance(market, ESCROW) == 0 and market.query("crowdfund", "campaign", {"id": cid})["raised"] == 0


def test_nobody_moves_escrowed_tokens_but_the_app(market: Market) -> None:
    cid = campaign(market, 1000)
    market.ok("crowdfund", "pledge", {"id": cid, "backer": "dave", "amount": 100}, "dave")
    steal = {"from": ESCROW, "to": "alice", "symbol": "TONO", "amount": 100, "memo": ""}
    for signer in ("alice", "validator"):  # the escrow's creator, the system account
        market.refused("tx.unauthorized", "pay", "transfer", steal, signer, actor=ESCROW)
    # the publisher DAO cannot reach it either: its proposals act only as the DAO
    actions = codec.encode([{"plugin": "pay", "name": "transfer", "data": steal, "actor": ESCROW}])
    market.fails("dao.invalid_actions", "dao", "propose", {"dao": "makers", "proposer": "alice", "title": "take it", "actions": actions}, "alice")
    assert balance(market, ESCROW) == 100


def test_hostile_input(market: Market) -> None:
    market.fails("crowdfund.escrow_exists", "crowdfund", "open_escrow", {"payer": "bob", "account": "cf.other"}, "bob")
    market.fails("crowdfund.invalid_deadline", "crowdfund", "create", {"creator": "carol", "title": "t", "symbol": "TONO", "goal": 5, "deadline": 1}, "carol")
    market.fails("crowdfund.unknown_campaign", "crowdfund", "pledge", {"id": 9, "backer": "dave", "amount": 1}, "dave")
    cid = campaign(market, 10)
    market.fails("tx.missing_authorization", "crowdfund", "pledge", {"id": cid, "backer": "dave", "amount": 1}, "erin")
    receipt = market.act("crowdfund", "pledge", {"id": cid, "backer": "dave", "amount": 10**6}, "dave")
    assert receipt.status == "failed" and receipt.error_code.startswith("pay.")
    assert market.query("crowdfund", "campaign", {"id": cid})["raised"] == 0

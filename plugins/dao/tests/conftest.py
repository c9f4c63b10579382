"""Fixtures of the DAO tests (the harness lives in ``daonet.py``)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from daonet import Net, make_net  # noqa: E402


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Net]:
    net = make_net(tmp_path)
    try:
        yield net
    finally:
        net.net.close()


@pytest.fixture
def club(chain: Net) -> Net:
    """DAO ``club``: alice (admin), bob, carol; 3-block votes, no timelock; 500 TONO in its treasury."""
    chain.dao("create", {"creator": "alice", "name": "club", "voting_period": 3, "timelock": 1, "grace": 5}, "alice")
    for account in ("bob", "carol"):
        chain.dao("invite", {"dao": "club", "inviter": "alice", "account": account}, "alice")
        chain.dao("join", {"dao": "club", "account": account}, account)
    chain.ok("pay", "transfer", {"from": "erin", "to": "club", "symbol": "TONO", "amount": 500}, "erin")
    return chain

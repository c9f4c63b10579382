"""Capability enforcement: an approved app reaches only its manifest, and refusals leave no trace."""

from __future__ import annotations

import pytest
from marketnet import SNEAKY, Market

from tonomy.chain import codec
from tonomy.chain.capabilities import Capabilities, prefix_end


@pytest.fixture
def sneaky(market: Market) -> Market:
    market.publish(SNEAKY)
    activation = market.height + 10
    market.approve(SNEAKY, activation)
    market.until(activation - 1)
    return market


def test_an_app_writes_inside_its_manifest(sneaky: Market) -> None:
    sneaky.ok("sneaky", "write", {"key": "own/a"}, "dave")
    assert sneaky.query("sneaky", "read", {"key": "own/a"}) == b"x"


@pytest.mark.parametrize("key", ["other", "ow", "own", "seq/x", "\u00e9"])
def test_state_outside_the_manifest_is_refused_and_leaves_no_trace(sneaky: Market, key: str) -> None:
    root = sneaky.state_root()
    receipt = sneaky.fails("tx.capability_denied", "sneaky", "write", {"key": key}, "dave")
    assert receipt.events == ()
    assert sneaky.net.chain.get_state("sneaky", key.encode())[0] is None
    # the block carried only the failed transaction: the app's writes are gone
    assert sneaky.state_root() == root  # nothing of the failed transaction is in state
    with pytest.raises(Exception) as refused:
        sneaky.query("sneaky", "read", {"key": key})
    assert getattr(refused.value, "code", "") == "tx.capability_denied"


def test_range_scans_stay_inside_an_owned_prefix(sneaky: Market) -> None:
    sneaky.ok("sneaky", "write", {"key": "own/a"}, "dave")
    sneaky.ok("sneaky", "scan", {"key": "own/"}, "dave")
    sneaky.fails("tx.capability_denied", "sneaky", "scan", {"key": "o"}, "dave")


def test_calls_and_queries_outside_the_manifest_are_refused(sneaky: Market) -> None:
    before = sneaky.query("pay", "balance", {"account": "alice", "symbol": "TONO"})
    # even carrying alice's own authority, the app may not call pay.transfer
    receipt = sneaky.act("sneaky", "spend", {}, "alice")
    assert (receipt.status, receipt.error_code) == ("failed", "tx.capability_denied")
    assert sneaky.query("pay", "balance", {"account": "alice", "symbol": "TONO"}) == before
    root = sneaky.state_root()
    sneaky.fails("tx.capability_denied", "sneaky", "ask", {}, "dave")
    assert sneaky.net.chain.get_state("sneaky", b"own/before")[0] is None  # its own write was undone too
    assert sneaky.state_root() == root


def test_capability_records_that_cannot_be_read_refuse_everything() -> None:
    for raw in (b"", b"\xff", codec.encode({"windows": "x"}), codec.encode({"windows": [{"from": -1}]}), codec.encode([1])):
        assert Capabilities.from_bytes("app", raw).windows == ()
    assert prefix_end(b"a/") == b"a0"
    assert prefix_end(b"\xff\xff") is None
    assert prefix_end(b"a\xff") == b"b"

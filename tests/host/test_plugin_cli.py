"""The shared plugin CLI plumbing: the node-client adapter and receipt reading."""

from __future__ import annotations

import click
import pytest

from tonomy.chain import codec
from tonomy.chain.context import Event
from tonomy.chain.receipts import Receipt
from tonomy.plugin.cli import ActionOutcome, NodeClientAdapter, connect, event


class RecordingClient:
    """Stands in for the host's node client: records what the adapter asks."""

    def __init__(self, receipt: Receipt | None) -> None:
        self.receipt = receipt
        self.calls: list = []
        self.closed = False

    def query(self, plugin, name, params):
        self.calls.append(("query", plugin, name, params))
        return 42

    def push_action(self, plugin, name, data, authorization, *, key_file=None):
        self.calls.append(("push", plugin, name, data, authorization, key_file))
        return self.receipt

    def close(self) -> None:
        self.closed = True


def make_receipt(status, events=(), code=None, message=None) -> Receipt:
    return Receipt(
        tx_id=bytes(32), height=3, index=0, status=status, error_code=code, error_message=message,
        events=tuple(Event(plugin, name, codec.encode(data)) for plugin, name, data in events), state_ops=1, bytes_written=1,
    )


def test_the_adapter_maps_receipts_with_every_plugins_events() -> None:
    receipt = make_receipt("executed", [("pay", "transferred", {"amount": 1}), ("other", "noise", {})])
    client = RecordingClient(receipt)
    adapter = NodeClientAdapter(client, "alice.key")
    outcome = adapter.act("pay", "transfer", {"amount": 1}, ["alice@active"])
    assert outcome == ActionOutcome(True, [("pay", "transferred", {"amount": 1}), ("other", "noise", {})], None, None)
    assert event(outcome, "pay", "transferred") == {"amount": 1}
    with pytest.raises(click.ClickException, match="no pay.missing event"):
        event(outcome, "pay", "missing")
    assert client.calls == [("push", "pay", "transfer", {"amount": 1}, ["alice@active"], "alice.key")]
    assert adapter.query("pay", "balance", {"account": "alice", "symbol": "USD"}) == 42
    failed = NodeClientAdapter(RecordingClient(make_receipt("failed", code="pay.overdrawn", message="no")), "k").act("pay", "transfer", {}, [])
    assert failed == ActionOutcome(False, [], "pay.overdrawn", "no")
    adapter.close()
    assert client.closed


def test_signing_needs_a_key_file() -> None:
    client = RecordingClient(None)
    with pytest.raises(click.ClickException, match="--key-file"):
        NodeClientAdapter(client, None).act("pay", "transfer", {}, [])
    assert client.calls == []


def test_connect_builds_the_adapter_over_the_node_client() -> None:
    adapter = connect("http://127.0.0.1:1", None)
    try:
        assert isinstance(adapter, NodeClientAdapter)
    finally:
        adapter.close()

"""``tonomy.chain.stored``: stored bytes and filtered events answer what the decoding readers answer."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

from tonomy import _core
from tonomy.chain import codec, stored
from tonomy.chain.receipts import event_key
from tonomy.testing.ledger import LedgerNet


def write(owner: str, key: str) -> _core.Action:
    return LedgerNet.action("notes", "write", {"owner": owner, "key": key, "text": "t"}, f"{owner}@active")


def block_with_events(net: Any) -> int:
    for i in range(3):
        net.submit(write("alice", f"k{i}"), ["alice"])
    net.submit(write("bob", "plugin"), ["bob"])
    net.submit(LedgerNet.action("relay", "forward", {"owner": "carol", "key": "k", "text": "t"}, "carol@active"), ["carol"])
    return int(net.produce().height)


def test_block_and_commit_bytes_are_the_stored_encodings(net: Any) -> None:
    height = block_with_events(net)
    net.produce()
    raw = stored.block_bytes(net.chain, height)
    assert raw == _core.encode_block(net.chain.get_block(height))
    assert _core.decode_block(raw).header.hash == net.chain.get_block(height).header.hash
    commit = stored.commit_bytes(net.chain, height)
    stored_commit = net.chain.get_commit(height)
    assert (commit is None and stored_commit is None) or commit == _core.encode_commit(stored_commit)
    assert stored.block_bytes(net.chain, net.chain.height + 1) is None
    bad: Any
    for bad in (-1, 1 << 64, "1", None):
        assert stored.block_bytes(net.chain, bad) is None
        assert stored.commit_bytes(net.chain, bad) is None


def test_all_events_of_a_block_are_get_events(net: Any) -> None:
    height = block_with_events(net)
    expected = net.chain.get_events(height, height + 1, 100_000)
    assert len(expected) >= 5
    assert stored.block_events(net.chain, height) == expected


def test_events_filtered_by_plugin_and_name_are_exactly_the_matching_ones(net: Any) -> None:
    height = block_with_events(net)
    every = net.chain.get_events(height, height + 1, 100_000)
    notes = [e for e in every if e["plugin"] == "notes"]
    assert notes
    assert stored.block_events(net.chain, height, plugin="notes") == notes
    assert stored.block_events(net.chain, height, plugin="notes", names=["written"]) == [e for e in notes if e["name"] == "written"]
    assert stored.block_events(net.chain, height, plugin="notes", names=["erased"]) == []
    # A prefix of a plugin's name or another plugin's name matches nothing of it.
    assert stored.block_events(net.chain, height, plugin="note") == []
    assert stored.block_events(net.chain, height, plugin="relay") == [e for e in every if e["plugin"] == "relay"]
    # Only names, across plugins.
    assert stored.block_events(net.chain, height, names={"written"}) == [e for e in every if e["name"] == "written"]
    # A block without transactions has no events.
    empty = int(net.produce().height)
    assert stored.block_events(net.chain, empty, plugin="notes") == []


def test_a_record_whose_data_mentions_the_plugin_field_is_still_checked_exactly(tmp_path: Path) -> None:
    """The substring prefilter lets such a record through; the exact check must drop it.

    Chain-written records carry their data as bytes, so the marker cannot show up there;
    a store with such a record written directly checks the reader does not rely on that.
    """
    store = _core.Store(tmp_path / "store")
    nested = {"data": {"name": "forwarded", "plugin": "relay"}, "name": "written", "plugin": "notes", "tx_id": bytes(32)}
    store.commit(1, [], [("events", event_key(1, 0, 0), codec.encode(nested))])
    chain = SimpleNamespace(store=store)
    assert b'"plugin":"relay"' in codec.encode(nested) and b'"name":"forwarded"' in codec.encode(nested)
    assert stored.block_events(chain, 1, plugin="relay") == []
    assert stored.block_events(chain, 1, names=["forwarded"]) == []
    assert [e["name"] for e in stored.block_events(chain, 1, plugin="notes", names=("written",))] == ["written"]

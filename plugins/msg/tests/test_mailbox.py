"""The node's mailbox store on disk: persistence across restarts, quota, expiry, tombstones."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tonomy_msg.errors import MsgQuotaExceededError
from tonomy_msg.mailbox import Mailbox, Quota
from tonomy_msg.seal import seal
from tonomy_msg.signing import make_receipt

from nacl.bindings import crypto_scalarmult_base

SEED = bytes(range(32))


def sealed(expires: int = 10_000) -> tuple[bytes, bytes]:
    data = seal(sender="alice", sender_seed=SEED, recipient="bob", recipient_key=crypto_scalarmult_base(os.urandom(32)),
                body=b"m", created_ms=1, ttl_ms=expires - 1)
    from tonomy_msg.formats import parse_sealed

    return parse_sealed(data).header.message_id, data


def test_items_survive_a_restart_and_damaged_files_are_dropped(tmp_path: Path) -> None:
    box = Mailbox(tmp_path, Quota(10, 1 << 20), 1000)
    mid, data = sealed()
    assert box.put_message("bob", mid, data, b"s" * 32, b"g" * 64, 10_000)
    receipt = make_receipt(SEED, "bob", "alice", mid, os.urandom(32), 5)
    assert box.put("alice", "r", mid, receipt.to_bytes(), 1005)
    (tmp_path / "bob" / ("m-" + "00" * 16)).write_bytes(b"damaged")
    again = Mailbox(tmp_path, Quota(10, 1 << 20), 1000)
    assert [i for i, _ in again.items("bob", "m", 0)] == [mid]
    assert [i for i, _ in again.items("alice", "r", 0)] == [mid]
    assert not (tmp_path / "bob" / ("m-" + "00" * 16)).exists()


def test_quota_in_items_and_bytes(tmp_path: Path) -> None:
    box = Mailbox(tmp_path, Quota(2, 1 << 20), 1000)
    for _ in range(2):
        mid, data = sealed()
        box.put_message("bob", mid, data, b"s" * 32, b"g" * 64, 10_000)
    mid, data = sealed()
    with pytest.raises(MsgQuotaExceededError):
        box.put_message("bob", mid, data, b"s" * 32, b"g" * 64, 10_000)
    small = Mailbox(tmp_path / "small", Quota(10, 100), 1000)
    with pytest.raises(MsgQuotaExceededError):
        small.put_message("bob", mid, data, b"s" * 32, b"g" * 64, 10_000)
    assert small.usage("bob") == (0, 0) and not (tmp_path / "small" / "bob" / f"m-{mid.hex()}").exists()


def test_delivered_ids_do_not_come_back_and_expired_items_leave(tmp_path: Path) -> None:
    box = Mailbox(tmp_path, Quota(10, 1 << 20), 1000)
    mid, data = sealed(expires=5_000)
    box.put_message("bob", mid, data, b"s" * 32, b"g" * 64, 5_000)
    assert box.delete("bob", "m", mid, remember_until_ms=9_000)
    assert not box.put_message("bob", mid, data, b"s" * 32, b"g" * 64, 5_000)  # a late relay
    other, data2 = sealed(expires=3_000)
    box.put_message("bob", other, data2, b"s" * 32, b"g" * 64, 3_000)
    assert box.expire(4_000) == 1 and list(box.items("bob", "m", 0)) == []
    assert not (tmp_path / "bob" / f"m-{other.hex()}").exists()
    box.expire(10_000)
    assert not box.was_deleted("bob", "m", mid)  # tombstones end with the message's life

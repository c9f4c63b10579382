"""Every parser of messaging takes hostile bytes: each truncation, random bytes, flips, oversize."""

from __future__ import annotations

import os

import pytest

from tonomy.errors import TonomyError

from tonomy_identity.crypto import public_key
from tonomy_msg.errors import MsgMalformedError, MsgTamperedError, MsgTooLargeError
from tonomy_msg.formats import MAX_SEALED_BYTES, parse_receipt, parse_sealed
from tonomy_msg.seal import open_sealed, seal
from tonomy_msg.signing import make_receipt, receipt_ok

from nacl.bindings import crypto_scalarmult_base

SEED = bytes(range(32))
BOB_SECRET = bytes(range(1, 33))


def sample(body: bytes = b"hello") -> bytes:
    return seal(sender="alice", sender_seed=SEED, recipient="bob", recipient_key=crypto_scalarmult_base(BOB_SECRET),
                body=body, created_ms=1_000, ttl_ms=60_000)


def test_seal_and_open_round_trip() -> None:
    for body in (b"", b"x", os.urandom(5000)):
        opened = open_sealed(sample(body), recipient="bob", recipient_secret=BOB_SECRET)
        assert opened.body == body and opened.signer == public_key(SEED) and opened.header.sender == "alice"


def test_every_truncation_of_a_sealed_message_is_refused() -> None:
    data = sample()
    header_end = len(parse_sealed(data).header_bytes) + 24
    for cut in range(len(data)):
        with pytest.raises(TonomyError) as info:
            open_sealed(data[:cut], recipient="bob", recipient_secret=BOB_SECRET)
        expected = {"msg.malformed"} if cut < header_end + 116 else {"msg.tampered", "msg.malformed"}
        assert info.value.code in expected, cut


def test_every_flipped_byte_is_refused() -> None:
    data = sample()
    for at in range(len(data)):
        flipped = bytearray(data)
        flipped[at] ^= 0x40
        with pytest.raises(TonomyError) as info:
            open_sealed(bytes(flipped), recipient="bob", recipient_secret=BOB_SECRET)
        assert info.value.code in {"msg.malformed", "msg.tampered", "msg.misaddressed"}, at


def test_garbage_wrong_types_and_oversize() -> None:
    for junk in (b"", os.urandom(10), os.urandom(300), b"TMS1" + os.urandom(200)):
        with pytest.raises(MsgMalformedError):
            parse_sealed(junk)
    for wrong in ("text", None, 5, bytearray(b"TMS1")):
        with pytest.raises(MsgMalformedError):
            parse_sealed(wrong)
    with pytest.raises(MsgTooLargeError):
        parse_sealed(b"\x00" * (MAX_SEALED_BYTES + 1))
    with pytest.raises(MsgMalformedError):
        parse_sealed(sample() [:4] + b"\x00\x02" + sample()[6:])  # another format version
    with pytest.raises(TonomyError):
        seal(sender="alice", sender_seed=SEED, recipient="bob", recipient_key=bytes(32), body=b"x", created_ms=1, ttl_ms=5)


def test_a_wrong_secret_cannot_open() -> None:
    with pytest.raises(TonomyError) as info:
        open_sealed(sample(), recipient="bob", recipient_secret=os.urandom(32))
    assert info.value.code == "msg.misaddressed"


def test_receipts_parse_strictly_and_verify_only_with_the_right_key() -> None:
    receipt = make_receipt(SEED, "bob", "alice", os.urandom(16), os.urandom(32), 5)
    raw = receipt.to_bytes()
    assert parse_receipt(raw) == receipt and receipt_ok(receipt, [public_key(SEED)])
    assert not receipt_ok(receipt, [public_key(os.urandom(32))])
    for cut in range(len(raw)):
        with pytest.raises(MsgMalformedError):
            parse_receipt(raw[:cut])
    with pytest.raises(MsgMalformedError):
        parse_receipt(raw + b"\x00")
    for at in range(len(raw)):
        flipped = bytearray(raw)
        flipped[at] ^= 1
        try:
            parsed = parse_receipt(bytes(flipped))
        except (MsgMalformedError, MsgTooLargeError):
            continue
        assert not receipt_ok(parsed, [public_key(SEED)]), at


def test_tampered_error_is_the_aead_failure() -> None:
    data = bytearray(sample())
    data[-1] ^= 1
    with pytest.raises(MsgTamperedError):
        open_sealed(bytes(data), recipient="bob", recipient_secret=BOB_SECRET)

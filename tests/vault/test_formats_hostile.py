"""Hostile input for every vault parser: record envelopes, wrapped keys, keyrings,
released shares, server answers and offers. Each gives a vault.* error with a stable
code — never another exception, never a result."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tonomy.errors import (
    VaultDowngradeError,
    VaultError,
    VaultMalformedError,
    VaultTamperedError,
    VaultUnsupportedVersionError,
    VaultWeakKdfError,
)
from tonomy.vault import check_offer, parse_entry, parse_envelope, parse_grant, parse_keyring, parse_keyring_pointer, parse_released_share, parse_wrapped
from tonomy.vault.envelope import FieldAddress, MAX_ENVELOPE_BYTES, open_field, seal_field
from tonomy.vault.formats import ALGORITHM_NAME
from tonomy.vault.keyring import build_keyring
from tonomy.vault.recovery import ReleasedShare
from tonomy.vault.server import parse_record_ids
from tonomy.vault.wrapping import (
    PURPOSE_RECORD_KEY,
    Party,
    WrapContext,
    unwrap_from,
    unwrap_symmetric,
    wrap_symmetric,
    wrap_to,
    x25519_public,
)
from tonomy.wallet.kdf import FLOOR

KEY = bytes(range(32))
ADDRESS = FieldAddress("alice", bytes(16), "note", 3, 2)
CTX = WrapContext(PURPOSE_RECORD_KEY, "alice", bytes(16) + b"\x00\x00\x00\x01")
PARSERS = [parse_envelope, parse_wrapped, parse_keyring, parse_released_share]


def sample_envelope() -> bytes:
    return seal_field(KEY, ADDRESS, b"hello")


def sample_wrapped_x25519() -> bytes:
    s = os.urandom(32)
    r = os.urandom(32)
    return wrap_to(s, Party("alice", x25519_public(s)), Party("bob", x25519_public(r)), KEY, CTX)


def sample_keyring() -> bytes:
    s, g = os.urandom(32), os.urandom(32)
    return build_keyring(owner="alice", epoch=1, kdf=FLOOR, kek=KEY, vault_key=os.urandom(32), owner_secret=s,
                         owner_public=x25519_public(s), guardians=[("bob", x25519_public(g))], threshold=1).to_bytes()


def sample_released() -> bytes:
    return ReleasedShare("bob", 3, sample_wrapped_x25519()).to_bytes()


SAMPLES = {
    "envelope": (parse_envelope, sample_envelope),
    "symmetric wrap": (parse_wrapped, lambda: wrap_symmetric(KEY, KEY, CTX)),
    "x25519 wrap": (parse_wrapped, sample_wrapped_x25519),
    "keyring": (parse_keyring, sample_keyring),
    "released share": (parse_released_share, sample_released),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_valid_samples_parse(name: str) -> None:
    parser, make = SAMPLES[name]
    parser(make())


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_truncation_is_refused(name: str) -> None:
    parser, make = SAMPLES[name]
    data = make()
    for cut in range(len(data)):
        try:
            parser(data[:cut])
        except VaultError:
            continue
        # Only an envelope has a variable-length tail: a cut one still parses, then
        # fails authentication.
        assert name == "envelope" and cut >= 43 + 16
        with pytest.raises(VaultTamperedError):
            open_field(KEY, ADDRESS, data[:cut])


@pytest.mark.parametrize("parser", PARSERS)
@pytest.mark.parametrize("value", [None, "text", 12, bytearray(b"TVE1"), b"", b"\x00" * 64, b"garbage" * 10])
def test_garbage_and_wrong_types(parser, value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(VaultMalformedError) as caught:
        parser(value)
    assert caught.value.code == "vault.malformed"


@pytest.mark.parametrize("parser", PARSERS)
def test_huge_input_is_refused_by_size(parser) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(VaultMalformedError):
        parser(b"\x00" * (MAX_ENVELOPE_BYTES + 1))


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=300), which=st.integers(0, len(PARSERS) - 1))
def test_random_bytes_give_only_vault_errors(data: bytes, which: int) -> None:
    try:
        PARSERS[which](data)
    except VaultError:
        pass


@settings(max_examples=200, deadline=None)
@given(position=st.integers(0, 10_000), flip=st.integers(1, 255), name=st.sampled_from(sorted(SAMPLES)))
def test_single_byte_flips_never_parse_into_something_else_silently(position: int, flip: int, name: str) -> None:
    parser, make = SAMPLES[name]
    data = bytearray(make())
    data[position % len(data)] ^= flip
    try:
        parser(bytes(data))
    except VaultError:
        return
    # If it still parses, authentication must reject it (where we hold the key).
    if name == "envelope":
        with pytest.raises(VaultError):
            open_field(KEY, ADDRESS, bytes(data))
    elif name == "symmetric wrap":
        with pytest.raises(VaultError):
            unwrap_symmetric(KEY, bytes(data), CTX)


def test_padme_size_classes() -> None:
    from tonomy.vault.envelope import framed_size, padme

    previous = 0
    for length in range(2, 70_000, 7):
        padded = padme(length)
        assert length <= padded <= length * 1.12 + 1 and padded >= previous
        previous = padded
    assert [padme(n) for n in (9, 100, 1000, 1025)] == [10, 104, 1024, 1088]
    # values of different lengths in one class give blobs of one size
    assert framed_size(0) == framed_size(60) == 64
    assert len(seal_field(KEY, ADDRESS, b"a" * 1000)) == len(seal_field(KEY, ADDRESS, b"a" * 1020))


@pytest.mark.parametrize(
    "framed",
    [b"", b"\x00\x00", (5).to_bytes(4, "big") + b"abc", (3).to_bytes(4, "big") + b"abc" + b"\x00" * 56 + b"\x01",
     (3).to_bytes(4, "big") + b"abc" + b"\x00" * 60, (2**32 - 1).to_bytes(4, "big") + bytes(60)],
)
def test_bad_frames_inside_authentic_ciphertext(framed: bytes) -> None:
    """A key holder's bad framing (a buggy or hostile writer) is refused, not trimmed."""
    from tonomy.vault import aead
    from tonomy.vault.envelope import Envelope, unframe

    with pytest.raises(VaultMalformedError):
        unframe(framed)
    nonce, ct = aead.encrypt(KEY, framed, ADDRESS.associated_data())
    envelope = Envelope(1, 1, ADDRESS.key_epoch, ADDRESS.version, nonce, ct).to_bytes()
    with pytest.raises(VaultMalformedError):
        open_field(KEY, ADDRESS, envelope)


def test_envelope_versions_and_algorithms() -> None:
    data = sample_envelope()
    with pytest.raises(VaultDowngradeError):
        parse_envelope(data[:4] + b"\x00\x00" + data[6:])
    with pytest.raises(VaultUnsupportedVersionError):
        parse_envelope(data[:4] + b"\x00\x02" + data[6:])
    with pytest.raises(VaultDowngradeError):
        parse_envelope(data[:6] + b"\x00" + data[7:])
    with pytest.raises(VaultMalformedError):
        parse_envelope(b"TVE2" + data[4:])


def test_envelope_binds_every_address_component() -> None:
    data = sample_envelope()
    assert open_field(KEY, ADDRESS, data) == b"hello"
    for other in (
        FieldAddress("bob", ADDRESS.record_id, ADDRESS.field, 3, 2),
        FieldAddress("alice", b"\x01" * 16, ADDRESS.field, 3, 2),
        FieldAddress("alice", ADDRESS.record_id, "title", 3, 2),
    ):
        with pytest.raises(VaultTamperedError):
            open_field(KEY, other, data)
    with pytest.raises(VaultTamperedError):
        open_field(bytes(32), ADDRESS, data)


def test_wrapped_key_kinds_versions_and_trailing_bytes() -> None:
    sym = wrap_symmetric(KEY, KEY, CTX)
    with pytest.raises(VaultDowngradeError):
        parse_wrapped(sym[:4] + b"\x00\x00" + sym[6:])
    with pytest.raises(VaultMalformedError):
        parse_wrapped(sym[:6] + b"\x07" + sym[7:])
    with pytest.raises(VaultMalformedError):
        parse_wrapped(sym + b"\x00")
    with pytest.raises(VaultTamperedError):
        unwrap_symmetric(KEY, sym, WrapContext(PURPOSE_RECORD_KEY, "alice", bytes(16) + b"\x00\x00\x00\x02"))
    with pytest.raises(VaultTamperedError):
        unwrap_symmetric(KEY, sample_wrapped_x25519(), CTX)


def test_x25519_wrap_binds_both_parties() -> None:
    s, r, m = os.urandom(32), os.urandom(32), os.urandom(32)
    sender, recipient = Party("alice", x25519_public(s)), Party("bob", x25519_public(r))
    wrapped = wrap_to(s, sender, recipient, KEY, CTX)
    assert unwrap_from(r, sender, recipient, wrapped, CTX) == KEY
    with pytest.raises(VaultTamperedError):  # another sender key (substitution)
        unwrap_from(r, Party("alice", x25519_public(m)), recipient, wrapped, CTX)
    with pytest.raises(VaultTamperedError):  # another sender name
        unwrap_from(r, Party("mallory", sender.public_key), recipient, wrapped, CTX)
    with pytest.raises(VaultTamperedError):  # a third party
        unwrap_from(m, sender, Party("bob", x25519_public(m)), wrapped, CTX)
    with pytest.raises(VaultTamperedError):  # small-order sender key
        unwrap_from(r, Party("alice", bytes(32)), recipient, wrapped, CTX)
    with pytest.raises(VaultMalformedError):  # secret does not match the claimed sender
        wrap_to(m, sender, recipient, KEY, CTX)


def _keyring_doc() -> dict:  # type: ignore[type-arg]
    return json.loads(sample_keyring())


@pytest.mark.parametrize(
    "change, error",
    [
        (lambda d: d.update(version=0), VaultDowngradeError),
        (lambda d: d.update(version=9), VaultUnsupportedVersionError),
        (lambda d: d.update(version="1"), VaultMalformedError),
        (lambda d: d.update(algorithm="none"), VaultDowngradeError),
        (lambda d: d.update(kdf={"algorithm": "argon2id13", "ops": 2, "memory": 64 << 20}), VaultWeakKdfError),
        (lambda d: d.update(kdf={"algorithm": "argon2id13", "ops": 3, "memory": 1 << 50}), VaultMalformedError),
        (lambda d: d.update(format="other"), VaultMalformedError),
        (lambda d: d.update(extra=1), VaultMalformedError),
        (lambda d: d.pop("shares"), VaultMalformedError),
        (lambda d: d.update(epoch=0), VaultMalformedError),
        (lambda d: d.update(epoch=True), VaultMalformedError),
        (lambda d: d.update(threshold=5), VaultMalformedError),
        (lambda d: d.update(vault_key_id="zz"), VaultMalformedError),
        (lambda d: d.update(owner_x25519="00"), VaultMalformedError),
        (lambda d: d.update(owner=""), VaultMalformedError),
        (lambda d: d["shares"].append(dict(d["shares"][0])), VaultMalformedError),
        (lambda d: d["shares"][0].update(x=0), VaultMalformedError),
        (lambda d: d["shares"][0].update(guardian_key=7), VaultMalformedError),
        (lambda d: d.update(shares="many"), VaultMalformedError),
    ],
)
def test_keyring_fields(change, error) -> None:  # type: ignore[no-untyped-def]
    doc = _keyring_doc()
    change(doc)
    with pytest.raises(error):
        parse_keyring(json.dumps(doc).encode())


def test_keyring_deep_nesting_and_bad_utf8() -> None:
    with pytest.raises(VaultMalformedError):
        parse_keyring(b"[" * 10000 + b"]" * 10000)
    with pytest.raises(VaultMalformedError):
        parse_keyring(b"\xff\xfe{}")


def test_released_share_fields() -> None:
    good = sample_released()
    with pytest.raises(VaultDowngradeError):
        parse_released_share(good[:4] + b"\x00\x00" + good[6:])
    with pytest.raises(VaultMalformedError):  # guardian name not ASCII
        parse_released_share(good[:6] + b"\x03\xff\xfe\xfd" + good[10:])
    zero_x = bytearray(good)
    zero_x[6 + 1 + 3] = 0
    with pytest.raises(VaultMalformedError):
        parse_released_share(bytes(zero_x))
    with pytest.raises(VaultMalformedError):
        parse_released_share(good[: 6 + 1 + 3 + 1])


ENTRY = {"owner": "alice", "record_id": bytes(16), "field": "note", "version": 1, "content_hash": bytes(32), "size": 10, "key_epoch": 1, "deleted": False}
GRANT = {"owner": "alice", "record_id": bytes(16), "reader": "bob", "reader_key": bytes(32), "key_epoch": 1, "wrapped_key": b"x" * 10}
POINTER = {"owner": "alice", "epoch": 1, "content_hash": bytes(32), "size": 10}


@pytest.mark.parametrize(
    "parser, good, changes",
    [
        (parse_entry, ENTRY, [{"version": 0}, {"version": True}, {"field": "Bad"}, {"field": 3}, {"record_id": b"x"},
                              {"content_hash": bytes(31)}, {"deleted": 1}, {"deleted": True}, {"owner": ""}, {"size": -1}, {"key_epoch": 0}, {"extra": 1}]),
        (parse_grant, GRANT, [{"reader_key": bytes(31)}, {"wrapped_key": b"x" * 1000}, {"key_epoch": 2**40}, {"reader": None}, {"extra": 1}]),
        (parse_keyring_pointer, POINTER, [{"epoch": 0}, {"content_hash": "00" * 32}, {"owner": "a" * 65}, {"extra": 1}]),
    ],
)
def test_server_answers(parser, good, changes) -> None:  # type: ignore[no-untyped-def]
    parser(good)
    for change in changes:
        with pytest.raises(VaultMalformedError):
            parser({**good, **change})
    with pytest.raises(VaultMalformedError):
        parser([good])
    with pytest.raises(VaultMalformedError):
        parser({k: v for k, v in good.items() if k != "owner"})


def test_record_id_lists() -> None:
    assert parse_record_ids([bytes(16)]) == [bytes(16)]
    for bad in (b"x" * 16, "ids", [b"x"], [1], None):
        with pytest.raises(VaultMalformedError):
            parse_record_ids(bad)


@pytest.mark.parametrize("offer", [None, [], {}, {"format": 1}, {"format": "1", "algorithm": ALGORITHM_NAME}, {"format": 1, "algorithm": ALGORITHM_NAME, "x": 1}])
def test_malformed_offers(offer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(VaultMalformedError):
        check_offer(offer)
